import LVSModel
import Schedulers

// The packet level: each host's IP layer (input, routing, output).
extension ClusterModel {
    // MARK: Hosts' IP layer

    @inline(__always)
    static func routeSlot(_ host: Int, _ destination: UInt32) -> Int {
        Int(truncatingIfNeeded: ((UInt64(destination) << 8 | UInt64(host)) &* 0x9E37_79B9_7F4A_7C15) >> 49)
    }

    /// A cached route lookup (configurations do not change during a run).
    @inline(__always)
    mutating func route(_ host: Int, to destination: IPAddress) -> CachedRoute? {
        let key = RouteKey(destination)
        let slot = Self.routeSlot(host, key.raw)
        if pk.routeFront[slot].host == Int32(host) && pk.routeFront[slot].destination == key.raw, let cached = pk.routeFront[slot].route {
            return cached
        }
        if let cached = pk.routes[host][key] {
            pk.routeFront[slot] = RouteFrontEntry(host: Int32(host), destination: key.raw, route: cached)
            return cached
        }
        guard let cached = resolveRoute(host, to: destination) else { return nil }
        if pk.routes[host].count >= PacketLevelState.memoLimit { pk.routes[host].removeAll(keepingCapacity: true) }
        pk.routes[host][key] = cached
        pk.routeFront[slot] = RouteFrontEntry(host: Int32(host), destination: key.raw, route: cached)
        return cached
    }

    /// ``NetworkHost/route(to:)`` with the host's routing table built once,
    /// keeping what the packet path uses (not the source address).
    mutating func resolveRoute(_ host: Int, to destination: IPAddress) -> CachedRoute? {
        let h = pk.hosts[host]
        if h.isLocal(destination) {
            let device = h.interface(owning: destination)?.name ?? "lo"
            return CachedRoute(
                decision: CachedDecision(nextHop: destination, isLocal: true, mtu: h.interface(named: "lo")?.mtu ?? 65536),
                port: pk.portOfDevice[host][device] ?? -1)
        }
        guard let route = pk.routingTables[host].lookup(destination), let device = h.interface(named: route.interface) else {
            return nil
        }
        return CachedRoute(
            decision: CachedDecision(nextHop: route.gateway ?? destination, isLocal: false, mtu: device.mtu),
            port: pk.portOfDevice[host][device.name] ?? -1)
    }

    /// The MAC of an inbound template's next hop from the director's ARP cache
    /// (nil: the slow path ARPs), remembered in the template as ``nextHopMAC`` does.
    @inline(__always)
    mutating func templateMAC(_ server: Int, _ template: InboundTemplate, now: SimTime) -> MACAddress? {
        let host = Self.directorHost
        if template.macGeneration == pk.arpGeneration[host] && now.nanoseconds < template.macValidUntil { return template.mac }
        guard let entry = pk.arp[host].entries[template.nextHop], let mac = entry.mac,
            now - entry.updated < pk.arp[host].reachableTime
        else { return nil }
        pk.inboundTemplates[server]!.mac = mac
        pk.inboundTemplates[server]!.macValidUntil = entry.updated.nanoseconds + pk.arp[host].reachableTime.nanoseconds
        pk.inboundTemplates[server]!.macGeneration = pk.arpGeneration[host]
        return mac
    }

    /// The receiving port of a frame for `destination` on `segment` (the switch's table), or nil.
    @inline(__always)
    func portOfMAC(_ destination: MACAddress, segment: Int) -> Int32? {
        var index = Int(pk.macStart[segment])
        let end = Int(pk.macStart[segment + 1])
        let raw = destination.rawValue
        while index < end {
            if pk.macPorts[index].mac == raw { return pk.macPorts[index].port }
            index += 1
        }
        return nil
    }

    /// The MAC of the route's next hop from `host`'s ARP cache (nil: must ARP),
    /// remembered in the route cache until the entry's reachable time runs out
    /// or the cache changes.
    @inline(__always)
    mutating func nextHopMAC(_ host: Int, destination: IPAddress, route: CachedRoute, now: SimTime) -> MACAddress? {
        if route.macGeneration == pk.arpGeneration[host] && now.nanoseconds < route.macValidUntil { return route.mac }
        let nextHop = route.decision.nextHop
        guard let entry = pk.arp[host].entries[nextHop], let mac = entry.mac,
            now - entry.updated < pk.arp[host].reachableTime
        else { return nil }
        var updated = route
        updated.mac = mac
        updated.macValidUntil = entry.updated.nanoseconds + pk.arp[host].reachableTime.nanoseconds
        updated.macGeneration = pk.arpGeneration[host]
        let key = RouteKey(destination)
        pk.routes[host][key] = updated
        pk.routeFront[Self.routeSlot(host, key.raw)] = RouteFrontEntry(host: Int32(host), destination: key.raw, route: updated)
        return mac
    }

    static let forwardedFields: [PacketField] = [.ethernetSource, .ethernetDestination, .ttl, .ipChecksum]
    static let natReplyFields: [PacketField] = [
        .ethernetSource, .ethernetDestination, .ipSource, .ttl, .ipChecksum, .sourcePort, .transportChecksum,
    ]
    static let natReplySamePortFields: [PacketField] = [
        .ethernetSource, .ethernetDestination, .ipSource, .ttl, .ipChecksum, .transportChecksum,
    ]

    /// ``PacketReceiver/receive(_:on:host:)`` for a frame that arrived on `port`,
    /// remembered by addresses (the switch only hands a device frames for its MAC).
    @inline(__always)
    mutating func receiveVerdict(_ packet: Packet, port: Int) -> ReceiveMemo {
        guard case .v4(let source) = packet.ip.source, case .v4(let destination) = packet.ip.destination else {
            return Self.memo(PacketReceiver.receive(
                packet, on: pk.ports[port].device, host: pk.hosts[Int(pk.ports[port].host)],
                routingTable: pk.routingTables[Int(pk.ports[port].host)]))
        }
        var key = ReceiveKey(port: Int32(port), hasOuter: false, outerSource: 0, outerDestination: 0, source: source, destination: destination)
        if let outer = packet.outer, case .v4(let a) = outer.source, case .v4(let b) = outer.destination {
            key.hasOuter = true
            key.outerSource = a
            key.outerDestination = b
        }
        let slot = key.slot
        if pk.receiveFront[slot].key == key { return pk.receiveFront[slot].memo }
        if let memo = pk.receiveMemo[key] {
            pk.receiveFront[slot] = ReceiveFrontEntry(key: key, memo: memo)
            return memo
        }
        let memo = Self.memo(PacketReceiver.receive(
                packet, on: pk.ports[port].device, host: pk.hosts[Int(pk.ports[port].host)],
                routingTable: pk.routingTables[Int(pk.ports[port].host)]))
        // A pure cache: emptied when full, so memory stays bounded with many distinct clients.
        if pk.receiveMemo.count >= PacketLevelState.memoLimit { pk.receiveMemo.removeAll(keepingCapacity: true) }
        pk.receiveMemo[key] = memo
        pk.receiveFront[slot] = ReceiveFrontEntry(key: key, memo: memo)
        return memo
    }

    static func memo(_ verdict: ReceiveVerdict) -> ReceiveMemo {
        switch verdict {
        case .deliver: return .deliver
        case .forward: return .forward
        case .drop(let reason): return .drop(reason)
        }
    }

    /// Sends a packet `host` originates (source already set) by its route.
    mutating func originate(
        _ host: Int, _ packet: Packet, flow: UInt64, engine: inout Engine, note: (ClusterModel) -> String
    ) {
        guard let route = route(host, to: packet.ip.destination), !route.decision.isLocal else {
            self.note(flow) { m in "\(m.pk.names[host]): no route to \(packet.ip.destination)" }
            return
        }
        if route.port >= 0, let mac = nextHopMAC(host, destination: packet.ip.destination, route: route, now: engine.now) {
            var packet = packet
            packet.ethernet = EthernetHeader(source: pk.ports[Int(route.port)].mac, destination: mac)
            let frame = newFrame(Frame(packet: packet, arp: nil, flow: flow, hop: -1))
            transmit(frame, port: Int(route.port), rewritten: [], engine: &engine, note: note)
            return
        }
        send(packet, host: host, port: route.port, nextHop: route.decision.nextHop, flow: flow, rewritten: [], engine: &engine, note: note)
    }

    /// Ordinary IP forwarding (router, or a host with `ip_forward=1`).
    mutating func forward(_ packet: Packet, host: Int, arrival: String, flow: UInt64, hop: Int32, engine: inout Engine) {
        var packet = packet
        var header = packet.routingHeader
        guard header.ttl > 1 else {
            note(hop: hop) { m in "dropped at \(m.pk.names[host]): \(DropReason.ttlExpired.explanation)" }
            if packet.outer == nil {
                let source = pk.hosts[host].selectSourceAddress(on: arrival, toward: header.source) ?? header.destination
                let error = packet.icmpError(.timeExceeded, from: source)
                originate(host, error, flow: flow, engine: &engine) { m in "\(m.pk.names[host]): ICMP time exceeded" }
            }
            return
        }
        guard let route = route(host, to: header.destination), !route.decision.isLocal else {
            note(hop: hop) { m in "dropped at \(m.pk.names[host]): no route to \(header.destination)" }
            return
        }
        let decision = route.decision
        if header.dontFragment && packet.ipLength > decision.mtu {
            note(hop: hop) { m in "dropped at \(m.pk.names[host]): \(DropReason.fragmentationNeeded(mtu: decision.mtu).explanation)" }
            if packet.outer == nil {
                let source = pk.hosts[host].selectSourceAddress(on: arrival, toward: header.source) ?? header.destination
                let error = packet.icmpError(.fragmentationNeeded(nextHopMTU: decision.mtu), from: source)
                originate(host, error, flow: flow, engine: &engine) { m in "\(m.pk.names[host]): ICMP fragmentation needed (MTU \(decision.mtu))" }
            }
            return
        }
        header.ttl -= 1
        packet.routingHeader = header
        if route.port >= 0, let mac = nextHopMAC(host, destination: header.destination, route: route, now: engine.now) {
            packet.ethernet = EthernetHeader(source: pk.ports[Int(route.port)].mac, destination: mac)
            let frame = newFrame(Frame(packet: packet, arp: nil, flow: flow, hop: -1))
            transmit(frame, port: Int(route.port), rewritten: Self.forwardedFields, engine: &engine) { m in "\(m.pk.names[host]): forwards" }
            return
        }
        send(
            packet, host: host, port: route.port, nextHop: decision.nextHop, flow: flow, rewritten: Self.forwardedFields,
            engine: &engine
        ) { m in "\(m.pk.names[host]): forwards" }
    }

    /// Puts `packet` on device `device` of `host` toward `nextHop`, resolving
    /// the next hop's MAC with ARP first if the cache has no usable entry.
    mutating func send(
        _ packet: Packet, host: Int, device: String, nextHop: IPAddress, flow: UInt64, rewritten: [PacketField],
        engine: inout Engine, note: (ClusterModel) -> String
    ) {
        send(
            packet, host: host, port: pk.portOfDevice[host][device] ?? -1, nextHop: nextHop, flow: flow, rewritten: rewritten,
            engine: &engine, note: note)
    }

    /// ``send(_:host:device:nextHop:flow:rewritten:engine:note:)`` with the device's port known (-1: none).
    mutating func send(
        _ packet: Packet, host: Int, port: Int32, nextHop: IPAddress, flow: UInt64, rewritten: [PacketField],
        engine: inout Engine, note: (ClusterModel) -> String
    ) {
        guard port >= 0 else {
            self.note(flow) { m in "\(m.pk.names[host]): the route's device is on no segment, packet lost" }
            return
        }
        var packet = packet
        packet.ethernet.source = pk.ports[Int(port)].mac
        packet.ethernet.etherType = .ipv4
        let frame: Int32
        if let mac = pk.arp[host].lookup(nextHop, at: engine.now) {
            packet.ethernet.destination = mac
            frame = newFrame(Frame(packet: packet, arp: nil, flow: flow, hop: -1))
            transmit(frame, port: Int(port), rewritten: rewritten, engine: &engine, note: note)
        } else {
            packet.ethernet.destination = .zero
            frame = newFrame(Frame(packet: packet, arp: nil, flow: flow, hop: -1))
            if pk.tracing && flow == pk.traceFlow { pk.heldNotes[frame] = (note(self), rewritten) }
            resolve(nextHop, host: host, port: Int(port), frame: frame, source: packet.routingHeader.source, engine: &engine)
        }
    }
}
