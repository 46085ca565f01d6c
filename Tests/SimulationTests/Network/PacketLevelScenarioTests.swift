import LVSModel
import Testing

@testable import Simulation

@Suite("Packet level: scenario schema, topology and equivalence with connection level")
struct PacketLevelScenarioTests {
    typealias F = PacketLevelFixtures

    func error(_ yaml: String) -> ScenarioError? {
        do {
            _ = try ScenarioLoader(file: "bad.yaml").parse(yaml)
            return nil
        } catch {
            return error
        }
    }

    @Test("level and network parse; the topology has client, router, director, real servers in order with the given MACs")
    func topology() throws {
        let scenario = try F.scenario(F.nat(macs: true))
        #expect(scenario.level == .packet)
        let network = try #require(scenario.network)
        #expect(network.mss == 1460 && network.requestBytes == 300 && network.responseBytes == 2000)
        #expect(network.segments.map(\.name) == ["internet", "outside", "inside"])
        let topology = try NetworkTopology(scenario: scenario)
        #expect(topology.hosts.map(\.name) == ["client", "router", "director", "rs1", "rs2", "rs3"])
        #expect(topology.director.interface(named: "eth1")?.mac == MACAddress("02:00:00:00:00:d1"))
        #expect(topology.director.isForwardingEnabled)
        #expect(topology.hostOfServer == [3, 4, 5])
        #expect(topology.realServers[0].route(to: IPAddress("203.0.113.9")!)?.nextHop == IPAddress("192.168.10.254"))
        // The router reaches the clients on the internet segment directly.
        #expect(topology.router.route(to: IPAddress("203.0.113.9")!)?.interface == "eth0")
        #expect(topology.segments[2].attachments.map(\.host) == [2, 3, 4, 5])
        // Derived MACs are stable and distinct per host.
        let derived = try NetworkTopology(scenario: try F.scenario(F.nat()))
        #expect(derived.router.interface(named: "eth0")?.mac == NetworkTopology.derivedMAC(host: "router", device: 1))
        #expect(NetworkTopology.derivedMAC(host: "rs1", device: 1) != NetworkTopology.derivedMAC(host: "rs2", device: 1))
    }

    @Test("DR real server: VIP on lo:0 with a /32, sysctls from all")
    func drHost() throws {
        let topology = try NetworkTopology(scenario: try F.scenario(F.direct()))
        let rs = topology.realServers[0]
        #expect(rs.isLocal(IPAddress("202.99.59.110")!))
        #expect(rs.interface(named: "lo")?.addresses.contains { $0.label == "lo:0" && $0.prefixLength == 32 } == true)
        #expect(rs.effectiveSysctls(on: "eth0") == InterfaceSysctls(arpIgnore: 1, arpAnnounce: 2))
        let tun = try NetworkTopology(scenario: try F.scenario(F.direct(method: "tun")))
        #expect(tun.realServers[0].interface(named: "tunl0")?.kind == .ipipTunnel)
    }

    @Test("bad values and unknown keys give file:line and the key")
    func errors() {
        let base = F.nat()
        #expect(error(base.replacingOccurrences(of: "level: packet", with: "level: bytes"))?.description
            == "bad.yaml:5: level: \"bytes\" is invalid; expected one of connection, packet")
        #expect(error(base.replacingOccurrences(of: "  request_bytes: 300", with: "  request_bytes: 300\n  colour: red"))?.description
            == "bad.yaml:17: unknown key \"colour\" in network (expected mss, request_bytes, response_bytes, client_dont_fragment, segments, clients, router, director, real_servers)")
        #expect(error(base.replacingOccurrences(of: "{name: outside, latency_us: 50}", with: "{name: outside, latency_us: -5}"))?.description
            == "bad.yaml:20: network.segments[1].latency_us: -5 is invalid; must be ≥ 0")
        #expect(error(base.replacingOccurrences(of: "address: 192.168.10.2/24, segment: inside", with: "address: 192.168.10.2/24, segment: lan"))?.description
            == "bad.yaml:35: network.real_servers[1].interfaces[0].segment: no segment \"lan\" in network.segments")
        #expect(error(base.replacingOccurrences(of: "address: 192.168.10.3/24", with: "address: 192.168.10.33/24"))?.description
            == "bad.yaml:34: network.real_servers: no host has the address 192.168.10.3 of server 192.168.10.3:8080 (add an interface with that RIP)")
        #expect(error(base.replacingOccurrences(of: "ip_forward: 1", with: "ip_forward: 2"))?.description
            == "bad.yaml:32: network.director.ip_forward: 2 is invalid; must be between 0 and 1")
        #expect(error(F.direct(sysctls: "{all: {arp_ignore: 9}}"))?.description
            == "bad.yaml:35: network.real_servers[0].sysctls.all.arp_ignore: 9 is invalid; must be between 0 and 8")
        #expect(error(F.direct(sysctls: "{eth7: {arp_ignore: 1}}"))?.description
            == "bad.yaml:35: network.real_servers[0].sysctls: unknown device \"eth7\" (expected all or one of the host's devices)")
        let noNetwork = base.components(separatedBy: "\nnetwork:")[0]
        #expect(error(noNetwork)?.description == "bad.yaml:5: level: packet needs a network section (see docs/packet-level.md)")
    }

    @Test("A connection-level run of the same scenario ignores the network; the same seed gives the same packet-level result")
    func determinism() throws {
        var scenario = try F.scenario(F.nat(connections: 200, clients: 1))
        var a = try ClusterSimulation(scenario: scenario, replication: 0)
        var b = try ClusterSimulation(scenario: scenario, replication: 0)
        let ra = a.run(), rb = b.run()
        #expect(ra.completed == 200 && rb.completed == 200)
        #expect(ra.latencyMs.mean == rb.latencyMs.mean && ra.events == rb.events)
        #expect(a.packetEvents == b.packetEvents && a.packetEvents > 200 * 25)
        scenario.level = .connection
        var c = try ClusterSimulation(scenario: scenario, replication: 0)
        let rc = c.run()
        #expect(c.packetEvents == 0)
        #expect(rc.servers.map(\.connections) == ra.servers.map(\.connections))
        // Packet level adds the network: SYN out and back, the request out, the response back —
        // four crossings of 1 ms + 50 µs + 50 µs (NAT) — plus the 1 ms of work: 5.4 ms and a
        // little serialisation; connection level is the work alone.
        #expect(ra.latencyMs.mean > 5.4 && ra.latencyMs.mean < 5.6, "\(ra.latencyMs.mean)")
        #expect(abs(rc.latencyMs.mean - 1) < 0.001)
    }

    @Test("Same scheduling as connection level: rr shares equal, wlc shares within 3 points", arguments: ["rr", "wlc"])
    func sameScheduling(scheduler: String) throws {
        var yaml = F.nat(connections: 2000, scheduler: scheduler, responseBytes: 4000)
        yaml = yaml.replacingOccurrences(of: "{process: deterministic, rate: 10}", with: "{process: poisson, rate: 400}")
            .replacingOccurrences(of: "{distribution: deterministic, value_ms: 1}", with: "{distribution: exponential, mean_ms: 5}")
        let packet = try F.scenario(yaml)
        var connection = packet
        connection.level = .connection
        var p = try ClusterSimulation(scenario: packet, replication: 0)
        var c = try ClusterSimulation(scenario: connection, replication: 0)
        let rp = p.run(), rc = c.run()
        #expect(rp.completed == 2000 && rc.completed == 2000)
        let sp = rp.servers.map(\.share), sc = rc.servers.map(\.share)
        if scheduler == "rr" {
            #expect(rp.servers.map(\.connections) == rc.servers.map(\.connections))
        }
        for (a, b) in zip(sp, sc) { #expect(abs(a - b) < 0.03, "\(sp) vs \(sc)") }
    }
}
