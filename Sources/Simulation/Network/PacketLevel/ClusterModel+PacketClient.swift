import LVSModel
import Schedulers

// The packet level: the clients' TCP (SYN and its retransmission, request segments, ACKs, FIN, PMTU discovery).
extension ClusterModel {
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
}
