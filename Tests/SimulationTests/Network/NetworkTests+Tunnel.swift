import LVSModel
import Testing

@testable import Simulation

/// LVS-TUN: IPIP encapsulation, the tunnel MTU and the real server's tunl0
/// and rp_filter rules (`spec/ipvs-forwarding.md` §5).
extension NetworkTests {
    static let tunRIP = NetworkFixtures.ip("192.0.2.11")

    func tunDirector(pmtuDiscovery: Bool = true) -> DirectorForwarder {
        DirectorForwarder(host: F.drDirector, neighbours: [F.router: F.routerMAC], isPMTUDiscoveryEnabled: pmtuDiscovery)
    }

    @Test func tunEncapsulatesFromTheDIPToTheRIPViaTheGateway() throws {
        let inbound = F.inboundSegment()
        let result = tunDirector().forwardInbound(
            inbound, to: Endpoint(address: Self.tunRIP, port: 80), method: .tunnel, identification: 42)
        let sent = try #require(result.forwarded)
        #expect(result.transmissions[0].interface == "eth0")
        #expect(result.transmissions[0].nextHop == F.router)  // RIP is remote: frame to the router
        #expect(sent.ethernet == EthernetHeader(source: F.directorOutsideMAC, destination: F.routerMAC))
        let outer = try #require(sent.outer)
        #expect(outer.source == F.ip("202.99.59.109"))
        #expect(outer.destination == Self.tunRIP)
        #expect(outer.protocol == .ipip)
        #expect(outer.ttl == 59)
        #expect(outer.dontFragment)
        #expect(outer.totalLength == 60)
        #expect(outer.identification == 42)
        #expect(sent.ip.source == F.client.address)
        #expect(sent.ip.destination == F.vip)
        #expect(sent.ip.ttl == 59)
        #expect(sent.transport == inbound.transport)
        #expect(sent.ipLength == 60)
        #expect(result.rewrittenFields == [.ethernetSource, .ethernetDestination, .outerHeader, .ttl, .ipChecksum])
    }

    @Test func tunRefusesADFPacketLargerThanTheTunnelMTUWithFragmentationNeeded() throws {
        // 20 + 20 + 1460 = 1500 bytes; tunnel MTU 1500 − 20 = 1480.
        let inbound = F.inboundSegment(flags: .ack, payloadLength: 1460)
        let result = tunDirector().forwardInbound(inbound, to: Endpoint(address: Self.tunRIP, port: 80), method: .tunnel)
        #expect(result.drop == .fragmentationNeeded(mtu: 1480))
        let icmp = try #require(result.transmissions.first)
        #expect(result.transmissions.count == 1)
        #expect(icmp.interface == "eth0")
        #expect(icmp.nextHop == F.router)
        #expect(icmp.packet.ethernet == EthernetHeader(source: F.directorOutsideMAC, destination: F.routerMAC))
        #expect(icmp.packet.ip.source == F.vip)
        #expect(icmp.packet.ip.destination == F.client.address)
        #expect(icmp.packet.ip.protocol == .icmp)
        #expect(icmp.packet.ip.ttl == 64)
        #expect(!icmp.packet.ip.dontFragment)
        #expect(icmp.packet.ip.totalLength == 576)
        let message = try #require(icmp.packet.transport.icmp)
        #expect(message.kind == .fragmentationNeeded(nextHopMTU: 1480))
        #expect(message.kind.typeAndCode.type == 3 && message.kind.typeAndCode.code == 4)
        #expect(message.quote?.ip == inbound.ip)
        #expect(message.quote?.sourcePort == 51000)
        #expect(message.quote?.destinationPort == 80)
    }

    @Test func tunAcceptsExactlyTheTunnelMTUAndSkipsTheCheckWithoutPMTUDiscovery() throws {
        let fits = tunDirector().forwardInbound(
            F.inboundSegment(flags: .ack, payloadLength: 1440), to: Endpoint(address: Self.tunRIP, port: 80), method: .tunnel)
        #expect(try #require(fits.forwarded).ipLength == 1500)

        let big = F.inboundSegment(flags: .ack, payloadLength: 1460)
        let result = tunDirector(pmtuDiscovery: false).forwardInbound(
            big, to: Endpoint(address: Self.tunRIP, port: 80), method: .tunnel)
        let sent = try #require(result.forwarded)
        #expect(sent.outer?.dontFragment == false)
        #expect(sent.ipLength == 1520)
        #expect(result.rewrittenFields.contains(.outerDontFragment))
    }

    @Test func nonDFPacketsAreNotRefused() {
        var inbound = F.inboundSegment(flags: .ack, payloadLength: 1460)
        inbound.ip.dontFragment = false
        let result = tunDirector().forwardInbound(inbound, to: Endpoint(address: Self.tunRIP, port: 80), method: .tunnel)
        #expect(result.drop == nil)
    }

    /// The encapsulated packet as router G (192.0.2.1, MAC g) hands it to the real server.
    func arrivingAtRemoteServer() throws -> Packet {
        var packet = try #require(
            tunDirector().forwardInbound(F.inboundSegment(), to: Endpoint(address: Self.tunRIP, port: 80), method: .tunnel)
                .forwarded)
        packet.ethernet = EthernetHeader(source: F.mac("02:00:00:00:00:99"), destination: F.realServerMACs[0])
        packet.outer?.ttl = 50
        return packet
    }

    @Test func tunRealServerDecapsulatesOnTunl0() throws {
        let packet = try arrivingAtRemoteServer()
        var inner = packet
        inner.outer = nil
        #expect(PacketReceiver.receive(packet, on: "eth0", host: F.tunRealServer()) == .deliver(inner, interface: "tunl0"))
        // Loose mode (2) on all and tunl0 passes: a route back to the client exists.
        #expect(
            PacketReceiver.receive(packet, on: "eth0", host: F.tunRealServer(allRPFilter: 2, tunnelRPFilter: 2))
                == .deliver(inner, interface: "tunl0"))
    }

    @Test func tunRealServerWithStrictRPFilterDropsTheDecapsulatedPacket() throws {
        let packet = try arrivingAtRemoteServer()
        #expect(
            PacketReceiver.receive(packet, on: "eth0", host: F.tunRealServer(allRPFilter: 1)).dropReason
                == .reversePathFilter(interface: "tunl0", mode: 1))
        // Setting only tunl0 to 0 is not enough: the maximum with all counts.
        #expect(
            PacketReceiver.receive(packet, on: "eth0", host: F.tunRealServer(allRPFilter: 1, tunnelRPFilter: 0)).dropReason
                == .reversePathFilter(interface: "tunl0", mode: 1))
        #expect(
            PacketReceiver.receive(packet, on: "eth0", host: F.tunRealServer(allRPFilter: 0, tunnelRPFilter: 1)).dropReason
                == .reversePathFilter(interface: "tunl0", mode: 1))
    }

    @Test func tunRealServerWithoutTunl0DropsTheOuterPacket() throws {
        let packet = try arrivingAtRemoteServer()
        #expect(PacketReceiver.receive(packet, on: "eth0", host: F.tunRealServer(hasTunnel: false)).dropReason == .noTunnelDevice)
    }

    @Test func framesForAnotherMACAreIgnored() throws {
        var packet = try arrivingAtRemoteServer()
        packet.ethernet.destination = F.realServerMACs[2]
        #expect(PacketReceiver.receive(packet, on: "eth0", host: F.tunRealServer()).dropReason == .notAddressedToInterface)
    }
}
