import LVSModel
import Schedulers

// The packet level: the real servers' TCP and their capacity model.
extension ClusterModel {
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
                guard inSystem[server] < acceptLimit[server] else {
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
}
