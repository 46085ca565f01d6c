import LVSModel
import Schedulers

/// The packet level of the cluster model (`docs/packet-level.md`).
///
/// Every frame crosses the simulated segments: one event per frame arrival
/// (FIFO per sending device: serialisation `bytes × 8 / bandwidth`, then the
/// segment's latency). Hosts act with the network foundation's pure
/// functions — ``PacketReceiver`` (input path), ``ARPPolicy`` and
/// ``ARPCache`` (ARP), ``DirectorForwarder`` (IPVS transmit) — and the
/// director is the same ``IPVSDirector`` as at connection level, fed with the
/// flags of the packets it actually sees. The real servers' capacity model
/// is the connection level's (`accept`, FCFS/PS): a job starts when the
/// request's last segment arrives and its response segments leave when it
/// ends.
///
/// Client TCP: SYN (retransmitted after 1, 2, 4 … s, `syn_retries`), ACK,
/// the request in MSS segments (PSH on the last), ACKs every second response
/// segment, FIN when the last response byte is in, final ACK. The response
/// time is first SYN … last response byte. A segment from an address:port
/// with no socket is answered with RST; a RST from the service fails the
/// connection; ICMP fragmentation-needed lowers the client's MSS to
/// MTU − 40 and the request is sent again (PMTU discovery).
extension ClusterModel {
    static let clientsHost = NetworkTopology.clientsIndex
    static let routerHost = NetworkTopology.routerIndex
    static let directorHost = NetworkTopology.directorIndex
    /// A client that hears nothing for this long gives up (an established connection that hangs).
    static let clientIdleNanoseconds: Int64 = 120_000_000_000

    // MARK: Setup

    mutating func setUpPacketLevel(scenario: Scenario, replication: Int) throws(SimulationSetupError) {
        let topology = try NetworkTopology(scenario: scenario)
        let network = scenario.network!
        var state = PacketLevelState()
        state.enabled = true
        state.hosts = topology.hosts
        state.names = topology.hosts.map(\.name)
        state.segments = topology.segments
        state.portOfDevice = Array(repeating: [:], count: topology.hosts.count)
        state.portOfMAC = Array(repeating: [:], count: topology.segments.count)
        for (index, segment) in topology.segments.enumerated() {
            for attachment in segment.attachments {
                let mac = topology.hosts[attachment.host].interface(named: attachment.device)?.mac ?? .zero
                let port = Int32(state.ports.count)
                state.ports.append(
                    Port(host: Int32(attachment.host), segment: Int32(index), device: attachment.device, mac: mac, busyUntil: 0))
                state.portOfDevice[attachment.host][attachment.device] = port
                if let other = state.portOfMAC[index][mac] {
                    throw SimulationSetupError(
                        "network: \(topology.hosts[attachment.host].name) \(attachment.device) and \(topology.hosts[Int(state.ports[Int(other)].host)].name) have the same MAC \(mac) on segment \(segment.name)")
                }
                state.portOfMAC[index][mac] = port
            }
        }
        for index in topology.segments.indices {
            state.macStart.append(Int32(state.macPorts.count))
            for (mac, port) in state.portOfMAC[index].sorted(by: { $0.value < $1.value }) {
                state.macPorts.append(MACPort(mac: mac.rawValue, port: port))
            }
        }
        state.macStart.append(Int32(state.macPorts.count))
        state.routingTables = topology.hosts.map(\.routingTable)
        state.serialisationBytes = Array(repeating: -1, count: topology.segments.count * 2)
        state.serialisationNanoseconds = Array(repeating: 0, count: topology.segments.count * 2)
        state.directorForwards = topology.hosts[NetworkTopology.directorIndex].isForwardingEnabled
        // arp_accept (on any of the host's Ethernet devices, with all): gratuitous ARP may create entries.
        state.arp = topology.hosts.map { host in
            ARPCache(acceptsUnsolicited: host.interfaces.contains { $0.kind == .ethernet && host.effectiveSysctls(on: $0.name).arpAccept })
        }
        state.routeFront = Array(repeating: RouteFrontEntry(), count: PacketLevelState.frontSize)
        state.receiveFront = Array(repeating: ReceiveFrontEntry(), count: PacketLevelState.frontSize)
        state.arpGeneration = Array(repeating: 0, count: topology.hosts.count)
        state.pendingByHost = Array(repeating: [:], count: topology.hosts.count)
        state.routes = Array(repeating: [:], count: topology.hosts.count)
        state.serverOfHost = Array(repeating: -1, count: topology.hosts.count)
        let realServers = director.table.services[serviceIndex].servers
        for (index, real) in realServers.enumerated() {
            // The topology already found each scenario server's host (by its RIP).
            guard let spec = scenario.servers.firstIndex(where: { $0.endpoint.address == real.endpoint.address }) else {
                throw SimulationSetupError("real server \(real.endpoint) has no host in network.real_servers with that address")
            }
            let host = topology.hostOfServer[spec]
            state.hostOfServer.append(host)
            state.serverOfHost[host] = index
        }
        state.listenPort = Array(repeating: 0, count: topology.hosts.count)
        for (index, real) in realServers.enumerated() { state.listenPort[state.hostOfServer[index]] = real.endpoint.port }
        state.forwarder = DirectorForwarder(host: topology.director)
        state.vipPort = vip.port
        state.mss = network.mss
        state.requestBytes = network.requestBytes
        state.responseBytes = network.responseBytes
        state.dontFragment = network.clientDontFragment
        state.schedulerName = director.table.services[serviceIndex].scheduler
        state.seed = scenario.seed &+ UInt64(replication) &* 0x1000_0000_01
        pk = state
    }

    /// Schedules the start-of-run gratuitous ARP of every host with `arp_notify` on a device.
    mutating func scheduleAnnouncements(engine: inout Engine) {
        for (host, spec) in pk.hosts.enumerated()
        where spec.interfaces.contains(where: { $0.kind == .ethernet && spec.effectiveSysctls(on: $0.name).arpNotify }) {
            engine.schedule(Event(kind: PacketEventKind.announce, a: UInt32(host)), at: .zero)
        }
    }

    // MARK: Events

    mutating func packetEvent(_ event: Event, engine: inout Engine) {
        pk.events += 1
        switch event.kind {
        case PacketEventKind.frameArrives: frameArrives(Int32(bitPattern: event.a), port: Int(event.b), engine: &engine)
        case PacketEventKind.arpRetry: arpRetry(Int(event.a), generation: event.b, engine: &engine)
        case PacketEventKind.clientTimer: clientTimer(slot: Int(event.a), generation: event.b, engine: &engine)
        case PacketEventKind.announce: announce(host: Int(event.a), engine: &engine)
        default: break
        }
    }

    // MARK: Flows

    @inline(__always)
    func flowID(_ slot: Int) -> UInt64 { UInt64(slot) | UInt64(conns[slot].generation) << 32 }

    /// The live connection slot of `flow`, or nil when the slot has moved on.
    @inline(__always)
    func liveSlot(_ flow: UInt64) -> Int? {
        let slot = Int(flow & 0xFFFF_FFFF)
        guard slot < conns.count, slot < pk.flows.count, UInt64(conns[slot].generation) == flow >> 32,
            pk.flows[slot].generation == conns[slot].generation
        else { return nil }
        return slot
    }

    /// The response time's end at packet level: the last response byte's arrival.
    func packetResponseEnd(_ slot: Int, now: Int64) -> Int64 {
        guard pk.enabled, slot < pk.flows.count, pk.flows[slot].lastByteAt >= 0 else { return now }
        return pk.flows[slot].lastByteAt
    }

    // MARK: Client

    /// The client opens (or retransmits) connection `slot`: a SYN leaves the client network.
    mutating func packetSendSYN(slot: Int, engine: inout Engine) {
        while pk.flows.count <= slot { pk.flows.append(Flow()) }
        let generation = conns[slot].generation
        if pk.flows[slot].generation != generation || pk.flows[slot].client == 0 {
            let n = UInt32(truncatingIfNeeded: Int(conns[slot].sequence) + 1)
            pk.flows[slot] = Flow(
                generation: generation, client: 1, clientMSS: UInt16(pk.mss), clientISN: n &* 1_000_000,
                serverISN: n &* 1_000_000 &+ 500_000)
        }
        if pk.tracing && conns[slot].sequence == pk.traceSequence { pk.traceFlow = flowID(slot) }
        let isn = pk.flows[slot].clientISN
        clientSend(slot, flags: .syn, sequence: isn, acknowledgement: 0, payload: 0, engine: &engine)
        armClientTimer(slot, at: engine.now.nanoseconds + (1_000_000_000 << Int64(min(pk.flows[slot].synTries, 30))), engine: &engine)
    }

    /// A client timer whose delay is a timer list's duration (the 120 s idle
    /// timer, the first SYN's 1 s) goes to that FIFO list instead of the heap:
    /// the same (time, sequence) order, no heap operation, a smaller heap.
    mutating func armClientTimer(_ slot: Int, at time: Int64, engine: inout Engine) {
        pk.flows[slot].timerAt = time
        let event = Event(kind: PacketEventKind.clientTimer, a: UInt32(slot), b: conns[slot].generation)
        let delay = time - engine.now.nanoseconds
        if delay == 1_000_000_000 {
            if pk.synList == nil { pk.synList = engine.makeTimerList(duration: .seconds(1)) }
            engine.schedule(event, in: pk.synList!)
            return
        }
        for list in timerLists where list.nanoseconds == delay {
            engine.schedule(event, in: list.id)
            return
        }
        engine.schedule(event, at: SimTime(nanoseconds: time))
    }

    mutating func clientTimer(slot: Int, generation: UInt32, engine: inout Engine) {
        let now = engine.now.nanoseconds
        guard slot < pk.flows.count, conns[slot].generation == generation, pk.flows[slot].generation == generation,
            pk.flows[slot].timerAt == now
        else { return }
        switch pk.flows[slot].client {
        case 1:
            if Int(pk.flows[slot].synTries) < synRetries {
                pk.flows[slot].synTries += 1
                conns[slot].attempts = pk.flows[slot].synTries
                result.retries += 1
                packetSendSYN(slot: slot, engine: &engine)
            } else {
                clientDone(slot, outcome: .failed, engine: &engine)
            }
        case 2, 3:
            let idleSince = pk.flows[slot].lastProgress
            if now - idleSince >= Self.clientIdleNanoseconds {
                clientDone(slot, outcome: .failed, engine: &engine)
            } else {
                armClientTimer(slot, at: idleSince + Self.clientIdleNanoseconds, engine: &engine)
            }
        default:
            break
        }
    }

    mutating func clientDone(_ slot: Int, outcome: Outcome, engine: inout Engine) {
        pk.flows[slot].client = 4
        pk.flows[slot].timerAt = .max
        if pk.tracing && flowID(slot) == pk.traceFlow {
            pk.traceDone = true
            engine.stop()
        }
        clientFinished(slot: slot, outcome: outcome, engine: &engine)
    }

    /// A TCP segment from the client of `slot` to the VIP.
    mutating func clientSend(
        _ slot: Int, flags: TCPFlags, sequence: UInt32, acknowledgement: UInt32, payload: Int, engine: inout Engine
    ) {
        let client = clientEndpoint(slot)
        let packet = Packet(
            ethernet: EthernetHeader(source: .zero, destination: .zero),
            ip: IPv4Header(
                source: client.address, destination: vip.address, ttl: 64, protocol: .tcp, dontFragment: pk.dontFragment,
                totalLength: 0),
            transport: .tcp(
                TCPHeader(
                    sourcePort: client.port, destinationPort: vip.port, flags: flags, sequenceNumber: sequence,
                    acknowledgementNumber: acknowledgement)),
            payloadLength: payload, meta: PacketMeta(flowID: flowID(slot), birthTime: engine.now))
        originate(Self.clientsHost, packet, flow: flowID(slot), engine: &engine) { m in
            "client: \(flags.traceDescription)\(payload > 0 ? " \(payload) bytes" : "")"
        }
    }

    /// The request in segments of the client's MSS, after the handshake or again after ICMP fragmentation-needed.
    mutating func clientSendRequest(_ slot: Int, engine: inout Engine) {
        let flow = pk.flows[slot]
        let mss = Int(flow.clientMSS)
        var offset = 0
        let ack = flow.serverISN &+ 1
        repeat {
            let length = min(mss, pk.requestBytes - offset)
            let last = offset + length >= pk.requestBytes
            if length > 0 || pk.requestBytes == 0 {
                clientSend(
                    slot, flags: last ? [.psh, .ack] : .ack, sequence: flow.clientISN &+ 1 &+ UInt32(offset),
                    acknowledgement: ack, payload: length, engine: &engine)
            }
            offset += length
        } while offset < pk.requestBytes
    }

    mutating func clientReceive(_ packet: Packet, flow: UInt64, hop: Int32, engine: inout Engine) {
        let now = engine.now.nanoseconds
        let slot = liveSlot(flow)
        switch packet.transport {
        case .icmp(let message):
            guard let slot, pk.flows[slot].client >= 1, pk.flows[slot].client <= 3 else { return }
            switch message.kind {
            case .fragmentationNeeded(let mtu):
                let newMSS = max(48, min(Int(pk.flows[slot].clientMSS), mtu - IPv4Header.length - TCPHeader.length))
                guard newMSS < Int(pk.flows[slot].clientMSS) else {
                    note(hop: hop) { _ in "client: path MTU \(mtu), MSS already \(newMSS)" }
                    return
                }
                pk.flows[slot].clientMSS = UInt16(newMSS)
                note(hop: hop) { _ in "client: path MTU \(mtu) → MSS \(newMSS), sends the request again" }
                if pk.flows[slot].client == 2 && pk.flows[slot].lastByteAt < 0 { clientSendRequest(slot, engine: &engine) }
            case .portUnreachable:
                result.icmpRefusals += 1
                clientDone(slot, outcome: .refused, engine: &engine)
            default:
                break
            }
        case .tcp(let tcp):
            let fromService = packet.ip.source == vip.address && tcp.sourcePort == vip.port
            guard let slot, fromService, pk.flows[slot].client >= 1, pk.flows[slot].client <= 3 else {
                if !tcp.flags.contains(.rst) {
                    note(hop: hop) { m in "client: no socket for \(packet.ip.source):\(tcp.sourcePort) → RST" }
                    sendReset(from: Self.clientsHost, answering: packet, tcp: tcp, flow: flow, engine: &engine)
                }
                return
            }
            pk.flows[slot].lastProgress = now
            if tcp.flags.contains(.rst) {
                clientDone(slot, outcome: .failed, engine: &engine)
                return
            }
            let f = pk.flows[slot]
            switch f.client {
            case 1:
                guard tcp.flags.contains(.syn), tcp.flags.contains(.ack) else { return }
                pk.flows[slot].client = 2
                clientSend(slot, flags: .ack, sequence: f.clientISN &+ 1, acknowledgement: f.serverISN &+ 1, payload: 0, engine: &engine)
                clientSendRequest(slot, engine: &engine)
                armClientTimer(slot, at: now + Self.clientIdleNanoseconds, engine: &engine)
            case 2:
                guard !tcp.flags.contains(.syn) else { return }
                let expected = f.serverISN &+ 1 &+ UInt32(f.responseReceived)
                guard tcp.sequenceNumber == expected else { return }
                pk.flows[slot].responseReceived += Int32(packet.payloadLength)
                pk.flows[slot].responseSegments += 1
                let received = pk.flows[slot].responseReceived
                let requestEnd = f.clientISN &+ 1 &+ UInt32(pk.requestBytes)
                if Int(received) >= pk.responseBytes && tcp.flags.contains(.psh) {
                    pk.flows[slot].lastByteAt = now
                    pk.flows[slot].client = 3
                    clientSend(
                        slot, flags: .finAck, sequence: requestEnd, acknowledgement: f.serverISN &+ 1 &+ UInt32(received),
                        payload: 0, engine: &engine)
                } else if pk.flows[slot].responseSegments % 2 == 0 {
                    clientSend(
                        slot, flags: .ack, sequence: requestEnd, acknowledgement: f.serverISN &+ 1 &+ UInt32(received),
                        payload: 0, engine: &engine)
                }
            case 3:
                guard tcp.flags.contains(.fin) else { return }
                clientSend(
                    slot, flags: .ack, sequence: f.clientISN &+ 2 &+ UInt32(pk.requestBytes),
                    acknowledgement: tcp.sequenceNumber &+ 1, payload: 0, engine: &engine)
                clientDone(slot, outcome: .completed, engine: &engine)
            default:
                break
            }
        case .udp:
            break
        }
    }

    // MARK: Real servers

    mutating func serverReceive(_ packet: Packet, host: Int, flow: UInt64, hop: Int32, engine: inout Engine) {
        guard case .tcp(let tcp) = packet.transport else { return }
        let server = pk.serverOfHost[host]
        guard server >= 0, tcp.destinationPort == pk.listenPort[host] else {
            if !tcp.flags.contains(.rst) {
                note(hop: hop) { m in "\(m.pk.names[host]): nothing listens on port \(tcp.destinationPort) → RST" }
                sendReset(from: host, answering: packet, tcp: tcp, flow: flow, engine: &engine)
            }
            return
        }
        guard let slot = liveSlot(flow) else { return }
        var f = pk.flows[slot]
        if tcp.flags.contains(.syn) && !tcp.flags.contains(.ack) {
            if f.server == 0 || Int(f.serverHost) != host {
                let capacity = workers[server] + backlog[server]
                guard inSystem[server] < capacity else {
                    result.synDrops += 1
                    if inWindow { serverDrops[server] += 1 }
                    note(hop: hop) { m in "dropped at \(m.pk.names[host]): listen queue full" }
                    return
                }
                if conns[slot].flags & (ConnFlag.measured | ConnFlag.accepted) == ConnFlag.measured {
                    boundConnections[server] += 1
                }
                conns[slot].flags |= ConnFlag.accepted
                f.server = 1
                f.serverHost = Int16(host)
                f.serverAddress = packet.ip.destination
                f.serverPort = tcp.destinationPort
                conns[slot].server = Int32(server)
                pk.flows[slot] = f
            }
            if f.server == 1 { serverSend(slot, flags: .synAck, sequence: f.serverISN, acknowledgement: tcp.sequenceNumber &+ 1, payload: 0, engine: &engine) }
            return
        }
        guard Int(f.serverHost) == host, f.server >= 1 else {
            if !tcp.flags.contains(.rst) {
                note(hop: hop) { m in "\(m.pk.names[host]): no connection for this segment → RST" }
                sendReset(from: host, answering: packet, tcp: tcp, flow: flow, engine: &engine)
            }
            return
        }
        if tcp.flags.contains(.rst) {
            pk.flows[slot].server = 0
            pk.flows[slot].serverHost = -1
            return
        }
        if f.server == 1 && tcp.flags.contains(.ack) { f.server = 2 }
        if f.server == 2 {
            let expected = f.clientISN &+ 1 &+ UInt32(f.requestReceived)
            if packet.payloadLength > 0 && tcp.sequenceNumber == expected { f.requestReceived += Int32(packet.payloadLength) }
            if Int(f.requestReceived) >= pk.requestBytes && (packet.payloadLength > 0 || pk.requestBytes == 0) {
                f.server = 3
                pk.flows[slot] = f
                accept(slot: slot, server: server, engine: &engine)
                return
            }
        }
        if tcp.flags.contains(.fin) && f.server >= 4 {
            f.server = 5
            pk.flows[slot] = f
            serverSend(
                slot, flags: .finAck, sequence: f.serverISN &+ 1 &+ UInt32(pk.responseBytes),
                acknowledgement: tcp.sequenceNumber &+ 1, payload: 0, engine: &engine)
            return
        }
        pk.flows[slot] = f
    }

    /// The server's job for `slot` ended: the response leaves in MSS segments.
    mutating func packetRespond(slot: Int, engine: inout Engine) {
        let f = pk.flows[slot]
        pk.flows[slot].server = 4
        let ack = f.clientISN &+ 1 &+ UInt32(pk.requestBytes)
        var offset = 0
        repeat {
            let length = min(pk.mss, pk.responseBytes - offset)
            let last = offset + length >= pk.responseBytes
            serverSend(
                slot, flags: last ? [.psh, .ack] : .ack, sequence: f.serverISN &+ 1 &+ UInt32(offset), acknowledgement: ack,
                payload: length, engine: &engine)
            offset += length
        } while offset < pk.responseBytes
    }

    mutating func serverSend(
        _ slot: Int, flags: TCPFlags, sequence: UInt32, acknowledgement: UInt32, payload: Int, engine: inout Engine
    ) {
        let f = pk.flows[slot]
        let host = Int(f.serverHost)
        let client = clientEndpoint(slot)
        let packet = Packet(
            ethernet: EthernetHeader(source: .zero, destination: .zero),
            ip: IPv4Header(source: f.serverAddress, destination: client.address, ttl: 64, protocol: .tcp, totalLength: 0),
            transport: .tcp(
                TCPHeader(
                    sourcePort: f.serverPort, destinationPort: client.port, flags: flags, sequenceNumber: sequence,
                    acknowledgementNumber: acknowledgement)),
            payloadLength: payload, meta: PacketMeta(flowID: flowID(slot), birthTime: engine.now))
        originate(host, packet, flow: flowID(slot), engine: &engine) { m in
            "\(m.pk.names[host]): \(flags.traceDescription)\(payload > 0 ? " \(payload) bytes" : "") from \(f.serverAddress)"
        }
    }

    /// A RST answering `packet` (no socket for it), from the address it was sent to.
    mutating func sendReset(from host: Int, answering packet: Packet, tcp: TCPHeader, flow: UInt64, engine: inout Engine) {
        let hasAck = tcp.flags.contains(.ack)
        let reset = Packet(
            ethernet: EthernetHeader(source: .zero, destination: .zero),
            ip: IPv4Header(source: packet.ip.destination, destination: packet.ip.source, ttl: 64, protocol: .tcp, totalLength: 0),
            transport: .tcp(
                TCPHeader(
                    sourcePort: tcp.destinationPort, destinationPort: tcp.sourcePort, flags: hasAck ? .rst : [.rst, .ack],
                    sequenceNumber: hasAck ? tcp.acknowledgementNumber : 0,
                    acknowledgementNumber: hasAck ? 0 : tcp.sequenceNumber &+ UInt32(packet.payloadLength) &+ 1)),
            meta: packet.meta)
        originate(host, reset, flow: flow, engine: &engine) { m in "\(m.pk.names[host]): RST to \(packet.ip.source)" }
    }

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
            sync(Int(director.connections.read(existing) { $0.serverIndex }), now: now)
        } else if tcp.flags.contains(.syn) && !tcp.flags.contains(.ack) {
            let client = clientEndpoint(slot)
            if let recorder {
                recorder.connect(id: Int(conns[slot].sequence), now: now, client: client, vip: vip, servers: director.table.services[serviceIndex].servers)
            }
            let outcome = director.connect(proto: .tcp, client: client, destination: vip, flags: tcp.flags, now: now, indexed: indexed)
            var scheduled: ScheduledConnection?
            switch outcome {
            case .scheduled(let s), .existing(let s): scheduled = s
            default: scheduled = nil
            }
            guard let s = scheduled, let newID = s.id, s.serviceIndex == serviceIndex else {
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
        sync(Int(director.connections.read(id) { $0.serverIndex }), now: now)
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
            sync(Int(director.connections.read(id) { $0.serverIndex }), now: now)
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

    // MARK: ARP

    mutating func resolve(_ target: IPAddress, host: Int, port: Int, frame: Int32, source: IPAddress, engine: inout Engine) {
        if let pending = pk.pendingByHost[host][target] {
            pk.pending[Int(pending)].frames.append(frame)
            return
        }
        let device = pk.ports[port].device
        guard let request = ARPPolicy.request(from: pk.hosts[host], outgoingInterface: device, packetSource: source, target: target) else {
            note(frame: frame) { m in "dropped at \(m.pk.names[host]): cannot ARP for \(target) on \(device)" }
            freeFrame(frame)
            return
        }
        pk.arp[host].markPending(target, at: engine.now)
        let flow = pk.frames[Int(frame)].flow
        let entry: Int32
        if let free = pk.freePending.popLast() {
            entry = free
            pk.pending[Int(free)].generation &+= 1
            let generation = pk.pending[Int(free)].generation
            pk.pending[Int(free)] = PendingResolution(
                host: Int32(host), port: Int32(port), target: target, tries: 1, generation: generation, frames: [frame],
                request: request, flow: flow, isLive: true)
        } else {
            entry = Int32(pk.pending.count)
            pk.pending.append(
                PendingResolution(
                    host: Int32(host), port: Int32(port), target: target, tries: 1, generation: 0, frames: [frame],
                    request: request, flow: flow, isLive: true))
        }
        pk.pendingByHost[host][target] = entry
        sendARP(request, port: port, flow: flow, engine: &engine) { m in
            "\(m.pk.names[host]): who has \(target)? tell \(request.senderIP)"
        }
        engine.schedule(
            Event(kind: PacketEventKind.arpRetry, a: UInt32(entry), b: pk.pending[Int(entry)].generation), after: .seconds(1))
    }

    mutating func arpRetry(_ entry: Int, generation: UInt32, engine: inout Engine) {
        guard entry < pk.pending.count, pk.pending[entry].isLive, pk.pending[entry].generation == generation else { return }
        let pending = pk.pending[entry]
        let host = Int(pending.host)
        if pending.tries < 3 {
            pk.pending[entry].tries += 1
            sendARP(pending.request, port: Int(pending.port), flow: pending.flow, engine: &engine) { m in
                "\(m.pk.names[host]): who has \(pending.target)? (try \(pending.tries + 1))"
            }
            engine.schedule(Event(kind: PacketEventKind.arpRetry, a: UInt32(entry), b: generation), after: .seconds(1))
            return
        }
        for frame in pending.frames {
            note(pk.frames[Int(frame)].flow) { m in "dropped at \(m.pk.names[host]): \(DropReason.neighbourUnresolved(pending.target).explanation) (no ARP reply)" }
            pk.heldNotes[frame] = nil
            freeFrame(frame)
        }
        finishPending(entry)
    }

    mutating func finishPending(_ entry: Int) {
        let pending = pk.pending[entry]
        pk.pending[entry].isLive = false
        pk.pending[entry].frames = []
        pk.pendingByHost[Int(pending.host)][pending.target] = nil
        pk.freePending.append(Int32(entry))
    }

    /// Sends the frames waiting for `target` on `host` now that its MAC is known.
    mutating func flushPending(_ target: IPAddress, host: Int, engine: inout Engine) {
        guard let entry = pk.pendingByHost[host][target], let mac = pk.arp[host].lookup(target, at: engine.now) else { return }
        let pending = pk.pending[Int(entry)]
        finishPending(Int(entry))
        for frame in pending.frames {
            pk.frames[Int(frame)].packet.ethernet.destination = mac
            let held = pk.heldNotes.removeValue(forKey: frame)
            transmit(frame, port: Int(pending.port), rewritten: held?.1 ?? [], engine: &engine) { _ in held?.0 ?? "" }
        }
    }

    /// How long `host` takes to answer an ARP request at `now`: 0–20 µs from a
    /// hash of (seed, host, time). Hosts answering the same broadcast thus race
    /// (`spec/ipvs-forwarding.md` §6.1: which reply arrives first, and wins the
    /// router's cache, is not fixed), reproducibly for a seed.
    func arpReplyDelay(host: Int, now: Int64) -> Int64 {
        var x = pk.seed ^ (UInt64(host) &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(bitPattern: now)
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        x ^= x >> 31
        return Int64(x % 20_000)
    }

    mutating func sendARP(_ arp: ARPPacket, port: Int, flow: UInt64, delay: Int64 = 0, engine: inout Engine, note: (ClusterModel) -> String) {
        let placeholder = Packet(
            ethernet: arp.ethernet, ip: IPv4Header(source: arp.senderIP, destination: arp.targetIP, protocol: .icmp, totalLength: 0),
            transport: .icmp(ICMPMessage(kind: .echoRequest)))
        let frame = newFrame(Frame(packet: placeholder, arp: arp, flow: flow, hop: -1))
        transmit(frame, port: port, rewritten: [], delay: delay, engine: &engine, note: note)
    }

    /// Host `host`'s devices come up at the start of the run: each up Ethernet
    /// device with `arp_notify` announces its addresses (aliases such as
    /// `eth0:0` included) with a gratuitous ARP request, as Linux does on
    /// NETDEV_UP — and as keepalived does for a VIP it takes over.
    mutating func announce(host: Int, engine: inout Engine) {
        for device in pk.hosts[host].interfaces
        where device.kind == .ethernet && device.isUp && pk.hosts[host].effectiveSysctls(on: device.name).arpNotify {
            guard let port = pk.portOfDevice[host][device.name] else { continue }
            for address in device.addresses {
                let garp = ARPPacket.gratuitous(address: address.address, mac: device.mac)
                sendARP(garp, port: Int(port), flow: PacketEventKind.announceFlow, engine: &engine) { m in
                    "\(m.pk.names[host]): gratuitous ARP, \(address.address) is at \(device.mac) (arp_notify on \(device.name))"
                }
            }
        }
    }

    mutating func arpReceive(_ arp: ARPPacket, port: Int, flow: UInt64, hop: Int32, engine: inout Engine) {
        let host = Int(pk.ports[port].host)
        let device = pk.ports[port].device
        let now = engine.now
        if arp.operation == .request {
            let answer = ARPPolicy.reply(from: pk.hosts[host], to: arp, arrivingOn: device)
            let update = pk.arp[host].process(arp, isAnsweredByUs: answer != nil, at: now)
            if update != .ignored && update != .lockedOut { pk.arpGeneration[host] &+= 1 }
            noteCacheUpdate(update, arp: arp, host: host, hop: hop)
            if let answer {
                sendARP(answer, port: port, flow: flow, delay: arpReplyDelay(host: host, now: now.nanoseconds), engine: &engine) { m in
                    "\(m.pk.names[host]): \(answer.senderIP) is at \(answer.senderMAC)"
                }
            }
        } else {
            let update = pk.arp[host].process(arp, isAnsweredByUs: false, at: now)
            if update != .ignored && update != .lockedOut { pk.arpGeneration[host] &+= 1 }
            noteCacheUpdate(update, arp: arp, host: host, hop: hop)
        }
        flushPending(arp.senderIP, host: host, engine: &engine)
    }

    func macOwner(_ mac: MACAddress) -> String {
        for port in pk.ports where port.mac == mac { return pk.names[Int(port.host)] }
        return "\(mac)"
    }

    mutating func noteCacheUpdate(_ update: ARPCache.Update, arp: ARPPacket, host: Int, hop: Int32) {
        guard pk.tracing, hop >= 0 else { return }
        switch update {
        case .created, .changed:
            note(hop: hop) { m in "\(m.pk.names[host]): ARP cache now says \(arp.senderIP) is at \(m.macOwner(arp.senderMAC))'s MAC" }
        case .lockedOut:
            note(hop: hop) { m in "\(m.pk.names[host]): ignores \(arp.senderIP) at \(m.macOwner(arp.senderMAC)) (lock time)" }
        default:
            break
        }
    }

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
