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
