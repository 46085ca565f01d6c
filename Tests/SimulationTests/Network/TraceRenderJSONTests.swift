import Foundation
import LVSModel
import Testing

@testable import Simulation

/// `TraceJSONRenderer`: the documented schema, field by field.
@Suite struct TraceRenderJSONTests {
    static let ipFields: Set<String> = [
        "t_ns", "link", "from", "to", "src_mac", "dst_mac", "proto", "src_ip", "src_port", "dst_ip", "dst_port",
        "flags", "seq", "ack", "payload_bytes", "ip_length", "outer", "rewritten", "note",
    ]
    static let arpFields = ipFields.union(["op", "sender", "target"])

    static func parse(_ hops: [PacketHop]) throws -> [[String: Any]] {
        let text = TraceJSONRenderer.render(hops)
        let value = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
        return try #require(value as? [[String: Any]])
    }

    @Test func everyHopIsAnObjectWithExactlyTheDocumentedFields() throws {
        for hops in [TraceFixtures.nat, TraceFixtures.dr, TraceFixtures.tun] {
            let objects = try Self.parse(hops)
            #expect(objects.count == hops.count)
            for (object, hop) in zip(objects, hops) {
                #expect(Set(object.keys) == (hop.proto == .arp ? Self.arpFields : Self.ipFields))
            }
        }
    }

    @Test func natDNATHopHasItsValues() throws {
        let objects = try Self.parse(TraceFixtures.nat)
        let dnat = objects[6]
        #expect(dnat["t_ns"] as? Int == 2_255_000)
        #expect(dnat["link"] as? String == "inside")
        #expect(dnat["from"] as? String == "director")
        #expect(dnat["to"] as? String == "rs1")
        #expect(dnat["src_mac"] as? String == "02:00:00:00:00:d1")
        #expect(dnat["dst_mac"] as? String == "02:00:00:00:10:01")
        #expect(dnat["proto"] as? String == "tcp")
        #expect(dnat["src_ip"] as? String == "172.16.1.10")
        #expect(dnat["src_port"] as? Int == 40001)
        #expect(dnat["dst_ip"] as? String == "192.168.10.1")
        #expect(dnat["dst_port"] as? Int == 80)
        #expect(dnat["flags"] as? String == "SYN")
        #expect(dnat["seq"] as? Int == 1000)
        #expect(dnat["ack"] as? Int == 0)
        #expect(dnat["payload_bytes"] as? Int == 0)
        #expect(dnat["ip_length"] as? Int == 60)
        #expect(dnat["outer"] is NSNull)
        #expect(dnat["rewritten"] as? [String] == ["eth.src", "eth.dst", "ip.dst", "ip.ttl", "ip.csum", "l4.csum"])
        #expect(dnat["note"] as? String == "director: NAT to rs1 (VIP -> RIP)")
        // The client's first SYN rewrote nothing.
        #expect(objects[0]["rewritten"] as? [String] == [])
        #expect(objects[8]["rewritten"] as? [String] == ["eth.src", "eth.dst", "ip.src", "ip.ttl", "ip.csum", "l4.csum"])
        #expect(objects[8]["flags"] as? String == "SYN,ACK")
    }

    @Test func arpHopsHaveOpSenderTargetAndNullIPFields() throws {
        let objects = try Self.parse(TraceFixtures.nat)
        let request = objects[1]
        #expect(request["proto"] as? String == "arp")
        #expect(request["op"] as? String == "request")
        #expect(request["to"] as? String == "*")
        #expect(request["dst_mac"] as? String == "ff:ff:ff:ff:ff:ff")
        #expect(request["sender"] as? [String: String] == ["mac": "02:00:00:00:00:01", "ip": "202.99.59.1"])
        #expect(request["target"] as? [String: String] == ["mac": "00:00:00:00:00:00", "ip": "202.99.59.110"])
        for key in ["src_ip", "src_port", "dst_ip", "dst_port", "flags", "seq", "ack", "outer"] {
            #expect(request[key] is NSNull, "\(key)")
        }
        #expect(request["ip_length"] as? Int == 28)
        let reply = objects[2]
        #expect(reply["op"] as? String == "reply")
        #expect(reply["sender"] as? [String: String] == ["mac": "02:00:00:00:00:d0", "ip": "202.99.59.110"])
        #expect(reply["target"] as? [String: String] == ["mac": "02:00:00:00:00:01", "ip": "202.99.59.1"])
        #expect(reply["src_mac"] as? String == "02:00:00:00:00:d0")
        #expect(reply["dst_mac"] as? String == "02:00:00:00:00:01")
    }

    @Test func outerIsAnObjectOnlyWhenTunnelled() throws {
        let objects = try Self.parse(TraceFixtures.tun)
        let tunnelled = try #require(objects[4]["outer"] as? [String: Any])
        #expect(Set(tunnelled.keys) == ["src_ip", "dst_ip", "proto", "df"])
        #expect(tunnelled["src_ip"] as? String == "202.99.59.109")
        #expect(tunnelled["dst_ip"] as? String == "202.99.59.108")
        #expect(tunnelled["proto"] as? String == "ipip")
        #expect(tunnelled["df"] as? Bool == true)
        #expect(objects[4]["ip_length"] as? Int == 80)
        #expect(objects[4]["rewritten"] as? [String] == ["eth.src", "eth.dst", "outer", "ip.ttl", "ip.csum"])
        #expect(objects[5]["outer"] is NSNull)
        // ICMP: IPs, no ports, no flags.
        let icmp = objects[10]
        #expect(icmp["proto"] as? String == "icmp")
        #expect(icmp["src_ip"] as? String == "202.99.59.109")
        #expect(icmp["src_port"] is NSNull)
        #expect(icmp["dst_port"] is NSNull)
        #expect(icmp["flags"] is NSNull)
        #expect(objects[9]["note"] as? String == "dropped: 1520 bytes with DF exceed the outside MTU 1500 after the IPIP header")
    }

    @Test func layoutIsOneObjectPerLineInFixedKeyOrder() {
        let text = TraceJSONRenderer.render(Array(TraceFixtures.dr.prefix(1)))
        #expect(
            text == """
                [
                  {"t_ns":0,"link":"internet","from":"client","to":"router","src_mac":"02:00:00:00:0c:01",\
                "dst_mac":"02:00:00:00:00:02","proto":"tcp","src_ip":"172.16.1.10","src_port":40001,\
                "dst_ip":"202.99.59.110","dst_port":80,"flags":"SYN","seq":1000,"ack":0,"payload_bytes":0,\
                "ip_length":60,"outer":null,"rewritten":[],"note":""}
                ]

                """)
        #expect(TraceJSONRenderer.render([]) == "[]\n")
        #expect(TraceJSONRenderer.render(TraceFixtures.tun) == TraceJSONRenderer.render(TraceFixtures.tun))
    }

    @Test func stringsAreEscaped() throws {
        var hop = TraceFixtures.nat[0]
        hop.note = "a \"quoted\" \\ note\nwith\ttabs \u{01} & <b>"
        let objects = try Self.parse([hop])
        #expect(objects[0]["note"] as? String == hop.note)
        #expect(TraceJSONRenderer.string("\u{01}\n") == "\"\\u0001\\n\"")
    }
}
