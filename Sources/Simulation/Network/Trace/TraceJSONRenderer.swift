/// `lvssim trace --format json`: a JSON array with one object per hop, one
/// object per line, keys always in the same order (the README documents the
/// schema).
///
/// Every hop has `t_ns`, `link`, `from`, `to`, `src_mac`, `dst_mac`,
/// `proto` ("tcp", "udp", "icmp", "arp"), `src_ip`, `src_port`, `dst_ip`,
/// `dst_port`, `flags`, `seq`, `ack`, `payload_bytes`, `ip_length`, `outer`,
/// `rewritten` and `note`. IP fields are null for ARP, ports null for ARP and
/// ICMP, `flags`/`seq`/`ack` null when not TCP, `outer` is
/// `{"src_ip","dst_ip","proto":"ipip","df"}` or null. ARP hops add `op`
/// ("request"/"reply"), `sender` and `target` (`{"mac","ip"}`).
public enum TraceJSONRenderer {
    /// The array, ending in "\n"; "[]\n" for no hops.
    public static func render(_ hops: [PacketHop]) -> String {
        guard !hops.isEmpty else { return "[]\n" }
        return "[\n" + hops.map { "  " + object($0) }.joined(separator: ",\n") + "\n]\n"
    }

    /// One hop as a single-line JSON object.
    public static func object(_ hop: PacketHop) -> String {
        let isTCP = hop.proto == .tcp
        var fields: [(String, String)] = [
            ("t_ns", String(hop.timeNanoseconds)),
            ("link", string(hop.link)),
            ("from", string(hop.from)),
            ("to", string(hop.to)),
            ("src_mac", string(hop.sourceMAC.description)),
            ("dst_mac", string(hop.destinationMAC.description)),
            ("proto", string(hop.proto.rawValue)),
            ("src_ip", optional(hop.sourceIP.map { string("\($0)") })),
            ("src_port", optional(hop.sourcePort.map { String($0) })),
            ("dst_ip", optional(hop.destinationIP.map { string("\($0)") })),
            ("dst_port", optional(hop.destinationPort.map { String($0) })),
            ("flags", isTCP ? string(hop.flags) : "null"),
            ("seq", optional(isTCP ? hop.sequence.map { String($0) } : nil)),
            ("ack", optional(isTCP ? hop.acknowledgement.map { String($0) } : nil)),
            ("payload_bytes", String(hop.payloadLength)),
            ("ip_length", String(hop.ipLength)),
            ("outer", optional(hop.outer.map(outer))),
            ("rewritten", "[" + hop.rewritten.map { string($0.name) }.joined(separator: ",") + "]"),
            ("note", string(hop.note)),
        ]
        if let arp = hop.arp {
            fields.append(("op", string(arp.operation == .request ? "request" : "reply")))
            fields.append(("sender", endpoint(mac: arp.senderMAC.description, ip: "\(arp.senderIP)")))
            fields.append(("target", endpoint(mac: arp.targetMAC.description, ip: "\(arp.targetIP)")))
        }
        return "{" + fields.map { "\(string($0.0)):\($0.1)" }.joined(separator: ",") + "}"
    }

    private static func outer(_ outer: PacketHop.Outer) -> String {
        "{\"src_ip\":\(string("\(outer.sourceIP)")),\"dst_ip\":\(string("\(outer.destinationIP)")),"
            + "\"proto\":\"ipip\",\"df\":\(outer.dontFragment)}"
    }

    private static func endpoint(mac: String, ip: String) -> String {
        "{\"mac\":\(string(mac)),\"ip\":\(string(ip))}"
    }

    private static func optional(_ value: String?) -> String { value ?? "null" }

    /// A JSON string literal: quotes, backslashes and control characters escaped.
    static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default:
                if scalar.value < 0x20 {
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out + "\""
    }
}
