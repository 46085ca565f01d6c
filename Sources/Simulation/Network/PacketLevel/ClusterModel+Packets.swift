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
}
