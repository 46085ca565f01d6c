import LVSModel
import Testing

@testable import Simulation

/// Misconfigurations of `spec/ipvs-forwarding.md` §9: each symptom must come
/// out of the packet model (ARP policy, receive path, routing), not from a
/// special case.
@Suite("Packet level: misconfiguration symptoms")
struct PacketLevelMisconfigurationTests {
    typealias F = PacketLevelFixtures

    func run(_ yaml: String) throws -> (ReplicationResult, ClusterSimulation) {
        var simulation = try ClusterSimulation(scenario: try F.scenario(yaml), replication: 0)
        let result = simulation.run()
        return (result, simulation)
    }

    @Test("DR real servers with arp_ignore=0/arp_announce=0 answer ARP for the VIP: a real server's reply wins the router's cache, balancing stops")
    func drARPProblem() throws {
        // At 0.1 s the router asks who has the VIP; the director and both real servers
        // answer (VIP on lo, arp_ignore=0). Replies race (0–20 µs of host delay, from the
        // seed); the first completes the router's entry and the others fall in the 1 s
        // lock time. With seed 7 a real server answers first, so every SYN goes from the
        // router straight to it: the director schedules nothing and that server gets all.
        let yaml = F.direct(connections: 60, sysctls: "{}")
        let (result, _) = try run(yaml)
        #expect(result.completed == 60)
        let connections = result.servers.map(\.connections)
        #expect(connections.sorted() == [0, 60], "\(connections)")
        let first = try PacketTrace.follow(scenario: try F.scenario(yaml), connection: 1)
        let winner = try #require(first.first { $0.note.contains("router: ARP cache now says 202.99.59.110 is at") })
        #expect(winner.from.hasPrefix("rs"), "\(F.show(first))")
        #expect(first.contains { $0.note.contains("router: ignores 202.99.59.110 at director (lock time)") })
        let second = try PacketTrace.follow(scenario: try F.scenario(yaml), connection: 2)
        #expect(!second.contains { $0.from == "director" && $0.proto == .tcp }, "\(F.show(second))")
        #expect(second.contains { $0.from == "router" && $0.to == winner.from && $0.flags == "SYN" })
    }

    @Test("The same DR cluster with arp_ignore=1/arp_announce=2 balances: rr gives each real server half")
    func drARPFixed() throws {
        let (result, _) = try run(F.direct(connections: 60))
        #expect(result.completed == 60)
        #expect(result.servers.map(\.connections) == [30, 30])
    }

    @Test("NAT real server whose gateway is the router: SYN-ACK leaves with the RIP, the client answers RST, connections fail")
    func natWrongGateway() throws {
        let yaml = F.nat(
            connections: 3, gateway: "192.168.10.253",
            extraRouter: "\n      - {device: eth2, address: 192.168.10.253/24, segment: inside}", clients: 1)
        let (result, _) = try run(yaml)
        #expect(result.completed == 0)
        #expect(result.failed == 3)
        let hops = try PacketTrace.follow(scenario: try F.scenario(yaml), connection: 1)
        let synAck = hops.first { $0.flags == "SYN,ACK" && $0.from == "router" && $0.to == "client" }
        #expect(synAck?.sourceIP == IPAddress("192.168.10.3"), "\(F.show(hops))")
        #expect(synAck?.sourcePort == 8080)
        let reset = hops.first { $0.flags.contains("RST") && $0.from == "client" }
        #expect(reset?.destinationIP == IPAddress("192.168.10.3"))
        #expect(reset?.destinationPort == 8080)
    }

    @Test("NAT wrong gateway: each failed connection counts once in its server's share, however many SYNs it retransmits")
    func natWrongGatewaySharesCountConnectionsOnce() throws {
        // Every real server's gateway is the router: rr gives each 10 of the 30
        // connections, and all fail after their SYN retransmissions (each
        // retransmission accepted by the server again, after the client's RST).
        let yaml = F.nat(
            connections: 30, gateway: "192.168.10.253",
            extraRouter: "\n      - {device: eth2, address: 192.168.10.253/24, segment: inside}", clients: 1)
        let (result, _) = try run(yaml)
        #expect(result.failed == 30)
        #expect(result.completed == 0)
        #expect(result.servers.map(\.connections) == [10, 10, 10])
        #expect(result.retries > 0)
    }

    @Test("DR real server without the VIP on lo drops the packet: not a local address")
    func drVIPMissing() throws {
        let yaml = F.direct(connections: 2, vipDevice: "none")
        let (result, _) = try run(yaml)
        #expect(result.failed == 2)
        let hops = try PacketTrace.follow(scenario: try F.scenario(yaml), connection: 1)
        #expect(hops.contains { $0.from == "director" && $0.to == "rs2" && $0.note.contains("dropped at rs2: 202.99.59.110 is not a local address") }, "\(F.show(hops))")
    }

    @Test("DR real server on another L2 segment: the director's ARP for it goes unanswered, its connections fail")
    func drOtherSegment() throws {
        let yaml = F.direct(connections: 4, rs2Segment: "inside")
        let (result, _) = try run(yaml)
        // rr: connections 1 and 3 go to rs2 (unreachable), 2 and 4 to rs1.
        #expect(result.completed == 2)
        #expect(result.failed == 2)
        let hops = try PacketTrace.follow(scenario: try F.scenario(yaml), connection: 1)
        let requests = hops.filter { $0.from == "director" && $0.arp?.targetIP == IPAddress("202.99.59.107") }
        #expect(requests.count >= 3, "\(F.show(hops))")
        #expect(!hops.contains { $0.arp?.operation == .reply && $0.arp?.senderIP == IPAddress("202.99.59.107") })
        #expect(hops.contains { $0.note.contains("next hop 202.99.59.107 not resolved by ARP") })
    }

    @Test("TUN real server without tunl0: the IPIP packet is dropped")
    func tunWithoutTunnel() throws {
        let yaml = F.direct(method: "tun", connections: 2, vipDevice: "lo:1")
        let (result, _) = try run(yaml)
        #expect(result.failed == 2)
        let hops = try PacketTrace.follow(scenario: try F.scenario(yaml), connection: 1)
        #expect(hops.contains { $0.outer != nil && $0.note.contains("dropped at rs2: IPIP packet but no tunl0 device up") }, "\(F.show(hops))")
    }

    @Test("TUN real server with rp_filter=1 on all: the decapsulated packet fails the reverse-path check")
    func tunStrictRPFilter() throws {
        let yaml = F.direct(method: "tun", connections: 2, sysctls: "{all: {arp_ignore: 1, arp_announce: 2, rp_filter: 1}}")
        let (result, _) = try run(yaml)
        #expect(result.failed == 2)
        let hops = try PacketTrace.follow(scenario: try F.scenario(yaml), connection: 1)
        #expect(hops.contains { $0.note.contains("dropped at rs2: rp_filter=1 on tunl0") }, "\(F.show(hops))")
    }

    @Test("TUN path MTU: a full-size DF segment + 20 bytes of IPIP exceeds 1500, ICMP frag-needed 1480, the client resends with MSS 1440")
    func tunPathMTU() throws {
        let yaml = F.direct(method: "tun", connections: 1, clients: 1, requestBytes: 3000)
        let (result, _) = try run(yaml)
        #expect(result.completed == 1)
        let hops = try PacketTrace.follow(scenario: try F.scenario(yaml), connection: 1)
        let icmp = hops.filter { $0.proto == .icmp }
        // The director refuses the 1460-byte segment (1500 bytes of IP, 1520 with IPIP) from the VIP.
        #expect(icmp.first?.from == "director", "\(F.show(hops))")
        #expect(icmp.first?.sourceIP == IPAddress("202.99.59.110"))
        #expect(icmp.first?.destinationIP == IPAddress("203.0.113.1"))
        #expect(hops.contains { $0.note.contains("DF set and packet larger than MTU 1480") })
        // After it, the client's request segments carry 1440, 1440 and 120 bytes.
        let resent = hops.filter { $0.from == "client" && $0.payloadLength > 0 }.map(\.payloadLength)
        #expect(resent.suffix(3) == [1440, 1440, 120], "\(resent)")
        let tunnelled = hops.filter { $0.from == "director" && $0.outer != nil && $0.payloadLength > 0 }
        #expect(tunnelled.allSatisfy { $0.ipLength <= 1500 })
    }
}
