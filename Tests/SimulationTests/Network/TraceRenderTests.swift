import LVSModel
import Testing

@testable import Simulation

/// Hand-built traces of one connection through the three forwarding methods
/// (`spec/ipvs-forwarding.md` §3.2, §4.2, §5.2), as the packet-level
/// simulation records them: client 172.16.1.10:40001 → VIP 202.99.59.110:80
/// through the router (172.16.0.1 on "internet", 202.99.59.1 on "outside").
enum TraceFixtures {
    static func ip(_ text: String) -> IPAddress { IPAddress(text)! }
    static func mac(_ text: String) -> MACAddress { MACAddress(text)! }

    static let clientIP = ip("172.16.1.10")
    static let clientPort: UInt16 = 40001
    static let vip = ip("202.99.59.110")
    static let routerOutsideIP = ip("202.99.59.1")
    static let dip = ip("202.99.59.109")
    static let natInsideIP = ip("192.168.10.254")
    static let natRIP = ip("192.168.10.1")
    static let drRIP = ip("202.99.59.108")

    static let clientMAC = mac("02:00:00:00:0c:01")
    static let routerInternetMAC = mac("02:00:00:00:00:02")
    static let routerOutsideMAC = mac("02:00:00:00:00:01")
    static let directorOutsideMAC = mac("02:00:00:00:00:d0")
    static let directorInsideMAC = mac("02:00:00:00:00:d1")
    static let rs1MAC = mac("02:00:00:00:10:01")

    /// The hop-by-hop rewrite of a routed frame: new MACs, TTL − 1, IP checksum.
    static let routed: [PacketField] = [.ethernetSource, .ethernetDestination, .ttl, .ipChecksum]

    /// A TCP hop from the client towards the VIP (`destination` overrides the VIP, for NAT).
    static func inbound(
        _ t: Int64, _ link: String, _ from: String, _ to: String, _ smac: MACAddress, _ dmac: MACAddress,
        flags: String, seq: UInt32, ack: UInt32 = 0, destination: IPAddress = vip, payload: Int = 0,
        outer: PacketHop.Outer? = nil, rewritten: [PacketField] = [], note: String = ""
    ) -> PacketHop {
        PacketHop(
            timeNanoseconds: t, link: link, from: from, to: to, sourceMAC: smac, destinationMAC: dmac, proto: .tcp,
            sourceIP: clientIP, destinationIP: destination, sourcePort: clientPort, destinationPort: 80, flags: flags,
            sequence: seq, acknowledgement: ack, payloadLength: payload,
            ipLength: (flags == "SYN" ? 60 : 52) + payload + (outer == nil ? 0 : 20), outer: outer,
            rewritten: rewritten, note: note)
    }

    /// A TCP hop from the server back towards the client.
    static func reply(
        _ t: Int64, _ link: String, _ from: String, _ to: String, _ smac: MACAddress, _ dmac: MACAddress,
        flags: String, seq: UInt32, ack: UInt32, source: IPAddress = vip, rewritten: [PacketField] = [],
        note: String = ""
    ) -> PacketHop {
        PacketHop(
            timeNanoseconds: t, link: link, from: from, to: to, sourceMAC: smac, destinationMAC: dmac, proto: .tcp,
            sourceIP: source, destinationIP: clientIP, sourcePort: 80, destinationPort: clientPort, flags: flags,
            sequence: seq, acknowledgement: ack, ipLength: 60, rewritten: rewritten, note: note)
    }

    /// A broadcast ARP request and its unicast reply, built with ``ARPPacket``.
    static func arpExchange(
        _ t: Int64, link: String, asker: String, askerMAC: MACAddress, askerIP: IPAddress, owner: String,
        ownerMAC: MACAddress, target: IPAddress, note: String
    ) -> [PacketHop] {
        let request = ARPPacket.request(senderMAC: askerMAC, senderIP: askerIP, targetIP: target)
        let reply = ARPPacket.reply(to: request, with: ownerMAC)
        return [
            PacketHop(arp: request, timeNanoseconds: t, link: link, from: asker, to: "*", note: note),
            PacketHop(arp: reply, timeNanoseconds: t + 51_000, link: link, from: owner, to: asker),
        ]
    }

    /// LVS-NAT: director 202.99.59.110 (outside) / 192.168.10.254 (inside), rs1 192.168.10.1:80.
    static var nat: [PacketHop] {
        var hops: [PacketHop] = []
        hops.append(
            inbound(0, "internet", "client", "router", clientMAC, routerInternetMAC, flags: "SYN", seq: 1000,
                note: "client opens the connection to the VIP"))
        hops += arpExchange(
            2_000_480, link: "outside", asker: "router", askerMAC: routerOutsideMAC, askerIP: routerOutsideIP,
            owner: "director", ownerMAC: directorOutsideMAC, target: vip, note: "router resolves the VIP")
        hops.append(
            inbound(2_102_000, "outside", "router", "director", routerOutsideMAC, directorOutsideMAC, flags: "SYN",
                seq: 1000, rewritten: routed, note: "router forwards to the VIP"))
        hops += arpExchange(
            2_153_000, link: "inside", asker: "director", askerMAC: directorInsideMAC, askerIP: natInsideIP,
            owner: "rs1", ownerMAC: rs1MAC, target: natRIP, note: "director resolves rs1")
        hops.append(
            inbound(2_255_000, "inside", "director", "rs1", directorInsideMAC, rs1MAC, flags: "SYN", seq: 1000,
                destination: natRIP,
                rewritten: [.ethernetSource, .ethernetDestination, .ipDestination, .ttl, .ipChecksum, .transportChecksum],
                note: "director: NAT to rs1 (VIP -> RIP)"))
        hops.append(
            reply(2_310_000, "inside", "rs1", "director", rs1MAC, directorInsideMAC, flags: "SYN,ACK", seq: 5000,
                ack: 1001, source: natRIP, note: "rs1 answers via its gateway, the director"))
        hops.append(
            reply(2_361_000, "outside", "director", "router", directorOutsideMAC, routerOutsideMAC, flags: "SYN,ACK",
                seq: 5000, ack: 1001,
                rewritten: [.ethernetSource, .ethernetDestination, .ipSource, .ttl, .ipChecksum, .transportChecksum],
                note: "director: reply source RIP -> VIP"))
        hops.append(
            reply(2_412_000, "internet", "router", "client", routerInternetMAC, clientMAC, flags: "SYN,ACK", seq: 5000,
                ack: 1001, rewritten: routed))
        return hops
    }

    /// LVS-DR: DIP 202.99.59.109, rs1 202.99.59.108 with the VIP on lo:0;
    /// the director re-addresses the frame only, the reply bypasses it.
    static var dr: [PacketHop] {
        var hops: [PacketHop] = []
        hops.append(inbound(0, "internet", "client", "router", clientMAC, routerInternetMAC, flags: "SYN", seq: 1000))
        hops.append(
            inbound(2_000_480, "outside", "router", "director", routerOutsideMAC, directorOutsideMAC, flags: "SYN",
                seq: 1000, rewritten: routed))
        hops += arpExchange(
            2_051_000, link: "outside", asker: "director", askerMAC: directorOutsideMAC, askerIP: dip, owner: "rs1",
            ownerMAC: rs1MAC, target: drRIP, note: "director resolves rs1")
        hops.append(
            inbound(2_153_000, "outside", "director", "rs1", directorOutsideMAC, rs1MAC, flags: "SYN", seq: 1000,
                rewritten: routed, note: "director: DR to rs1 (frame re-addressed, IP untouched)"))
        hops.append(
            reply(2_204_000, "outside", "rs1", "router", rs1MAC, routerOutsideMAC, flags: "SYN,ACK", seq: 5000,
                ack: 1001, note: "rs1 answers from the VIP on lo:0 straight to the router"))
        hops.append(
            reply(2_255_000, "internet", "router", "client", routerInternetMAC, clientMAC, flags: "SYN,ACK", seq: 5000,
                ack: 1001, rewritten: routed))
        return hops
    }

    /// LVS-TUN: DIP 202.99.59.109 → RIP 202.99.59.108 in IPIP; the client's
    /// full-size DF segment no longer fits after the 20-byte outer header.
    static var tun: [PacketHop] {
        let outer = PacketHop.Outer(sourceIP: dip, destinationIP: drRIP, dontFragment: true)
        let tunnelled: [PacketField] = [.ethernetSource, .ethernetDestination, .outerHeader, .ttl, .ipChecksum]
        var hops: [PacketHop] = []
        hops.append(inbound(0, "internet", "client", "router", clientMAC, routerInternetMAC, flags: "SYN", seq: 1000))
        hops.append(
            inbound(2_000_480, "outside", "router", "director", routerOutsideMAC, directorOutsideMAC, flags: "SYN",
                seq: 1000, rewritten: routed))
        hops += arpExchange(
            2_051_000, link: "outside", asker: "director", askerMAC: directorOutsideMAC, askerIP: dip, owner: "rs1",
            ownerMAC: rs1MAC, target: drRIP, note: "director resolves rs1")
        hops.append(
            inbound(2_153_000, "outside", "director", "rs1", directorOutsideMAC, rs1MAC, flags: "SYN", seq: 1000,
                outer: outer, rewritten: tunnelled, note: "director: IPIP to rs1"))
        hops.append(
            reply(2_204_000, "outside", "rs1", "router", rs1MAC, routerOutsideMAC, flags: "SYN,ACK", seq: 5000,
                ack: 1001, note: "rs1 decapsulates on tunl0 and answers from the VIP"))
        hops.append(
            reply(2_255_000, "internet", "router", "client", routerInternetMAC, clientMAC, flags: "SYN,ACK", seq: 5000,
                ack: 1001, rewritten: routed))
        hops.append(
            inbound(4_255_000, "internet", "client", "router", clientMAC, routerInternetMAC, flags: "PSH,ACK",
                seq: 1001, ack: 5001, payload: 1448))
        hops.append(
            inbound(6_267_000, "outside", "router", "director", routerOutsideMAC, directorOutsideMAC,
                flags: "PSH,ACK", seq: 1001, ack: 5001, payload: 1448, rewritten: routed))
        hops.append(
            inbound(6_330_000, "outside", "director", "rs1", directorOutsideMAC, rs1MAC, flags: "PSH,ACK", seq: 1001,
                ack: 5001, payload: 1448, outer: outer, rewritten: tunnelled,
                note: "dropped: 1520 bytes with DF exceed the outside MTU 1500 after the IPIP header"))
        hops.append(
            PacketHop(
                timeNanoseconds: 6_331_000, link: "outside", from: "director", to: "router",
                sourceMAC: directorOutsideMAC, destinationMAC: routerOutsideMAC, proto: .icmp, sourceIP: dip,
                destinationIP: clientIP, ipLength: 576, note: "ICMP fragmentation needed, mtu 1480"))
        return hops
    }
}

/// `TraceTextRenderer`: the aligned table and its markers.
@Suite struct TraceRenderTests {
    /// The start offset (in characters) of every column of `line`, given the header's column names.
    static func columnStarts(_ header: String, names: [String]) -> [Int] {
        names.map { name in header.distance(from: header.startIndex, to: header.range(of: name)!.lowerBound) }
    }

    static let headerNames = ["link", "from → to", "src MAC → dst MAC", "src → dst", "proto", "outer", "rewritten", "note"]

    @Test func everyRowStartsItsColumnsWhereTheHeaderDoes() {
        for hops in [TraceFixtures.nat, TraceFixtures.dr, TraceFixtures.tun] {
            let text = TraceTextRenderer.render(hops)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            let header = lines[0]
            let starts = Self.columnStarts(header, names: Self.headerNames)
            #expect(starts == starts.sorted())
            for line in lines[1...hops.count] {
                let characters = Array(line)
                // Every cell but the note has text ("-" when empty): the line reaches the rewritten column.
                #expect(characters.count > starts[starts.count - 2], "\(line)")
                for start in starts where start < characters.count {
                    // Two spaces separate columns: the character before a column start is a space,
                    // the one at it is not.
                    #expect(characters[start - 1] == " ", "\(line)")
                    #expect(characters[start] != " ", "\(line)")
                }
            }
            #expect(lines[hops.count + 1] == "")
            #expect(lines[hops.count + 2] == TraceTextRenderer.legend)
            #expect(text.hasSuffix(TraceTextRenderer.legend + "\n"))
        }
    }

    @Test func natRowsMarkTheRewrittenValues() {
        let lines = TraceTextRenderer.render(TraceFixtures.nat).split(separator: "\n").map(String.init)
        // Row 7 (line 7 after the header) is the director's DNAT of the SYN.
        let dnat = lines[7]
        #expect(dnat.contains("02:00:00:00:00:d1* → 02:00:00:00:10:01*"))
        #expect(dnat.contains("172.16.1.10:40001 → 192.168.10.1*:80 "))
        #expect(dnat.contains("eth.src,eth.dst,ip.dst,ip.ttl,ip.csum,l4.csum"))
        #expect(dnat.contains("TCP SYN "))
        #expect(dnat.hasPrefix(" 7   2.255  inside    director → rs1"))
        // Row 9: the un-NAT of the reply.
        #expect(lines[9].contains("202.99.59.110*:80 → 172.16.1.10:40001"))
        // Row 1: originated by the client, nothing marked, "-" in outer and rewritten.
        let first = lines[1]
        #expect(!first.contains("*"))
        #expect(first.hasPrefix(" 1   0.000  internet  client → router"))
        #expect(first.contains("  -  ") && first.contains(" - "))
    }

    @Test func arpRowsSayWhoHasAndIsAt() {
        let lines = TraceTextRenderer.render(TraceFixtures.nat).split(separator: "\n").map(String.init)
        #expect(lines[2].contains("router → (broadcast)"))
        #expect(!lines[2].contains("*"))  // no rewritten marker on an originated ARP request
        #expect(lines[2].contains("02:00:00:00:00:01 → ff:ff:ff:ff:ff:ff"))
        #expect(lines[2].contains("who-has 202.99.59.110 tell 202.99.59.1"))
        #expect(lines[2].contains("ARP request"))
        #expect(lines[3].contains("202.99.59.110 is-at 02:00:00:00:00:d0"))
        #expect(lines[3].contains("ARP reply"))
        #expect(lines[3].contains("  2.051  "))  // 2_051_480 ns
    }

    @Test func tunRowsShowTheOuterHeaderAndTheDrop() {
        let lines = TraceTextRenderer.render(TraceFixtures.tun).split(separator: "\n").map(String.init)
        #expect(lines[5].contains("IPIP 202.99.59.109 → 202.99.59.108 DF*"))
        #expect(lines[5].contains("eth.src,eth.dst,outer,ip.ttl,ip.csum"))
        #expect(lines[5].contains("172.16.1.10:40001 → 202.99.59.110:80 "))  // inner header untouched
        #expect(lines[10].contains("dropped: 1520 bytes"))
        // ICMP: no ports.
        #expect(lines[11].contains("202.99.59.109 → 172.16.1.10 "))
        #expect(lines[11].contains("ICMP"))
    }

    @Test func drDirectorRewritesOnlyTheFrame() {
        let lines = TraceTextRenderer.render(TraceFixtures.dr).split(separator: "\n").map(String.init)
        let dr = lines[5]
        #expect(dr.contains("02:00:00:00:00:d0* → 02:00:00:00:10:01*"))
        #expect(dr.contains("172.16.1.10:40001 → 202.99.59.110:80 "))
        #expect(dr.contains("eth.src,eth.dst,ip.ttl,ip.csum"))
    }

    @Test func emphasisAddsBoldWithoutMovingColumns() {
        let plain = TraceTextRenderer.render(TraceFixtures.nat)
        let bold = TraceTextRenderer.render(TraceFixtures.nat, emphasis: true)
        #expect(bold.contains("\u{1B}[1m192.168.10.1*\u{1B}[0m"))
        let stripped = bold.replacingOccurrences(of: "\u{1B}[1m", with: "").replacingOccurrences(of: "\u{1B}[0m", with: "")
        #expect(stripped == plain)
        #expect(!plain.contains("\u{1B}"))
    }

    @Test func renderingIsDeterministic() {
        #expect(TraceTextRenderer.render(TraceFixtures.tun) == TraceTextRenderer.render(TraceFixtures.tun))
        #expect(TraceTextRenderer.render([]).hasSuffix(TraceTextRenderer.legend + "\n"))
    }

    @Test func millisecondsKeepMicroseconds() {
        #expect(TraceRenderSupport.milliseconds(0) == "0.000")
        #expect(TraceRenderSupport.milliseconds(2_051_480) == "2.051")
        #expect(TraceRenderSupport.milliseconds(1_000_999_999) == "1000.999")
        #expect(TraceRenderSupport.milliseconds(999) == "0.000")
        #expect(TraceRenderSupport.milliseconds(12_000) == "0.012")
    }

    @Test func lanesPutClientRouterDirectorFirst() {
        #expect(TraceRenderSupport.lanes(TraceFixtures.nat) == ["client", "router", "director", "rs1"])
        let odd = [
            PacketHop(
                timeNanoseconds: 0, link: "l", from: "rs2", to: "director", sourceMAC: .zero, destinationMAC: .zero,
                proto: .udp),
            PacketHop(
                timeNanoseconds: 0, link: "l", from: "rs1", to: "client", sourceMAC: .zero, destinationMAC: .zero,
                proto: .udp),
        ]
        #expect(TraceRenderSupport.lanes(odd) == ["client", "director", "rs2", "rs1"])
    }
}
