/// Follows one connection of a packet-level run frame by frame, for `lvssim trace`.
public enum PacketTrace {
    /// Runs `scenario` at packet level (replication 0, whatever its `level`
    /// says) until connection `connection` (1-based, in arrival order) has
    /// finished — completed, failed or refused — and returns every hop of its
    /// packets in time order: its TCP segments on every link, the ARP
    /// requests and replies its packets had to wait for, and ICMP errors
    /// about it. Each hop has the header fields the sending host rewrote and
    /// a note saying what happened ("director: IPVS NAT → rs1 (rr), entry
    /// SYN_RECV", "dropped at rs2: 202.99.59.110 is not a local address",
    /// "router: ARP cache now says 202.99.59.110 is at rs1's MAC").
    ///
    /// Hops are recorded only here; a normal run records nothing.
    ///
    /// - Throws: ``SimulationSetupError`` when the scenario has no `network`
    ///   section, its topology is inconsistent, or `connection` is not ≥ 1.
    public static func follow(scenario: Scenario, connection: Int) throws(SimulationSetupError) -> [PacketHop] {
        guard connection >= 1 else { throw SimulationSetupError("connection numbers start at 1 (got \(connection))") }
        var scenario = scenario
        scenario.level = .packet
        if let count = scenario.connections, scenario.warmupConnections + count < connection {
            scenario.connections = connection - scenario.warmupConnections
        }
        var simulation = try ClusterSimulation(scenario: scenario, replication: 0)
        simulation.model.pk.traceSequence = Int32(connection - 1)
        while !simulation.model.pk.traceDone {
            let before = simulation.engine.eventsProcessed
            simulation.engine.run(handler: &simulation.model)
            if simulation.engine.eventsProcessed == before || simulation.engine.pendingCount == 0 { break }
        }
        guard simulation.model.pk.traceFlow != .max else {
            throw SimulationSetupError("the run ended before connection \(connection) arrived")
        }
        let hops = simulation.model.pk.hops.enumerated().sorted {
            ($0.element.timeNanoseconds, $0.offset) < ($1.element.timeNanoseconds, $1.offset)
        }
        return hops.map(\.element)
    }
}

extension ClusterSimulation {
    /// Packet events handled so far (frame arrivals, ARP retries, client
    /// timers); 0 at connection level.
    public var packetEvents: Int { model.pk.events }

    /// The packet-level scenario `lvssim bench --packets` runs: NAT, four real
    /// servers (wlc), Poisson arrivals, 300-byte requests, 20,000-byte responses.
    public static func packetBenchmarkScenario(connections: Int) throws(ScenarioError) -> Scenario {
        try ScenarioLoader(file: "bench-packets.yaml").parse(
            """
            name: bench-packets
            seed: 1
            replications: 1
            connections: \(connections)
            level: packet
            director: {service: 202.99.59.110:80, scheduler: wlc, forwarding: nat}
            servers:
              - {address: 192.168.10.1:80, workers: 8}
              - {address: 192.168.10.2:80, workers: 8}
              - {address: 192.168.10.3:80, workers: 8}
              - {address: 192.168.10.4:80, workers: 8}
            clients: {subnet: 10.20.0.0/16, count: 5000}
            workload:
              arrivals: {process: poisson, rate: 2000}
              demand: {distribution: exponential, mean_ms: 2}
            network:
              segments:
                - {name: internet, latency_us: 2000}
                - {name: outside, latency_us: 50}
                - {name: inside, latency_us: 50}
              clients: {segment: internet, gateway: 172.16.0.1}
              router:
                interfaces:
                  - {device: eth0, address: 172.16.0.1/16, segment: internet}
                  - {device: eth1, address: 202.99.59.1/24, segment: outside}
              director:
                interfaces:
                  - {device: eth0, address: 202.99.59.110/24, segment: outside}
                  - {device: eth1, address: 192.168.10.254/24, segment: inside}
                gateway: 202.99.59.1
                ip_forward: 1
              real_servers:
                - {name: rs1, interfaces: [{device: eth0, address: 192.168.10.1/24, segment: inside}], gateway: 192.168.10.254}
                - {name: rs2, interfaces: [{device: eth0, address: 192.168.10.2/24, segment: inside}], gateway: 192.168.10.254}
                - {name: rs3, interfaces: [{device: eth0, address: 192.168.10.3/24, segment: inside}], gateway: 192.168.10.254}
                - {name: rs4, interfaces: [{device: eth0, address: 192.168.10.4/24, segment: inside}], gateway: 192.168.10.254}
            """)
    }
}
