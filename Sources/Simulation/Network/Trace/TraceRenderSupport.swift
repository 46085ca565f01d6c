import LVSModel

/// Formatting shared by the trace renderers (text, JSON, HTML): one place
/// decides how a time, an endpoint or a hop's kind is written.
enum TraceRenderSupport {
    /// `t_ns` as milliseconds with microsecond precision: 2_051_300 ns → "2.051".
    /// Integer arithmetic, so the same input gives the same bytes everywhere.
    static func milliseconds(_ nanoseconds: Int64) -> String {
        let negative = nanoseconds < 0
        let micros = (negative ? -nanoseconds : nanoseconds) / 1_000
        let whole = micros / 1_000
        let fraction = String(micros % 1_000)
        let padded = String(repeating: "0", count: 3 - fraction.count) + fraction
        return (negative ? "-" : "") + "\(whole).\(padded)"
    }

    /// Whether the hop records a packet that was dropped where it arrived
    /// (its note starts with "dropped", as the packet simulation writes it).
    static func isDrop(_ hop: PacketHop) -> Bool {
        hop.note.lowercased().hasPrefix("dropped")
    }

    /// The protocol column: "TCP SYN", "UDP", "ICMP", "ARP request".
    static func protoLabel(_ hop: PacketHop) -> String {
        switch hop.proto {
        case .tcp: return hop.flags.isEmpty ? "TCP" : "TCP \(hop.flags)"
        case .udp: return "UDP"
        case .icmp: return "ICMP"
        case .arp:
            guard let arp = hop.arp else { return "ARP" }
            return arp.operation == .request ? "ARP request" : "ARP reply"
        }
    }

    /// "sender → receiver"; a broadcast's "*" is written "(broadcast)" so it
    /// cannot be taken for the text table's rewritten marker.
    static func hostPair(_ hop: PacketHop) -> String {
        "\(hop.from) → \(hop.to == "*" ? "(broadcast)" : hop.to)"
    }

    /// The ARP question or answer in tcpdump's words:
    /// "who-has 202.99.59.110 tell 202.99.59.1", "202.99.59.110 is-at 02:00:00:00:00:d0".
    static func arpSummary(_ arp: PacketHop.ARPFields) -> String {
        switch arp.operation {
        case .request: return "who-has \(arp.targetIP) tell \(arp.senderIP)"
        case .reply: return "\(arp.senderIP) is-at \(arp.senderMAC)"
        }
    }

    /// The outer IPIP header as one phrase: "IPIP 202.99.59.109 → 202.99.59.108 DF".
    static func outerSummary(_ outer: PacketHop.Outer) -> String {
        "IPIP \(outer.sourceIP) → \(outer.destinationIP)" + (outer.dontFragment ? " DF" : "")
    }

    /// The hosts as lanes of a sequence diagram: client, router, director
    /// (those present), then every other host in order of first appearance.
    /// "*" (a broadcast nobody in particular receives) is not a lane.
    static func lanes(_ hops: [PacketHop]) -> [String] {
        var seen: [String] = []
        for hop in hops {
            for name in [hop.from, hop.to] where name != "*" && !seen.contains(name) {
                seen.append(name)
            }
        }
        let fixed = ["client", "router", "director"].filter { seen.contains($0) }
        return fixed + seen.filter { !fixed.contains($0) }
    }

    /// `text` with `&`, `<`, `>`, `"` and `'` escaped for HTML and XML.
    static func escapeXML(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// One piece of a rendered address: its text and whether the hop rewrote it.
    struct Piece: Equatable {
        var text: String
        var rewritten: Bool
        init(_ text: String, rewritten: Bool = false) {
            self.text = text
            self.rewritten = rewritten
        }
    }

    /// "src MAC → dst MAC", each MAC flagged when the hop rewrote it.
    static func macPieces(_ hop: PacketHop) -> [Piece] {
        [
            Piece(hop.sourceMAC.description, rewritten: hop.rewritten.contains(.ethernetSource)),
            Piece(" → "),
            Piece(hop.destinationMAC.description, rewritten: hop.rewritten.contains(.ethernetDestination)),
        ]
    }

    /// "src IP:port → dst IP:port" (ports only for TCP/UDP), each address and
    /// port flagged when the hop rewrote it; for ARP the question or answer.
    static func addressPieces(_ hop: PacketHop) -> [Piece] {
        if hop.proto == .arp {
            guard let arp = hop.arp else { return [Piece("")] }
            return [Piece(arpSummary(arp))]
        }
        var pieces: [Piece] = []
        func endpoint(_ ip: IPAddress?, _ port: UInt16?, ipField: PacketField, portField: PacketField) {
            pieces.append(Piece(ip.map { "\($0)" } ?? "?", rewritten: hop.rewritten.contains(ipField)))
            if let port {
                pieces.append(Piece(":"))
                pieces.append(Piece(String(port), rewritten: hop.rewritten.contains(portField)))
            }
        }
        endpoint(hop.sourceIP, hop.sourcePort, ipField: .ipSource, portField: .sourcePort)
        pieces.append(Piece(" → "))
        endpoint(hop.destinationIP, hop.destinationPort, ipField: .ipDestination, portField: .destinationPort)
        return pieces
    }

    /// The outer header, flagged when this hop added it (or cleared its DF bit).
    static func outerPieces(_ hop: PacketHop) -> [Piece] {
        guard let outer = hop.outer else { return [] }
        let added = hop.rewritten.contains(.outerHeader) || hop.rewritten.contains(.outerDontFragment)
        return [Piece(outerSummary(outer), rewritten: added)]
    }

    /// The rewritten field names, comma-separated ("" when none).
    static func rewrittenList(_ hop: PacketHop) -> String {
        hop.rewritten.map(\.name).joined(separator: ",")
    }
}
