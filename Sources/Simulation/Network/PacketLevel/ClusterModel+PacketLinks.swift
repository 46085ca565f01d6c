import LVSModel
import Schedulers

// The packet level: links (serialisation, latency, MTU) and the trace of one connection.
extension ClusterModel {
    // MARK: Links

    @inline(__always)
    mutating func newFrame(_ frame: Frame) -> Int32 {
        if let index = pk.freeFrames.popLast() {
            pk.frames[Int(index)] = frame
            return index
        }
        pk.frames.append(frame)
        return Int32(pk.frames.count - 1)
    }

    @inline(__always)
    mutating func freeFrame(_ index: Int32) { pk.freeFrames.append(index) }

    /// Queues frame `frame` on `port`'s FIFO: serialisation at the segment's
    /// bandwidth (`max(60, frame bytes) × 8 / bits per second`), then its latency.
    mutating func transmit(
        _ frame: Int32, port: Int, rewritten: [PacketField], delay: Int64 = 0, engine: inout Engine, note: (ClusterModel) -> String
    ) {
        let segment = Int(pk.ports[port].segment)
        let bytes: Int
        let destination: MACAddress
        if let arp = pk.frames[Int(frame)].arp {
            bytes = EthernetHeader.length + ARPPacket.length
            destination = arp.ethernet.destination
        } else {
            bytes = pk.frames[Int(frame)].packet.frameLength
            destination = pk.frames[Int(frame)].packet.ethernet.destination
        }
        let now = engine.now.nanoseconds
        // Remembered per segment for the last minimum-size and the last other frame size (ACKs / full segments).
        let wire = max(60, bytes)
        let memo = segment &* 2 &+ (wire == 60 ? 0 : 1)
        let serialisation: Int64
        if pk.serialisationBytes[memo] == wire {
            serialisation = pk.serialisationNanoseconds[memo]
        } else {
            serialisation = Int64((Double(wire * 8) / pk.segments[segment].bitsPerSecond * 1e9).rounded())
            pk.serialisationBytes[memo] = wire
            pk.serialisationNanoseconds[memo] = serialisation
        }
        let start = max(now + delay, pk.ports[port].busyUntil)
        pk.ports[port].busyUntil = start + serialisation
        let arrival = SimTime(nanoseconds: start + serialisation + pk.segments[segment].latencyNanoseconds)
        if destination.isBroadcast {
            if pk.tracing && (pk.frames[Int(frame)].flow == pk.traceFlow || pk.frames[Int(frame)].flow == PacketEventKind.announceFlow) {
                pk.frames[Int(frame)].hop = record(frame, port: port, to: "*", at: start, rewritten: rewritten, note: note(self))
            }
            let copy = pk.frames[Int(frame)]
            freeFrame(frame)
            for other in pk.segments[segment].attachments {
                guard let receiver = pk.portOfDevice[other.host][other.device], Int(receiver) != port else { continue }
                let index = newFrame(copy)
                engine.schedule(Event(kind: PacketEventKind.frameArrives, a: UInt32(bitPattern: index), b: UInt32(receiver)), at: arrival)
            }
            return
        }
        let receiver = portOfMAC(destination, segment: segment)
        if pk.tracing && pk.frames[Int(frame)].flow == pk.traceFlow {
            let name = receiver.map { pk.names[Int(pk.ports[Int($0)].host)] } ?? "?"
            var text = note(self)
            if receiver == nil { text += "; lost: no device with MAC \(destination) on \(pk.segments[segment].name)" }
            pk.frames[Int(frame)].hop = record(frame, port: port, to: name, at: start, rewritten: rewritten, note: text)
        }
        guard let receiver, Int(receiver) != port else {
            freeFrame(frame)
            return
        }
        engine.schedule(Event(kind: PacketEventKind.frameArrives, a: UInt32(bitPattern: frame), b: UInt32(receiver)), at: arrival)
    }

    mutating func frameArrives(_ index: Int32, port: Int, engine: inout Engine) {
        let i = Int(index)
        freeFrame(index)
        if pk.frames[i].arp != nil {
            let frame = pk.frames[i]
            arpReceive(frame.arp!, port: port, flow: frame.flow, hop: frame.hop, engine: &engine)
            return
        }
        let flow = pk.frames[i].flow
        let hop = pk.frames[i].hop
        let host = Int(pk.ports[port].host)
        switch host {
        case Self.directorHost:
            if natReplyInPlace(index, port: port, engine: &engine) { return }
            let packet = pk.frames[i].packet
            directorReceive(packet, port: port, flow: flow, hop: hop, engine: &engine)
        default:
            switch receiveVerdict(frame: i, port: port) {
            case .deliver:
                var packet = pk.frames[i].packet
                if packet.outer != nil { packet.outer = nil }
                if host == Self.clientsHost {
                    clientReceive(packet, flow: flow, hop: hop, engine: &engine)
                } else if pk.serverOfHost[host] >= 0 {
                    serverReceive(packet, host: host, flow: flow, hop: hop, engine: &engine)
                }
            case .forward:
                if forwardInPlace(index, host: host, engine: &engine) { return }
                let packet = pk.frames[i].packet
                forward(packet, host: host, arrival: pk.ports[port].device, flow: flow, hop: hop, engine: &engine)
            case .drop(let reason):
                note(hop: hop) { m in "dropped at \(m.pk.names[host]): \(reason.explanation)" }
            }
        }
    }

    /// ``receiveVerdict(_:port:)`` for the packet of frame `i`, read in place
    /// (the packet is copied only when the memo has no verdict yet).
    @inline(__always)
    mutating func receiveVerdict(frame i: Int, port: Int) -> ReceiveMemo {
        guard case .v4(let source) = pk.frames[i].packet.ip.source, case .v4(let destination) = pk.frames[i].packet.ip.destination
        else {
            let packet = pk.frames[i].packet
            return receiveVerdict(packet, port: port)
        }
        var key = ReceiveKey(port: Int32(port), hasOuter: false, outerSource: 0, outerDestination: 0, source: source, destination: destination)
        if pk.frames[i].packet.outer != nil {
            guard case .v4(let a) = pk.frames[i].packet.outer!.source, case .v4(let b) = pk.frames[i].packet.outer!.destination else {
                let packet = pk.frames[i].packet
                return receiveVerdict(packet, port: port)
            }
            key.hasOuter = true
            key.outerSource = a
            key.outerDestination = b
        }
        let slot = key.slot
        if pk.receiveFront[slot].key == key { return pk.receiveFront[slot].memo }
        let packet = pk.frames[i].packet
        return receiveVerdict(packet, port: port)
    }

    /// ``forward(_:host:arrival:flow:hop:engine:)``'s common case done on frame
    /// `index` in place (it just arrived and was freed; the new frame would take
    /// the same slot): TTL > 1, a route, fits the MTU, next hop resolved.
    /// Returns false, having changed nothing but caches, when `forward` must run.
    @inline(__always)
    mutating func forwardInPlace(_ index: Int32, host: Int, engine: inout Engine) -> Bool {
        let i = Int(index)
        guard pk.freeFrames.last == index else { return false }
        let hasOuter = pk.frames[i].packet.outer != nil
        let ttl = hasOuter ? pk.frames[i].packet.outer!.ttl : pk.frames[i].packet.ip.ttl
        let destination = hasOuter ? pk.frames[i].packet.outer!.destination : pk.frames[i].packet.ip.destination
        let dontFragment = hasOuter ? pk.frames[i].packet.outer!.dontFragment : pk.frames[i].packet.ip.dontFragment
        guard ttl > 1, let route = route(host, to: destination), !route.decision.isLocal,
            !(dontFragment && pk.frames[i].packet.ipLength > route.decision.mtu), route.port >= 0,
            let mac = nextHopMAC(host, destination: destination, route: route, now: engine.now)
        else { return false }
        pk.freeFrames.removeLast()
        if hasOuter { pk.frames[i].packet.outer!.ttl = ttl - 1 } else { pk.frames[i].packet.ip.ttl = ttl - 1 }
        pk.frames[i].packet.ethernet = EthernetHeader(source: pk.ports[Int(route.port)].mac, destination: mac)
        pk.frames[i].hop = -1
        transmit(index, port: Int(route.port), rewritten: Self.forwardedFields, engine: &engine) { m in "\(m.pk.names[host]): forwards" }
        return true
    }

    // MARK: Trace

    mutating func record(_ frame: Int32, port: Int, to: String, at time: Int64, rewritten: [PacketField], note: String) -> Int32 {
        let f = pk.frames[Int(frame)]
        let link = pk.segments[Int(pk.ports[port].segment)].name
        let from = pk.names[Int(pk.ports[port].host)]
        let hop: PacketHop
        if let arp = f.arp {
            hop = PacketHop(arp: arp, timeNanoseconds: time, link: link, from: from, to: to, note: note)
        } else {
            hop = PacketHop(packet: f.packet, timeNanoseconds: time, link: link, from: from, to: to, rewritten: rewritten, note: note)
        }
        pk.hops.append(hop)
        return Int32(pk.hops.count - 1)
    }

    /// Appends to the note of the hop that carried the frame (when tracing it).
    @inline(__always)
    mutating func note(hop: Int32, _ text: (ClusterModel) -> String) {
        guard pk.tracing, hop >= 0, Int(hop) < pk.hops.count else { return }
        let extra = text(self)
        pk.hops[Int(hop)].note += pk.hops[Int(hop)].note.isEmpty ? extra : "; " + extra
    }

    @inline(__always)
    mutating func note(frame: Int32, _ text: (ClusterModel) -> String) {
        guard pk.tracing else { return }
        note(hop: pk.frames[Int(frame)].hop, text)
    }

    /// Appends to the note of the traced connection's latest hop.
    @inline(__always)
    mutating func note(_ flow: UInt64, _ text: (ClusterModel) -> String) {
        guard pk.tracing, flow == pk.traceFlow, !pk.hops.isEmpty else { return }
        note(hop: Int32(pk.hops.count - 1), text)
    }
}
