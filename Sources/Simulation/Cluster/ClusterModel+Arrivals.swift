import Foundation
import LVSModel
import Schedulers
@preconcurrency import CGSL

extension ClusterModel {
    // Arrivals

    mutating func startArrivals(engine: inout Engine) {
        switch arrivals {
        case .poisson(let rate), .deterministic(let rate):
            currentRate = rate
        case .onOff(let onRate, _, let onSeconds, _):
            currentRate = onRate
            engine.schedule(Event(kind: EventKind.rateChange), at: .seconds(onSeconds))
        case .piecewise(let segments):
            currentRate = segments[0].rate
            if segments.count > 1 { engine.schedule(Event(kind: EventKind.rateChange), at: .seconds(segments[0].untilSeconds)) }
        case .replay(let rows):
            if let first = rows.first {
                engine.schedule(Event(kind: EventKind.arrival), at: SimTime(nanoseconds: first.timeNanoseconds), inOrderIn: arrivalList)
            }
            return
        }
        scheduleNextArrival(engine: &engine)
    }

    /// Draws the next inter-arrival gap at the current rate. Piecewise-constant
    /// Poisson rates are exact by memorylessness: a rate change discards the
    /// pending arrival and draws afresh (see ``rateChange(engine:)``).
    @inline(__always)
    mutating func scheduleNextArrival(engine: inout Engine) {
        guard currentRate > 0 else { return }
        let gap: Double
        if case .deterministic = arrivals {
            gap = 1 / currentRate
        } else {
            gap = -log(arrivalStream.uniform()) / currentRate
        }
        engine.schedule(
            Event(kind: EventKind.arrival, b: UInt32(truncatingIfNeeded: rateSegment)),
            at: engine.now + .nanoseconds(Int64(gap * 1e9)), inOrderIn: arrivalList)
    }

    mutating func rateChange(engine: inout Engine) {
        rateSegment += 1
        let now = engine.now.nanoseconds
        switch arrivals {
        case .onOff(let onRate, let offRate, let onSeconds, let offSeconds):
            let isOn = rateSegment % 2 == 0
            currentRate = isOn ? onRate : offRate
            engine.schedule(Event(kind: EventKind.rateChange), at: SimTime(nanoseconds: now + Int64((isOn ? onSeconds : offSeconds) * 1e9)))
        case .piecewise(let segments):
            currentRate = segments[min(rateSegment, segments.count - 1)].rate
            if rateSegment < segments.count - 1 {
                engine.schedule(Event(kind: EventKind.rateChange), at: .seconds(segments[rateSegment].untilSeconds))
            }
        default:
            return
        }
        if !arrivalsDone { scheduleNextArrival(engine: &engine) }
    }

    mutating func arrive(engine: inout Engine) {
        let now = engine.now.nanoseconds
        var logged: Scenario.LoggedConnection?
        if case .replay(let rows) = arrivals {
            logged = rows[replayCursor]
            replayCursor += 1
        }
        if now >= arrivalEndNs {
            endArrivals(engine: &engine)
            return
        }
        let index = arrivalsGenerated
        arrivalsGenerated += 1
        // Warm-up boundary.
        if !measuring && (index == warmupConnections && warmupConnections > 0 || warmupConnections == 0 && now >= warmupEndNsConfigured) {
            beginMeasuring(now: now)
        }
        // Next arrival first (the arrival stream is consumed in arrival order).
        // The last arrival ends the arrivals only after its own connection is
        // sent, so that it counts as outstanding and the run waits for it.
        var last = false
        let more = totalArrivals.map { arrivalsGenerated < $0 } ?? true
        if case .replay(let rows) = arrivals {
            if more && replayCursor < rows.count {
                engine.schedule(
                    Event(kind: EventKind.arrival), at: SimTime(nanoseconds: max(now, rows[replayCursor].timeNanoseconds)),
                    inOrderIn: arrivalList)
            } else {
                last = true
            }
        } else if more {
            scheduleNextArrival(engine: &engine)
        } else {
            last = true
        }
        progressCountdown -= 1
        if progressCountdown == 0 {
            progressCountdown = progressStep
            if let progress = options.progress {
                let total = Double(totalArrivals ?? max(1, Int(Double(arrivalEndNs) / 1e9 * max(currentRate, 1))))
                progress(min(1, Double(arrivalsGenerated) / total))
            }
        }

        // The connection's client, request count and demand, in arrival order.
        let client: UInt32
        if let address = logged?.client, case .v4(let raw) = address {
            client = raw &- clientBase < UInt32(clientCount) ? raw &- clientBase : UInt32(truncatingIfNeeded: Int(raw) % clientCount)
        } else if let rows = zipfRows {
            // A two-arrival pipeline: the uniform of the arrival after next is drawn now and
            // the alias-table row it selects prefetched; the next arrival's rank is read
            // from its row (prefetched one arrival ago) and its client's port counter
            // prefetched. The stream is consumed in the same order, so every rank is the one
            // `ZipfDistribution.rank(using:)` would give. (`zipfRows` reads the table of
            // `zipf` in place: no reference is retained per arrival.)
            let ahead = clientsAhead ?? {
                let first = rows.index(forUniform: clientStream.uniformHalfOpen())
                let u = clientStream.uniformHalfOpen()
                rows.prefetch(forUniform: u)
                return (first, u)
            }()
            client = UInt32(ahead.rank)
            let nextRank = rows.index(forUniform: ahead.uniform)
            lvssim_prefetch(nextPort.storage.base + nextRank)
            let afterNext = clientStream.uniformHalfOpen()
            rows.prefetch(forUniform: afterNext)
            clientsAhead = (nextRank, afterNext)
        } else {
            client = clientCount > 1 ? clientStream.uniformInt(below: UInt32(clientCount)) : 0
        }
        var work: Double
        if let seconds = logged?.demandSeconds {
            work = seconds
        } else {
            let count = requests.map { max(1, Int($0.sample(using: requestStream).rounded())) } ?? 1
            work = 0
            for _ in 0..<count { work += demand.sample(using: demandStream) }
        }
        let slot = allocateSlot()
        let port = nextPort[Int(client)]
        nextPort[Int(client)] = port == 65535 ? 1024 : port + 1
        let demandNs = Int64(max(0, work) * 1e9)
        let flags = measuring ? ConnFlag.measured : 0
        conns[slot].arrival = now
        conns[slot].demand = demandNs
        conns[slot].client = client
        conns[slot].port = port
        conns[slot].sequence = Int32(truncatingIfNeeded: index)
        conns[slot].flags = flags
        conns[slot].attempts = 0
        result.arrived += 1
        if measuring {
            result.measured += 1
            measuredOutstanding += 1
        }
        sendSYN(slot: slot, engine: &engine)
        if last { endArrivals(engine: &engine) }
    }

    mutating func endArrivals(engine: inout Engine) {
        guard !arrivalsDone else { return }
        arrivalsDone = true
        closeWindow(now: engine.now.nanoseconds)
        if measuredOutstanding == 0 { engine.stop() }
    }

    mutating func beginMeasuring(now: Int64) {
        for server in 0..<serverCount { integrate(server, now: now) }
        for server in 0..<serverCount {
            clock[server].areaActive = 0
            clock[server].areaInactive = 0
            clock[server].areaBusy = 0
            clock[server].areaInSystem = 0
            clock[server].maxActive = clock[server].lastActive
            departures[server] = 0
            sojournSum[server] = 0
        }
        measuring = true
        windowStart = now
    }

    mutating func closeWindow(now: Int64) {
        guard windowEnd < 0 else { return }
        for server in 0..<serverCount { integrate(server, now: now) }
        windowEnd = now
    }

    var inWindow: Bool { measuring && windowEnd < 0 }
}
