import Foundation
import LVSModel
import Schedulers

extension ClusterModel {
    // Real servers

    /// The real server takes the connection. `serviceNanoseconds`: its FCFS service time
    /// when the caller already worked it out (``serviceTime(_:server:)``).
    @inline(__always)
    mutating func accept(slot: Int, server: Int, serviceNanoseconds: Int64? = nil, engine: inout Engine) {
        let now = engine.now.nanoseconds
        integrate(server, now: now)
        inSystem[server] += 1
        conns[slot].accepted = now
        if isPS[server] {
            psAdvance(server, now: now)
            let tag = psVirtual[server] + Double(conns[slot].demand)
            psPush(server, PSJob(tag: tag, slot: Int32(slot)))
            busy[server] = min(inSystem[server], workers[server])
            psReschedule(server, engine: &engine)
        } else {
            let time = serviceNanoseconds ?? serviceTime(slot, server: server)
            conns[slot].serviceNanoseconds = time
            pendingWork[server] += time
            if busy[server] < workers[server] {
                busy[server] += 1
                startService(slot, server: server, engine: &engine)
            } else {
                queues.push(Int32(slot), to: server)
            }
        }
    }

    /// The connection's service time at `server` (FCFS: its demand at the server's speed;
    /// kept in the slot from `accept` on).
    @inline(__always)
    func serviceTime(_ slot: Int, server: Int) -> Int64 {
        Int64(Double(conns[slot].demand) / speed[server])
    }

    @inline(__always)
    mutating func startService(_ slot: Int, server: Int, engine: inout Engine) {
        engine.schedule(Event(kind: EventKind.fcfsDone, a: UInt32(slot)), after: .nanoseconds(conns[slot].serviceNanoseconds))
    }

    mutating func fcfsDone(slot: Int, engine: inout Engine) {
        let server = Int(conns[slot].server)
        let now = engine.now.nanoseconds
        integrate(server, now: now)
        inSystem[server] -= 1
        pendingWork[server] -= conns[slot].serviceNanoseconds
        if let next = queues.popFirst(server) {
            startService(Int(next), server: server, engine: &engine)
        } else {
            busy[server] -= 1
        }
        departed(slot: slot, server: server, engine: &engine)
    }

    // Processor sharing with c workers: each of n jobs progresses at speed·min(1, c/n).
    @inline(__always)
    func psRate(_ server: Int) -> Double {
        let n = inSystem[server]
        return n == 0 ? 0 : speed[server] * min(1, Double(workers[server]) / Double(n))
    }

    mutating func psAdvance(_ server: Int, now: Int64) {
        psVirtual[server] += psRate(server) * Double(now - psLastTime[server])
        psLastTime[server] = now
    }

    mutating func psReschedule(_ server: Int, engine: inout Engine) {
        psGeneration[server] &+= 1
        guard let first = psJobs[server].first else { return }
        let rate = psRate(server)
        let delay = Int64(max(0, (first.tag - psVirtual[server]) / rate).rounded(.up))
        engine.schedule(Event(kind: EventKind.psDone, a: UInt32(server), b: psGeneration[server]), after: .nanoseconds(delay))
    }

    mutating func psDone(server: Int, generation: UInt32, engine: inout Engine) {
        guard psGeneration[server] == generation else { return }
        let now = engine.now.nanoseconds
        integrate(server, now: now)
        psAdvance(server, now: now)
        var finished: [Int] = []
        while let first = psJobs[server].first, first.tag <= psVirtual[server] + 1 {
            finished.append(Int(psPop(server).slot))
        }
        if finished.isEmpty, !psJobs[server].isEmpty { finished.append(Int(psPop(server).slot)) }
        inSystem[server] -= finished.count
        busy[server] = min(inSystem[server], workers[server])
        psReschedule(server, engine: &engine)
        for slot in finished { departed(slot: slot, server: server, engine: &engine) }
    }

    mutating func psPush(_ server: Int, _ job: PSJob) {
        psJobs[server].append(job)
        var child = psJobs[server].count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if psJobs[server][parent].tag <= psJobs[server][child].tag { break }
            psJobs[server].swapAt(parent, child)
            child = parent
        }
    }

    mutating func psPop(_ server: Int) -> PSJob {
        let top = psJobs[server][0]
        let last = psJobs[server].removeLast()
        if !psJobs[server].isEmpty {
            psJobs[server][0] = last
            var parent = 0
            let n = psJobs[server].count
            while true {
                let left = 2 * parent + 1
                if left >= n { break }
                var best = left
                if left + 1 < n && psJobs[server][left + 1].tag < psJobs[server][left].tag { best = left + 1 }
                if psJobs[server][parent].tag <= psJobs[server][best].tag { break }
                psJobs[server].swapAt(parent, best)
                parent = best
            }
        }
        return top
    }

    /// The server finished the connection: the client closes it (FIN), the
    /// director's entry moves to TIME_WAIT (NAT, both directions seen) or
    /// FIN_WAIT (DR/TUN, client side only), and its timer runs.
    @inline(__always)
    mutating func departed(slot: Int, server: Int, engine: inout Engine) {
        let now = engine.now.nanoseconds
        if inWindow {
            departures[server] += 1
            sojournSum[server] += Double(now - conns[slot].accepted)
        }
        if pk.enabled { return packetRespond(slot: slot, engine: &engine) }
        if let id = entryID(slot) {
            // NAT: client FIN (ESTABLISHED → CLOSE_WAIT), the server's FIN+ACK
            // (→ TIME_WAIT), back to back in one director call; the client's last ACK
            // keeps TIME_WAIT at the same instant (no change, same expiry), so it is not
            // run. DR/TUN: the director sees the client's FIN (→ FIN_WAIT); its later
            // ACK keeps FIN_WAIT.
            let expiry = seesReplies[server]
                ? director.receive(id, (.finAck, .input), then: (.finAck, .output), now: now)
                : director.receive(id, flags: .finAck, direction: .input, now: now)
            arm(slot, expiry: expiry, engine: &engine)
            sync(server, now: now)
        }
        recorder?.close(id: Int(conns[slot].sequence), now: now)
        clientFinished(slot: slot, outcome: .completed, engine: &engine)
    }

    enum Outcome: String { case completed, failed, refused }

    @inline(__always)
    mutating func clientFinished(slot: Int, outcome: Outcome, engine: inout Engine) {
        let now = engine.now.nanoseconds
        let measured = conns[slot].flags & ConnFlag.measured != 0
        switch outcome {
        case .completed: result.completed += 1
        case .failed: result.failed += 1
        case .refused: result.refused += 1
        }
        if measured {
            let responseMs = Double(packetResponseEnd(slot, now: now) - conns[slot].arrival) / 1e6
            switch outcome {
            case .completed:
                result.measuredCompleted += 1
                result.latencyMs.add(responseMs)
                latency.record(responseMs)
            case .failed: result.measuredFailed += 1
            case .refused: result.measuredRefused += 1
            }
            if options.collectDetails { offerSample(slot: slot, outcome: outcome, responseMs: responseMs) }
            measuredOutstanding -= 1
            if measuredOutstanding == 0 && arrivalsDone { engine.stop() }
        }
        conns[slot].flags |= ConnFlag.clientDone
        if !pk.enabled { detachEntry(from: slot) }
        releaseIfDone(slot)
    }


    mutating func seriesTick(engine: inout Engine) {
        let now = engine.now.nanoseconds
        for server in 0..<serverCount {
            let real = director.table.services[serviceIndex].servers[server]
            result.series.append(
                SeriesPoint(
                    timeSeconds: Double(now) / 1e9, server: serverNames[server], active: real.activeConnections,
                    inactive: real.inactiveConnections, inSystem: inSystem[server], busyWorkers: busy[server],
                    completed: boundConnections[server]))
        }
        if !arrivalsDone || measuredOutstanding > 0 {
            engine.schedule(Event(kind: EventKind.seriesTick), after: .nanoseconds(seriesIntervalNs))
        }
    }
}
