import LVSModel
import Testing

@testable import Simulation

/// One connection frame by frame, against tables worked out by hand from
/// `spec/ipvs-forwarding.md` §3.2 (NAT), §4.2 (DR), §5.2 (TUN) and §6.
///
/// Setup common to the three: one client 203.0.113.1 (port 1024, its first
/// connection), router eth0 172.16.0.1 (MAC r0) on `internet` and eth1
/// 202.99.59.1 (r1) on `outside`; request 300 bytes, response 2,000 bytes
/// (MSS 1460: segments of 1460 and 540). Connection 1's client ISN is
/// 1,000,000, the server's 1,500,000. rr takes the most recently added real
/// server first (the kernel adds destinations at the list head), so
/// connection 1 goes to the last one listed. Nobody has ARP entries at the
/// start, so the first frames are ARP; a host that answers a request caches
/// its sender, which is why the real server and the director need no ARP of
/// their own for the way back (NAT) — but a DR/TUN real server with
/// arp_ignore=1 does not answer the router's request for the VIP and must ARP
/// for its gateway, from its RIP (arp_announce=2).
@Suite("Packet level: hop-by-hop walk of one connection (NAT, DR, TUN)")
struct PacketLevelWalkTests {
    typealias F = PacketLevelFixtures

    static let macNames: [MACAddress: String] = [
        NetworkTopology.derivedMAC(host: "client", device: 1): "c", MACAddress("02:00:00:00:01:00")!: "r0",
        MACAddress("02:00:00:00:01:01")!: "r1", MACAddress("02:00:00:00:00:d0")!: "d0",
        MACAddress("02:00:00:00:00:d1")!: "d1", MACAddress("02:00:00:00:10:01")!: "s1",
        MACAddress("02:00:00:00:10:02")!: "s2", MACAddress("02:00:00:00:10:03")!: "s3", .broadcast: "ff",
    ]

    /// `link from>to srcMAC>dstMAC` then `ARP req|rep sender>target` or
    /// `src:port>dst:port FLAGS seq/ack len [rewritten]` (+ ` outer a>b` when tunnelled).
    static func row(_ hop: PacketHop) -> String {
        let name = { (mac: MACAddress) in macNames[mac] ?? "\(mac)" }
        let head = "\(hop.link) \(hop.from)>\(hop.to) \(name(hop.sourceMAC))>\(name(hop.destinationMAC))"
        if let arp = hop.arp {
            return "\(head) ARP \(arp.operation == .request ? "req" : "rep") \(arp.senderIP)>\(arp.targetIP)"
        }
        let outer = hop.outer.map { " outer \($0.sourceIP)>\($0.destinationIP)" } ?? ""
        return "\(head) \(hop.sourceIP!):\(hop.sourcePort!)>\(hop.destinationIP!):\(hop.destinationPort!) \(hop.flags) "
            + "\(hop.sequence!)/\(hop.acknowledgement!) len \(hop.payloadLength)\(outer) [\(hop.rewritten.map(\.name).joined(separator: ","))]"
    }

    func walk(_ yaml: String) throws -> [PacketHop] {
        try PacketTrace.follow(scenario: try F.scenario(yaml), connection: 1)
    }

    func compare(_ hops: [PacketHop], _ expected: [String]) {
        let rows = hops.map(Self.row)
        #expect(rows.count == expected.count, "\(rows.joined(separator: "\n"))")
        for (index, (got, want)) in zip(rows, expected).enumerated() {
            #expect(got == want, "hop \(index + 1)")
        }
    }

    @Test("NAT: DNAT to 192.168.10.3:8080 inbound, SNAT back to the VIP on the way out, replies through the director")
    func nat() throws {
        let hops = try walk(F.nat(macs: true, clients: 1))
        let cv = "203.0.113.1:1024>202.99.59.110:80"
        let cr = "203.0.113.1:1024>192.168.10.3:8080"
        let rc = "192.168.10.3:8080>203.0.113.1:1024"
        let vc = "202.99.59.110:80>203.0.113.1:1024"
        let router = "[eth.src,eth.dst,ip.ttl,ip.csum]"
        let dnat = "[eth.src,eth.dst,ip.dst,ip.ttl,ip.csum,l4.dport,l4.csum]"
        let snat = "[eth.src,eth.dst,ip.src,ip.ttl,ip.csum,l4.sport,l4.csum]"
        compare(hops, [
            "internet client>* c>ff ARP req 203.0.113.1>172.16.0.1",
            "internet router>client r0>c ARP rep 172.16.0.1>203.0.113.1",
            "internet client>router c>r0 \(cv) SYN 1000000/0 len 0 []",
            "outside router>* r1>ff ARP req 202.99.59.1>202.99.59.110",
            "outside director>router d0>r1 ARP rep 202.99.59.110>202.99.59.1",
            "outside router>director r1>d0 \(cv) SYN 1000000/0 len 0 \(router)",
            "inside director>* d1>ff ARP req 192.168.10.254>192.168.10.3",
            "inside rs3>director s3>d1 ARP rep 192.168.10.3>192.168.10.254",
            "inside director>rs3 d1>s3 \(cr) SYN 1000000/0 len 0 \(dnat)",
            "inside rs3>director s3>d1 \(rc) SYN,ACK 1500000/1000001 len 0 []",
            "outside director>router d0>r1 \(vc) SYN,ACK 1500000/1000001 len 0 \(snat)",
            "internet router>client r0>c \(vc) SYN,ACK 1500000/1000001 len 0 \(router)",
            "internet client>router c>r0 \(cv) ACK 1000001/1500001 len 0 []",
            "internet client>router c>r0 \(cv) PSH,ACK 1000001/1500001 len 300 []",
            "outside router>director r1>d0 \(cv) ACK 1000001/1500001 len 0 \(router)",
            "outside router>director r1>d0 \(cv) PSH,ACK 1000001/1500001 len 300 \(router)",
            "inside director>rs3 d1>s3 \(cr) ACK 1000001/1500001 len 0 \(dnat)",
            "inside director>rs3 d1>s3 \(cr) PSH,ACK 1000001/1500001 len 300 \(dnat)",
            "inside rs3>director s3>d1 \(rc) ACK 1500001/1000301 len 1460 []",
            "inside rs3>director s3>d1 \(rc) PSH,ACK 1501461/1000301 len 540 []",
            "outside director>router d0>r1 \(vc) ACK 1500001/1000301 len 1460 \(snat)",
            "outside director>router d0>r1 \(vc) PSH,ACK 1501461/1000301 len 540 \(snat)",
            "internet router>client r0>c \(vc) ACK 1500001/1000301 len 1460 \(router)",
            "internet router>client r0>c \(vc) PSH,ACK 1501461/1000301 len 540 \(router)",
            "internet client>router c>r0 \(cv) FIN,ACK 1000301/1502001 len 0 []",
            "outside router>director r1>d0 \(cv) FIN,ACK 1000301/1502001 len 0 \(router)",
            "inside director>rs3 d1>s3 \(cr) FIN,ACK 1000301/1502001 len 0 \(dnat)",
            "inside rs3>director s3>d1 \(rc) FIN,ACK 1502001/1000302 len 0 []",
            "outside director>router d0>r1 \(vc) FIN,ACK 1502001/1000302 len 0 \(snat)",
            "internet router>client r0>c \(vc) FIN,ACK 1502001/1000302 len 0 \(router)",
            "internet client>router c>r0 \(cv) ACK 1000302/1502002 len 0 []",
        ])
        // The director's entry sees both directions (§3.4): SYN_RECV … TIME_WAIT.
        let director = hops.filter { $0.from == "director" && $0.proto == .tcp }.map(\.note)
        #expect(director.first?.contains("director: IPVS NAT → rs3 (rr), entry SYN_RECV") == true, "\(director)")
        #expect(director.last?.contains("entry TIME_WAIT") == true, "\(director)")
        #expect(director.contains { $0.contains("entry CLOSE_WAIT") })
    }

    static func directWalk(tunnel: Bool) -> [String] {
        let cv = "203.0.113.1:1024>202.99.59.110:80"
        let vc = "202.99.59.110:80>203.0.113.1:1024"
        let router = "[eth.src,eth.dst,ip.ttl,ip.csum]"
        let outer = tunnel ? " outer 202.99.59.109>202.99.59.107" : ""
        let director = tunnel ? "[eth.src,eth.dst,outer,ip.ttl,ip.csum]" : "[eth.src,eth.dst,ip.ttl,ip.csum]"
        return [
            "internet client>* c>ff ARP req 203.0.113.1>172.16.0.1",
            "internet router>client r0>c ARP rep 172.16.0.1>203.0.113.1",
            "internet client>router c>r0 \(cv) SYN 1000000/0 len 0 []",
            "outside router>* r1>ff ARP req 202.99.59.1>202.99.59.110",
            "outside director>router d0>r1 ARP rep 202.99.59.110>202.99.59.1",
            "outside router>director r1>d0 \(cv) SYN 1000000/0 len 0 \(router)",
            "outside director>* d0>ff ARP req 202.99.59.109>202.99.59.107",
            "outside rs2>director s2>d0 ARP rep 202.99.59.107>202.99.59.109",
            "outside director>rs2 d0>s2 \(cv) SYN 1000000/0 len 0\(outer) \(director)",
            "outside rs2>* s2>ff ARP req 202.99.59.107>202.99.59.1",
            "outside router>rs2 r1>s2 ARP rep 202.99.59.1>202.99.59.107",
            "outside rs2>router s2>r1 \(vc) SYN,ACK 1500000/1000001 len 0 []",
            "internet router>client r0>c \(vc) SYN,ACK 1500000/1000001 len 0 \(router)",
            "internet client>router c>r0 \(cv) ACK 1000001/1500001 len 0 []",
            "internet client>router c>r0 \(cv) PSH,ACK 1000001/1500001 len 300 []",
            "outside router>director r1>d0 \(cv) ACK 1000001/1500001 len 0 \(router)",
            "outside router>director r1>d0 \(cv) PSH,ACK 1000001/1500001 len 300 \(router)",
            "outside director>rs2 d0>s2 \(cv) ACK 1000001/1500001 len 0\(outer) \(director)",
            "outside director>rs2 d0>s2 \(cv) PSH,ACK 1000001/1500001 len 300\(outer) \(director)",
            "outside rs2>router s2>r1 \(vc) ACK 1500001/1000301 len 1460 []",
            "outside rs2>router s2>r1 \(vc) PSH,ACK 1501461/1000301 len 540 []",
            "internet router>client r0>c \(vc) ACK 1500001/1000301 len 1460 \(router)",
            "internet router>client r0>c \(vc) PSH,ACK 1501461/1000301 len 540 \(router)",
            "internet client>router c>r0 \(cv) FIN,ACK 1000301/1502001 len 0 []",
            "outside router>director r1>d0 \(cv) FIN,ACK 1000301/1502001 len 0 \(router)",
            "outside director>rs2 d0>s2 \(cv) FIN,ACK 1000301/1502001 len 0\(outer) \(director)",
            "outside rs2>router s2>r1 \(vc) FIN,ACK 1502001/1000302 len 0 []",
            "internet router>client r0>c \(vc) FIN,ACK 1502001/1000302 len 0 \(router)",
            "internet client>router c>r0 \(cv) ACK 1000302/1502002 len 0 []",
        ]
    }

    @Test("DR: only the MACs change at the director (d0 → s2), the real server answers from the VIP straight to the router")
    func directRouting() throws {
        let hops = try walk(F.direct(clients: 1, macs: true))
        compare(hops, Self.directWalk(tunnel: false))
        // Inbound only (§4.5): SYN_RECV, ESTABLISHED, FIN_WAIT.
        let director = hops.filter { $0.from == "director" && $0.proto == .tcp }.map(\.note)
        #expect(director.first?.contains("director: IPVS DR → rs2 (rr), entry SYN_RECV") == true, "\(director)")
        #expect(director.contains { $0.contains("entry ESTABLISHED") })
        #expect(director.last?.contains("entry FIN_WAIT") == true)
    }

    @Test("TUN: IPIP from the DIP 202.99.59.109 to the RIP around the untouched client packet; the reply comes from the VIP")
    func tunnel() throws {
        let hops = try walk(F.direct(method: "tun", clients: 1, macs: true))
        compare(hops, Self.directWalk(tunnel: true))
        let tunnelled = hops.filter { $0.outer != nil }
        #expect(tunnelled.allSatisfy { $0.ipLength == 20 + 20 + 20 + $0.payloadLength && $0.outer!.dontFragment })
        #expect(tunnelled.first?.note.contains("director: IPVS TUN → rs2 (rr), entry SYN_RECV") == true)
    }
}
