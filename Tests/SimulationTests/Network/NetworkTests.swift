import LVSModel
import Testing

@testable import Simulation

/// Hand-worked cases for the packet-level network model: ARP policy,
/// routing, packet sizes (this file); the NAT, DR and TUN transforms and the
/// real-server receive rules (`NetworkTests+Forwarding.swift`); the ARP cache
/// (`NetworkTests+ARPCache.swift`).
@Suite struct NetworkTests {
    typealias F = NetworkFixtures

    // MARK: Packet sizes

    @Test func tcpSegmentSizesCountTwentyBytesPerHeaderAndTwentyMoreForIPIP() {
        var packet = F.inboundSegment()
        #expect(packet.ip.totalLength == 40)
        #expect(packet.ip.protocol == .tcp)
        #expect(packet.ipLength == 40)
        #expect(packet.frameLength == 54)
        packet.outer = IPv4Header(
            source: F.ip("202.99.59.109"), destination: F.ip("192.0.2.11"), protocol: .ipip, totalLength: 60)
        #expect(packet.innerLength == 40)
        #expect(packet.ipLength == 60)
        let full = F.inboundSegment(payloadLength: 1460)
        #expect(full.ip.totalLength == 1500)
    }

    @Test func icmpErrorQuotesAtMost548BytesOfTheOriginal() {
        let error = F.inboundSegment(payloadLength: 1460).icmpError(.fragmentationNeeded(nextHopMTU: 1480), from: F.vip)
        #expect(error.ip.totalLength == 20 + 8 + 548)
        let small = F.inboundSegment().icmpError(.portUnreachable, from: F.vip)
        #expect(small.ip.totalLength == 20 + 8 + 40)
        #expect(small.ip.destination == F.client.address)
        #expect(small.transport.icmp?.quote?.destinationPort == 80)
        #expect(small.transport.icmp?.kind == .portUnreachable)
        let (type, code) = ICMPMessage.Kind.portUnreachable.typeAndCode
        #expect(type == 3 && code == 3)
    }

    // MARK: Routing

    @Test func lookupPrefersTheLongestMatchingPrefix() {
        var host = F.drDirector
        host.staticRoutes.append(
            Route(destination: F.ip("192.0.2.0"), prefixLength: 24, interface: "eth0", gateway: F.ip("202.99.59.254")))
        host.staticRoutes.append(
            Route(destination: F.ip("192.0.2.11"), prefixLength: 32, interface: "eth0", gateway: F.ip("202.99.59.253")))
        #expect(host.route(to: F.ip("192.0.2.11"))?.nextHop == F.ip("202.99.59.253"))
        #expect(host.route(to: F.ip("192.0.2.12"))?.nextHop == F.ip("202.99.59.254"))
        #expect(host.route(to: F.ip("202.99.59.108"))?.nextHop == F.ip("202.99.59.108"))  // connected
        #expect(host.route(to: F.ip("202.99.59.108"))?.source == F.ip("202.99.59.109"))
        #expect(host.route(to: F.client.address)?.nextHop == F.router)  // default
        #expect(host.route(to: F.vip)?.isLocal == true)
    }

    @Test func wideMaskOnLoopbackMakesTheWholeSubnetLocal() {
        var host = F.drRealServer(vipLabel: nil)
        host.addAddress(F.vip, prefixLength: 24, label: "lo:0")
        #expect(host.isLocal(F.router))
        #expect(host.route(to: F.router)?.isLocal == true)
        #expect(!F.drRealServer().isLocal(F.router))
    }

    // MARK: arp_ignore

    /// (arp_ignore, VIP label on the real server, target, sender, replies?)
    static let arpIgnoreTable: [(UInt8, String, String, String, Bool)] = [
        // VIP on lo:0 — the correct DR set-up: only arp_ignore=0 leaks the VIP.
        (0, "lo:0", "202.99.59.110", "202.99.59.1", true),
        (1, "lo:0", "202.99.59.110", "202.99.59.1", false),
        (2, "lo:0", "202.99.59.110", "202.99.59.1", false),
        (3, "lo:0", "202.99.59.110", "202.99.59.1", true),  // scope global on lo still answered
        (8, "lo:0", "202.99.59.110", "202.99.59.1", false),
        // The RIP on eth0 stays resolvable, except across subnets with 2.
        (0, "lo:0", "202.99.59.108", "202.99.59.1", true),
        (1, "lo:0", "202.99.59.108", "202.99.59.1", true),
        (2, "lo:0", "202.99.59.108", "202.99.59.1", true),
        (1, "lo:0", "202.99.59.108", "10.9.9.9", true),
        (2, "lo:0", "202.99.59.108", "10.9.9.9", false),
        (8, "lo:0", "202.99.59.108", "202.99.59.1", false),
        // VIP wrongly on eth0:0: every value but 8 answers for it (2 too, the
        // /24 of the RIP holds both VIP and sender).
        (0, "eth0:0", "202.99.59.110", "202.99.59.1", true),
        (1, "eth0:0", "202.99.59.110", "202.99.59.1", true),
        (2, "eth0:0", "202.99.59.110", "202.99.59.1", true),
        (2, "eth0:0", "202.99.59.110", "10.9.9.9", false),
        (8, "eth0:0", "202.99.59.110", "202.99.59.1", false),
        // Not a local address at all: never answered.
        (0, "lo:0", "202.99.59.107", "202.99.59.1", false),
    ]

    @Test(arguments: arpIgnoreTable)
    func arpIgnoreDecidesWhoAnswersForTheVIP(row: (UInt8, String, String, String, Bool)) {
        let (value, label, target, sender, expected) = row
        let host = F.drRealServer(vipLabel: label, sysctls: InterfaceSysctls(arpIgnore: value))
        let answers = ARPPolicy.shouldReply(
            host, toRequestArrivingOn: "eth0", targetIP: F.ip(target), senderIP: F.ip(sender))
        #expect(answers == expected, "arp_ignore=\(value), VIP on \(label), who-has \(target) tell \(sender)")
    }

    @Test func arpIgnoreUsesTheMaximumOfAllAndTheDevice() {
        var host = F.drRealServer(sysctls: InterfaceSysctls(arpIgnore: 0))
        host.interfaces[host.interfaces.firstIndex { $0.name == "eth0" }!].sysctls.arpIgnore = 1
        #expect(!ARPPolicy.shouldReply(host, toRequestArrivingOn: "eth0", targetIP: F.vip, senderIP: F.router))
        // Setting it on lo alone does nothing: ARP never arrives on lo.
        var loOnly = F.drRealServer()
        loOnly.interfaces[0].sysctls.arpIgnore = 1
        #expect(ARPPolicy.shouldReply(loOnly, toRequestArrivingOn: "eth0", targetIP: F.vip, senderIP: F.router))
        #expect(!ARPPolicy.shouldReply(loOnly, toRequestArrivingOn: "lo", targetIP: F.vip, senderIP: F.router))
    }

    @Test func theDirectorWithDefaultsAnswersForTheVIPAndTheReplyIsWellFormed() throws {
        let request = ARPPacket.request(senderMAC: F.routerMAC, senderIP: F.router, targetIP: F.vip)
        let reply = try #require(ARPPolicy.reply(from: F.drDirector, to: request, arrivingOn: "eth0"))
        #expect(reply.operation == .reply)
        #expect(reply.senderIP == F.vip)
        #expect(reply.senderMAC == F.directorOutsideMAC)
        #expect(reply.targetIP == F.router)
        #expect(reply.targetMAC == F.routerMAC)
        #expect(reply.ethernet == EthernetHeader(source: F.directorOutsideMAC, destination: F.routerMAC, etherType: .arp))
        #expect(ARPPolicy.reply(from: F.drRealServer(sysctls: .directRoutingRealServer), to: request, arrivingOn: "eth0") == nil)
    }

    // MARK: arp_announce

    /// (arp_announce, VIP label, expected sender IP) for a real server sending
    /// a VIP-sourced reply that needs the gateway's MAC.
    static let arpAnnounceTable: [(UInt8, String, String)] = [
        (0, "lo:0", "202.99.59.110"),  // the VIP leaks and re-points the router
        (1, "lo:0", "202.99.59.110"),  // VIP, RIP and gateway share the /24: still leaks
        (2, "lo:0", "202.99.59.108"),  // the RIP: the fix
    ]

    @Test(arguments: arpAnnounceTable)
    func arpAnnounceChoosesTheRequestSenderAddress(row: (UInt8, String, String)) {
        let (value, label, expected) = row
        let host = F.drRealServer(vipLabel: label, sysctls: InterfaceSysctls(arpAnnounce: value))
        let source = ARPPolicy.requestSourceAddress(
            host, outgoingInterface: "eth0", packetSource: F.vip, target: F.router)
        #expect(source == F.ip(expected))
    }

    @Test func arpAnnounceOneKeepsTheSourceOnlyWhenItSharesASubnetWithTheTarget() {
        // A TUN-style VIP outside the RIP's subnet.
        var host = F.tunRealServer()
        host.allSysctls.arpAnnounce = 1
        #expect(
            ARPPolicy.requestSourceAddress(host, outgoingInterface: "eth0", packetSource: F.vip, target: F.ip("192.0.2.1"))
                == F.ip("192.0.2.11"))
        host.allSysctls.arpAnnounce = 0
        #expect(
            ARPPolicy.requestSourceAddress(host, outgoingInterface: "eth0", packetSource: F.vip, target: F.ip("192.0.2.1"))
                == F.vip)
        // A non-local packet source (forwarded traffic) is never used.
        #expect(
            ARPPolicy.requestSourceAddress(
                host, outgoingInterface: "eth0", packetSource: F.client.address, target: F.ip("192.0.2.1"))
                == F.ip("192.0.2.11"))
    }

    @Test func arpRequestFromARealServerCarriesItsMACAndTheChosenSender() throws {
        let host = F.drRealServer(sysctls: .directRoutingRealServer)
        let request = try #require(
            ARPPolicy.request(from: host, outgoingInterface: "eth0", packetSource: F.vip, target: F.router))
        #expect(request.senderIP == F.ip("202.99.59.108"))
        #expect(request.senderMAC == F.realServerMACs[0])
        #expect(request.targetMAC == .zero)
        #expect(request.ethernet.destination == .broadcast)
    }
}
