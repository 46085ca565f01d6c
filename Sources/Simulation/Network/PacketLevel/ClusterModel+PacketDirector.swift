import LVSModel
import Schedulers

// The packet level: the director (IPVS on the packets it sees, NAT replies, forwarding).
extension ClusterModel {
    // MARK: Director

    mutating func directorReceive(_ packet: Packet, port: Int, flow: UInt64, hop: Int32, engine: inout Engine) {
        switch receiveVerdict(packet, port: port) {
        case .deliver:
            var delivered = packet
            delivered.outer = nil
            if case .tcp(let tcp) = delivered.transport, delivered.ip.destination == vip.address, tcp.destinationPort == vip.port {
                ipvsInbound(delivered, tcp: tcp, flow: flow, hop: hop, engine: &engine)
            } else if case .tcp(let tcp) = delivered.transport, !tcp.flags.contains(.rst) {
                note(hop: hop) { m in "director: no service at \(delivered.ip.destination):\(tcp.destinationPort), its stack answers RST" }
                sendReset(from: Self.directorHost, answering: delivered, tcp: tcp, flow: flow, engine: &engine)
            } else {
                note(hop: hop) { m in "director: delivered to its own stack" }
            }
        case .forward:
            if let id = natReplyEntry(packet, flow: flow) {
                ipvsReply(packet, entry: id, arrival: port, flow: flow, hop: hop, engine: &engine)
            } else {
                forward(packet, host: Self.directorHost, arrival: pk.ports[port].device, flow: flow, hop: hop, engine: &engine)
            }
        case .drop(let reason):
            if case .destinationNotLocal = reason, let id = natReplyEntry(packet, flow: flow) {
                ipvsReply(packet, entry: id, arrival: port, flow: flow, hop: hop, engine: &engine)
            } else {
                note(hop: hop) { m in "dropped at director: \(reason.explanation)" }
            }
        }
    }

    /// Re-arms the entry timer only when the new expiry comes before the
    /// pending timer: a later expiry is found by that timer (`.notDue`), which
    /// re-arms then — one timer event per entry instead of one per packet.
    @inline(__always)
    mutating func armEntry(_ slot: Int, expiry: Int64, engine: inout Engine) {
        guard let id = conns[slot].entry else { return }
        let at = entryTimers[Int(id.slot)].at
        if at != .max && at <= expiry { return }
        armTimer(of: id, expiry: expiry, engine: &engine)
    }

    /// The NAT entry a reply (RIP:rport → CIP:cport) belongs to, if any.
    func natReplyEntry(_ packet: Packet, flow: UInt64) -> ConnectionID? {
        guard packet.outer == nil, let slot = liveSlot(flow), let id = entryID(slot) else { return nil }
        let source = packet.ip.source, destination = packet.ip.destination
        let sourcePort = packet.transport.sourcePort, destinationPort = packet.transport.destinationPort
        let matches = director.connections.read(id) { entry in
            entry.forwarding == .masquerade && entry.destination.address == source
                && sourcePort == entry.destination.port && entry.client.address == destination
                && destinationPort == entry.client.port
        }
        return matches ? id : nil
    }

    mutating func ipvsInbound(_ packet: Packet, tcp: TCPHeader, flow: UInt64, hop: Int32, engine: inout Engine) {
        let now = engine.now.nanoseconds
        guard let slot = liveSlot(flow) else {
            note(hop: hop) { m in "director: no entry for this segment (stale)" }
            return
        }
        let id: ConnectionID
        if let existing = entryID(slot) {
            id = existing
            let expiry = director.receive(existing, flags: tcp.flags, direction: .input, now: now)
            armEntry(slot, expiry: expiry, engine: &engine)
            sync(Int(director.connections.readHot(existing) { $0.serverIndex }), now: now)
        } else if tcp.flags.contains(.syn) && !tcp.flags.contains(.ack) {
            let client = clientEndpoint(slot)
            if let recorder {
                recorder.connect(id: Int(conns[slot].sequence), now: now, client: client, vip: vip, servers: director.table.services[serviceIndex].servers)
            }
            let outcome = director.connect(proto: .tcp, client: client, destination: vip, flags: tcp.flags, now: now, indexed: indexed)
            guard let s = outcome.connection, let newID = s.id, s.serviceIndex == serviceIndex else {
                recorder?.chosen(nil)
                note(hop: hop) { m in "director: IPVS found no destination → ICMP port unreachable" }
                let error = packet.icmpError(.portUnreachable, from: vip.address)
                originate(Self.directorHost, error, flow: flow, engine: &engine) { m in "director: ICMP port unreachable to the client" }
                return
            }
            recorder?.chosen(director.table.services[serviceIndex].servers[s.serverIndex].endpoint)
            id = newID
            attach(newID, to: slot, server: s.serverIndex)
            arm(slot, expiry: s.expiresAtNanoseconds, engine: &engine)
            sync(s.serverIndex, now: now)
            if isPersistent { watchTemplate(slot: slot, engine: &engine) }
        } else {
            note(hop: hop) { m in "director: no IPVS entry for a non-SYN segment; its stack answers RST from the VIP" }
            sendReset(from: Self.directorHost, answering: packet, tcp: tcp, flow: flow, engine: &engine)
            return
        }
        // Single fields, not a copy of the whole entry.
        let (destination, method, server) = director.connections.read(id) { entry in
            (Endpoint(address: entry.destination.address, port: entry.serverPort == 0 ? entry.destination.port : entry.serverPort),
             entry.forwarding, Int(entry.serverIndex))
        }
        let note = { (m: ClusterModel) -> String in
            let name = server >= 0 && server < m.pk.hostOfServer.count ? m.pk.names[m.pk.hostOfServer[server]] : "\(destination)"
            return "director: IPVS \(Self.methodName(method)) → \(name) (\(m.pk.schedulerName)), entry \(m.director.connections[id].listingState)"
        }
        if server >= 0, server < pk.inboundTemplates.count, let template = pk.inboundTemplates[server],
            template.destination == destination, template.method == method, packet.outer == nil, packet.ip.ttl > 1,
            !(packet.ip.dontFragment && packet.innerLength > template.mtu),
            let mac = templateMAC(server, template, now: engine.now)
        {
            var out = packet
            out.ip.ttl -= 1
            switch method {
            case .masquerade:
                out.ip.destination = destination.address
                out.transport.destinationPort = destination.port
            case .tunnel:
                out.outer = IPv4Header(
                    source: template.outerSource ?? .v4(0), destination: destination.address, ttl: out.ip.ttl, protocol: .ipip,
                    dontFragment: pk.forwarder.isPMTUDiscoveryEnabled && packet.ip.dontFragment,
                    totalLength: out.innerLength + IPv4Header.length)
            default:
                break
            }
            out.ethernet = EthernetHeader(source: template.sourceMAC, destination: mac)
            let frame = newFrame(Frame(packet: out, arp: nil, flow: flow, hop: -1))
            transmit(frame, port: Int(template.port), rewritten: template.rewritten, engine: &engine, note: note)
            return
        }
        let route = route(Self.directorHost, to: destination.address)
        if let nextHop = route?.decision.nextHop {
            pk.forwarder.neighbours[nextHop] = pk.arp[Self.directorHost].lookup(nextHop, at: engine.now) ?? .zero
        }
        let forwarded = pk.forwarder.forwardInbound(packet, to: destination, method: method)
        if server >= 0, let route, route.port >= 0, !route.decision.isLocal, forwarded.drop == nil, forwarded.warnings.isEmpty,
            forwarded.transmissions.count == 1, let out = forwarded.transmissions.first?.packet
        {
            while pk.inboundTemplates.count <= server { pk.inboundTemplates.append(nil) }
            let tunnelMTU = pk.forwarder.isPMTUDiscoveryEnabled ? route.decision.mtu - DirectorForwarder.ipipOverhead : Int.max
            pk.inboundTemplates[server] = InboundTemplate(
                destination: destination, method: method, port: route.port, sourceMAC: pk.ports[Int(route.port)].mac,
                nextHop: route.decision.nextHop, mtu: method == .tunnel ? tunnelMTU : route.decision.mtu,
                outerSource: out.outer?.source, rewritten: forwarded.rewrittenFields)
        }
        emit(forwarded, host: Self.directorHost, flow: flow, hop: hop, engine: &engine) { m in
            let name = server >= 0 && server < m.pk.hostOfServer.count ? m.pk.names[m.pk.hostOfServer[server]] : "\(destination)"
            return "director: IPVS \(Self.methodName(method)) → \(name) (\(m.pk.schedulerName)), entry \(m.director.connections[id].listingState)"
        }
    }

    /// The director's commonest arrival, a NAT reply (RIP:rport → CIP:cport)
    /// that ``ipvsReply`` sends on by its fast path, done on the arrived frame
    /// in place (``directorReceive`` → ``ipvsReply`` without Packet copies).
    /// Returns false, having changed nothing but caches, when the general path must run.
    mutating func natReplyInPlace(_ index: Int32, port: Int, engine: inout Engine) -> Bool {
        let i = Int(index)
        guard pk.freeFrames.last == index, pk.frames[i].packet.outer == nil,
            case .tcp(let tcp) = pk.frames[i].packet.transport
        else { return false }
        switch receiveVerdict(frame: i, port: port) {
        case .forward: break
        case .drop(.destinationNotLocal): break
        default: return false
        }
        let flow = pk.frames[i].flow
        guard let slot = liveSlot(flow), let id = entryID(slot) else { return false }
        let source = pk.frames[i].packet.ip.source
        let destination = pk.frames[i].packet.ip.destination
        let matches = director.connections.read(id) { entry in
            entry.forwarding == .masquerade && entry.destination.address == source
                && tcp.sourcePort == entry.destination.port && entry.client.address == destination
                && tcp.destinationPort == entry.client.port
        }
        guard matches else { return false }
        let ttl = pk.frames[i].packet.ip.ttl
        guard let route = route(Self.directorHost, to: destination), route.port >= 0, !route.decision.isLocal,
            route.port != Int32(port), pk.directorForwards, ttl > 1,
            !(pk.frames[i].packet.ip.dontFragment && pk.frames[i].packet.innerLength > route.decision.mtu),
            let mac = nextHopMAC(Self.directorHost, destination: destination, route: route, now: engine.now)
        else { return false }
        // From here on exactly ipvsReply's fast path (its bookkeeping first).
        let now = engine.now.nanoseconds
        let expiry = director.receive(id, flags: tcp.flags, direction: .output, now: now)
        armEntry(slot, expiry: expiry, engine: &engine)
        sync(Int(director.connections.readHot(id) { $0.serverIndex }), now: now)
        pk.freeFrames.removeLast()
        pk.frames[i].packet.ip.ttl = ttl - 1
        pk.frames[i].packet.ip.source = vip.address
        let samePort = tcp.sourcePort == vip.port
        pk.frames[i].packet.transport.sourcePort = vip.port
        pk.frames[i].packet.ethernet = EthernetHeader(source: pk.ports[Int(route.port)].mac, destination: mac)
        pk.frames[i].hop = -1
        transmit(index, port: Int(route.port), rewritten: samePort ? Self.natReplySamePortFields : Self.natReplyFields, engine: &engine) { m in
            "director: IPVS NAT reply, source → \(m.vip), entry \(m.director.connections[id].listingState)"
        }
        return true
    }

    mutating func ipvsReply(
        _ packet: Packet, entry id: ConnectionID, arrival: Int, flow: UInt64, hop: Int32, engine: inout Engine
    ) {
        let now = engine.now.nanoseconds
        if case .tcp(let tcp) = packet.transport, let slot = liveSlot(flow) {
            let expiry = director.receive(id, flags: tcp.flags, direction: .output, now: now)
            armEntry(slot, expiry: expiry, engine: &engine)
            sync(Int(director.connections.readHot(id) { $0.serverIndex }), now: now)
        }
        let route = route(Self.directorHost, to: packet.ip.destination)
        // route.port != arrival ⇔ the route's interface is not the arrival device (one port per device).
        if let route, route.port >= 0, !route.decision.isLocal, route.port != Int32(arrival),
            pk.directorForwards, packet.ip.ttl > 1,
            !(packet.ip.dontFragment && packet.innerLength > route.decision.mtu),
            let mac = nextHopMAC(Self.directorHost, destination: packet.ip.destination, route: route, now: engine.now)
        {
            // What forwardReply does when no redirect or ICMP is due.
            var out = packet
            out.ip.ttl -= 1
            out.ip.source = vip.address
            let samePort = packet.transport.sourcePort == vip.port
            out.transport.sourcePort = vip.port
            out.ethernet = EthernetHeader(source: pk.ports[Int(route.port)].mac, destination: mac)
            let frame = newFrame(Frame(packet: out, arp: nil, flow: flow, hop: -1))
            transmit(frame, port: Int(route.port), rewritten: samePort ? Self.natReplySamePortFields : Self.natReplyFields, engine: &engine) { m in
                "director: IPVS NAT reply, source → \(m.vip), entry \(m.director.connections[id].listingState)"
            }
            return
        }
        if let nextHop = route?.decision.nextHop {
            pk.forwarder.neighbours[nextHop] = pk.arp[Self.directorHost].lookup(nextHop, at: engine.now) ?? .zero
        }
        let result = pk.forwarder.forwardReply(packet, arrivingOn: pk.ports[arrival].device, virtualService: vip)
        emit(result, host: Self.directorHost, flow: flow, hop: hop, engine: &engine) { m in
            "director: IPVS NAT reply, source → \(m.vip), entry \(m.director.connections[id].listingState)"
        }
    }

    /// Sends what a forwarding transform produced: the forwarded packet (with
    /// `note`) and any ICMP it generated, or records its drop.
    mutating func emit(
        _ forwarding: ForwardingResult, host: Int, flow: UInt64, hop: Int32, engine: inout Engine, note: (ClusterModel) -> String
    ) {
        for (index, transmission) in forwarding.transmissions.enumerated() {
            let isForwarded = forwarding.drop == nil && index == forwarding.transmissions.count - 1
            if isForwarded {
                send(
                    transmission.packet, host: host, device: transmission.interface, nextHop: transmission.nextHop, flow: flow,
                    rewritten: forwarding.rewrittenFields, engine: &engine, note: note)
            } else {
                let kind = transmission.packet.transport.icmp.map { "\($0.kind)" } ?? "packet"
                send(
                    transmission.packet, host: host, device: transmission.interface, nextHop: transmission.nextHop, flow: flow,
                    rewritten: [], engine: &engine) { m in "\(m.pk.names[host]): ICMP \(kind) to \(transmission.packet.ip.destination)" }
            }
        }
        if let drop = forwarding.drop { self.note(hop: hop) { m in "dropped at \(m.pk.names[host]): \(drop.explanation)" } }
    }

    static func methodName(_ method: ForwardingMethod) -> String {
        switch method {
        case .masquerade: return "NAT"
        case .directRouting: return "DR"
        case .tunnel: return "TUN"
        case .local: return "local"
        }
    }
}
