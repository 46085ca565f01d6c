import Foundation
import LVSModel
import Schedulers
@preconcurrency import CGSL

extension ClusterModel {
    // Director

    /// A SYN from the client reaches the director (first or retransmitted).
    mutating func sendSYN(slot: Int, engine: inout Engine) {
        if pk.enabled { return packetSendSYN(slot: slot, engine: &engine) }
        let now = engine.now.nanoseconds
        var server: Int
        // The connection's director entry (found or just created).
        let entry: ConnectionID
        // Whether the real server's listener takes the SYN (backlog not full).
        let accepts: Bool
        // Whether the entry's timer was armed for the SYN. When not, the director already
        // ran the handshake's ACK in the SYN's call (see below), and `expiryAfterACK` is
        // the entry's expiry after it.
        var synArmed = true
        var expiryAfterACK: Int64 = 0
        if let id = entryID(slot) {
            // A retransmission matches the connection's entry: the kernel reuses
            // it (same real server), re-running the SYN through the state machine.
            entry = id
            server = Int(conns[slot].server)
            accepts = inSystem[server] < acceptLimit[server]
            let expiry = director.receive(id, flags: .syn, direction: .input, now: now)
            armTimer(of: id, expiry: expiry, engine: &engine)
            sync(server, now: now)
        } else {
            if let recorder {
                recorder.connect(id: Int(conns[slot].sequence), now: now, client: clientEndpoint(slot), vip: vip, servers: director.table.services[serviceIndex].servers)
                if isPersistent {
                    let template = director.templateID(serviceIndex: serviceIndex, proto: .tcp, client: clientEndpoint(slot), destination: vip)
                        .map { director.connections[$0] }
                    recorder.template(template.map { Endpoint(address: $0.destination.address, port: $0.serverPort) })
                }
            }
            // The handshake completes at once when the chosen server accepts (no network
            // delay): SYN-ACK out (NAT only), ACK in. The SYN-ACK leaves the entry as it
            // is at zero delay (SYN_RECV → SYN_RECV, same expiry), so only the ACK goes
            // to the director, in the same call as the SYN. Persistent services run it
            // apart, keeping the SYN_RECV timer's place among their template timers.
            // Plain pointers: a closure holding the arrays would retain them per call.
            // (A server of another service, refused below, is never this model's.)
            let inSystem = self.inSystem.storage.base, limit = acceptLimit.storage.base, count = serverCount
            let runsACK = !isPersistent
            let outcome = director.connect(
                proto: .tcp, client: clientEndpoint(slot), destination: vip, flags: .syn, now: now, indexed: indexed
            ) { chosen in
                runsACK && chosen < count && inSystem[chosen] < limit[chosen] ? (.ack, .input) : nil
            }
            guard let s = outcome.connection, let id = s.id, s.serviceIndex == serviceIndex else {
                recorder?.chosen(nil)
                result.icmpRefusals += 1
                if retryRefused && Int(conns[slot].attempts) < synRetries {
                    scheduleRetry(slot, engine: &engine)
                } else {
                    clientFinished(slot: slot, outcome: .refused, engine: &engine)
                }
                return
            }
            recorder?.chosen(director.table.services[serviceIndex].servers[s.serverIndex].endpoint)
            server = s.serverIndex
            entry = id
            attach(id, to: slot, server: server)
            if conns[slot].flags & ConnFlag.measured != 0 { boundConnections[server] += 1 }
            // The SYN_RECV timer matters only when the SYN goes unanswered (backlog full):
            // an accepted SYN's ACK follows at the same instant and moves the entry on
            // (`armEstablished`). Persistent services keep every timer in its usual order
            // (their template timers may fall due at the same instants).
            accepts = inSystem[server] < acceptLimit[server]
            synArmed = isPersistent || !accepts
            if synArmed {
                armTimer(of: id, expiry: s.expiresAtNanoseconds, engine: &engine)
            } else {
                expiryAfterACK = s.expiresAtNanoseconds
            }
            sync(server, now: now)
            if isPersistent { watchTemplate(slot: slot, engine: &engine) }
        }
        // The real server's listener: accept, or drop the SYN when the backlog is full.
        guard accepts else {
            result.synDrops += 1
            if inWindow { serverDrops[server] += 1 }
            scheduleRetry(slot, engine: &engine)
            return
        }
        // The handshake completes (no network delay): SYN-ACK out (NAT only), ACK in
        // (run with the SYN above for a new entry of a plain service; its counters are
        // synced already).
        let expiry = synArmed ? director.receive(entry, flags: .ack, direction: .input, now: now) : expiryAfterACK
        let serviceNanoseconds = isPS[server] ? nil : serviceTime(slot, server: server)
        if synArmed {
            armTimer(of: entry, expiry: expiry, engine: &engine)
            sync(server, now: now)
        } else {
            armEstablished(slot, server: server, serviceNanoseconds: serviceNanoseconds, expiry: expiry, engine: &engine)
        }
        accept(slot: slot, server: server, serviceNanoseconds: serviceNanoseconds, engine: &engine)
    }

    /// The timer of an entry just accepted by its real server (ESTABLISHED, 900 s by
    /// default). The next packet the director sees for it is the client's FIN when the
    /// server is done, which re-arms the timer; so a timer is needed only if the entry
    /// could run out before that. At a FCFS server the connection is gone by
    /// `now + pendingWork + its own service time`: while it waits, every worker serves
    /// work that is ahead of it, and `pendingWork` counts all of that work whole. When
    /// that bound comes first, no timer is armed (at 80% load the bound is well under a
    /// second against 900 s, so nearly every connection saves a timer event).
    /// Processor sharing, where later arrivals slow a connection down, arms as usual
    /// (`serviceNanoseconds` is nil there).
    @inline(__always)
    mutating func armEstablished(_ slot: Int, server: Int, serviceNanoseconds: Int64?, expiry: Int64, engine: inout Engine) {
        if let serviceNanoseconds, engine.now.nanoseconds + pendingWork[server] + serviceNanoseconds < expiry {
            return
        }
        arm(slot, expiry: expiry, engine: &engine)
    }

    /// The SYN got no answer: retransmit after 1 s, 2 s, 4 s, … (`tcp_syn_retries`), then give up.
    mutating func scheduleRetry(_ slot: Int, engine: inout Engine) {
        let attempt = Int(conns[slot].attempts)
        conns[slot].attempts = UInt8(min(255, attempt + 1))
        let delay = SimDuration.seconds(1 << min(attempt, 30))
        let kind = attempt < synRetries ? EventKind.synRetry : EventKind.giveUp
        engine.schedule(Event(kind: kind, a: UInt32(slot), b: conns[slot].generation), after: delay)
    }

    /// Keeps the director's entry timer for the connection in `slot` (see ``armTimer(of:expiry:engine:)``).
    @inline(__always)
    mutating func arm(_ slot: Int, expiry: Int64, engine: inout Engine) {
        guard let id = conns[slot].entry else { return }
        armTimer(of: id, expiry: expiry, engine: &engine)
    }

    /// Records that the client connection in `slot` holds director entry `id`. The timer
    /// record of the entry's table slot changes hands: a client slot still holding that
    /// table slot's entry lets go of it (the packet level: a reused client port finding its
    /// old entry, or a table slot freed by a rescheduled entry and handed to a new one), and
    /// a pending timer of the same entry is kept.
    @inline(__always)
    mutating func attach(_ id: ConnectionID, to slot: Int, server: Int) {
        conns[slot].entry = id
        conns[slot].server = Int32(server)
        let index = Int(id.slot)
        while entryTimers.count <= index { entryTimers.append(EntryTimer()) }
        let previous = entryTimers[index]
        let other = Int(previous.connection)
        if other >= 0 && other != slot, let held = conns[other].entry, held.slot == id.slot {
            conns[other].entry = nil
            releaseIfDone(other)
        }
        let pending = previous.generation == id.generation ? previous.at : .max
        entryTimers[index] = EntryTimer(at: pending, connection: Int32(slot), generation: id.generation, server: Int32(server))
    }

    /// The client side is done with `slot` while its director entry lives on (TIME_WAIT,
    /// FIN_WAIT, …): at connection level nothing reads the slot again, so it is freed now
    /// and the entry's timer carries on alone. (The packet level keeps the slot: late
    /// segments of the close still look it up.)
    @inline(__always)
    mutating func detachEntry(from slot: Int) {
        guard let id = conns[slot].entry else { return }
        if Int(id.slot) < entryTimers.count, entryTimers[Int(id.slot)].generation == id.generation {
            entryTimers[Int(id.slot)].connection = -1
        }
        conns[slot].entry = nil
    }

    /// Keeps the timer of director entry `id`: `expiry` is when the entry runs out unless
    /// re-armed. Timers live by entry, not by client connection (an event carries the
    /// entry's slot and generation), so expiring an entry touches only its table record
    /// and its timer record. Timers whose delay is a fixed state timeout go to that
    /// duration's FIFO list; an entry holds one live timer (`EntryTimer.at`), older ones
    /// are ignored when they come up, and ``IPVSDirector/expireEntry(_:now:)`` answers
    /// `.notDue` when a later packet moved the expiry, which re-arms.
    @inline(__always)
    mutating func armTimer(of id: ConnectionID, expiry: Int64, engine: inout Engine) {
        let now = engine.now.nanoseconds
        let delay = expiry - now
        assert(Int(id.slot) < entryTimers.count && entryTimers[Int(id.slot)].generation == id.generation, "armTimer: entry not attached")
        let record = entryTimers.storage.base + Int(id.slot)
        let event = Event(kind: EventKind.entryTimer, a: UInt32(bitPattern: id.slot), b: id.generation)
        let fixedList = timerLists.withUnsafeBufferPointer { lists in
            for list in lists where list.nanoseconds == delay { return list.id as TimerListID? }
            return nil
        }
        if let fixedList {
            record.pointee.at = expiry
            engine.schedule(event, in: fixedList)
            return
        }
        if record.pointee.at <= expiry { return }  // the live timer fires first and re-arms
        if delay > guardNanoseconds {
            record.pointee.at = now + guardNanoseconds
            engine.schedule(event, in: guardList)
        } else {
            record.pointee.at = expiry
            engine.schedule(event, at: SimTime(nanoseconds: expiry))
        }
    }

    mutating func entryTimer(entrySlot: Int32, generation: UInt32, engine: inout Engine) {
        let now = engine.now.nanoseconds
        let index = Int(entrySlot)
        guard index < entryTimers.count, entryTimers[index].generation == generation, entryTimers[index].at == now else { return }
        entryTimers[index].at = .max
        let id = ConnectionID(rawSlot: entrySlot, generation: generation)
        let status = director.expireEntry(id, now: now)
        switch status {
        case .removed, .stale:
            if status == .removed {
                // The table hands this slot to its next new entry, which writes its address
                // record whole (two cache lines last written a timeout ago): fetch them now.
                director.connections.withAddressRecordAddress(ofSlot: entrySlot) { record in
                    lvssim_prefetch(record)
                    lvssim_prefetch(record + 64)
                }
            }
            sync(Int(entryTimers[index].server), now: now)
            // The client slot lets go, unless it has moved on to another entry meanwhile.
            let slot = Int(entryTimers[index].connection)
            if slot >= 0 && conns[slot].entry == id {
                conns[slot].entry = nil
                releaseIfDone(slot)
            }
        case .notDue(let at), .rearmed(let at):
            armTimer(of: id, expiry: at, engine: &engine)
        }
    }

    /// Persistence: the template's timer is driven like an entry's.
    mutating func watchTemplate(slot: Int, engine: inout Engine) {
        guard let template = director.templateID(serviceIndex: serviceIndex, proto: .tcp, client: clientEndpoint(slot), destination: vip) else { return }
        if templateTimers[template.slot] != nil { return }
        let expiry = director.connections[template].expiresAtNanoseconds
        templateTimers[template.slot] = (template, expiry)
        engine.schedule(Event(kind: EventKind.templateTimer, a: UInt32(bitPattern: template.slot)), at: SimTime(nanoseconds: expiry))
    }

    mutating func templateTimer(slot: Int32, engine: inout Engine) {
        guard let (id, at) = templateTimers[slot], at == engine.now.nanoseconds else { return }
        let server = director.connections.isValid(id) ? director.locateServer(of: id)?.1 : nil
        switch director.expireEntry(id, now: at) {
        case .removed, .stale:
            templateTimers[slot] = nil
            if let server { sync(server, now: at) }
        case .notDue(let next), .rearmed(let next):
            templateTimers[slot] = (id, next)
            engine.schedule(Event(kind: EventKind.templateTimer, a: UInt32(bitPattern: slot)), at: SimTime(nanoseconds: next))
        }
    }

    /// Brings server `server`'s time-weighted counters up to `now` and reads the director's.
    @inline(__always)
    mutating func sync(_ server: Int, now: Int64) {
        let real = director.table.services[serviceIndex].servers[server]
        let active = real.activeConnections
        let inactive = real.inactiveConnections
        let window = integrationWindow(now: now)
        let busyNow = busy[server]
        let inSystemNow = inSystem[server]
        clock[server].sync(active: active, inactive: inactive, now: now, window: window, busy: busyNow, inSystem: inSystemNow)
    }

    @inline(__always)
    mutating func integrate(_ server: Int, now: Int64) {
        let window = integrationWindow(now: now)
        let busyNow = busy[server]
        let inSystemNow = inSystem[server]
        clock[server].integrate(now: now, window: window, busy: busyNow, inSystem: inSystemNow)
    }

    /// Where integration up to `now` stops (nil: not measuring).
    @inline(__always)
    func integrationWindow(now: Int64) -> Int64? {
        measuring ? (windowEnd >= 0 ? min(now, windowEnd) : now) : nil
    }
}

extension ClusterModel.ServerClock {
    /// Integrates the counters up to `now` (areas only up to `end`, when measuring).
    @inline(__always)
    mutating func integrate(now: Int64, window end: Int64?, busy: Int, inSystem: Int) {
        let start = lastTime
        if let end, end > start {
            let dt = Double(end - start)
            areaActive += Double(lastActive) * dt
            areaInactive += Double(lastInactive) * dt
            areaBusy += Double(busy) * dt
            areaInSystem += Double(inSystem) * dt
        }
        lastTime = max(start, now)
    }

    /// Takes the director's counters when they changed.
    @inline(__always)
    mutating func sync(active: Int32, inactive: Int32, now: Int64, window: Int64?, busy: Int, inSystem: Int) {
        if active != lastActive || inactive != lastInactive {
            integrate(now: now, window: window, busy: busy, inSystem: inSystem)
            lastActive = active
            lastInactive = inactive
            if active > maxActive { maxActive = active }
        }
    }
}
