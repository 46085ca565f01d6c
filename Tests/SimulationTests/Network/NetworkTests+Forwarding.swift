import LVSModel
import Testing

@testable import Simulation

/// NAT, DR and TUN through the director transforms and the real-server
/// receive rules; every expected value worked out by hand from
/// `spec/ipvs-forwarding.md` §3–§5 and the fixture addresses.
extension NetworkTests {
    // MARK: NAT

    @Test func natInboundRewritesDestinationAddressAndPortOnly() throws {
        let director = DirectorForwarder(host: F.natDirector, neighbours: F.natNeighbours)
        let server = Endpoint(address: F.ip("192.168.10.1"), port: 8080)
        let result = director.forwardInbound(F.inboundSegment(), to: server, method: .masquerade)
        #expect(result.drop == nil)
        let sent = try #require(result.transmissions.first)
        #expect(result.transmissions.count == 1)
        #expect(sent.interface == "eth1")
        #expect(sent.nextHop == F.ip("192.168.10.1"))
        let packet = sent.packet
        #expect(packet.ethernet.source == F.directorInsideMAC)  // 02:..:d1
        #expect(packet.ethernet.destination == F.realServerMACs[0])  // 02:..:10:01
        #expect(packet.ip.source == F.ip("203.0.113.10"))  // client kept
        #expect(packet.ip.destination == F.ip("192.168.10.1"))
        #expect(packet.ip.ttl == 59)
        #expect(packet.transport.sourcePort == 51000)
        #expect(packet.transport.destinationPort == 8080)
        #expect(packet.outer == nil)
        #expect(
            result.rewrittenFields == [
                .ethernetSource, .ethernetDestination, .ipDestination, .ttl, .ipChecksum, .destinationPort,
                .transportChecksum,
            ])
    }

    @Test func natReplyRewritesSourceBackToTheVirtualService() throws {
        let director = DirectorForwarder(host: F.natDirector, neighbours: F.natNeighbours)
        let reply = Packet(
            ethernet: EthernetHeader(source: F.realServerMACs[0], destination: F.directorInsideMAC),
            ip: IPv4Header(source: F.ip("192.168.10.1"), destination: F.client.address, ttl: 64, protocol: .tcp, totalLength: 0),
            transport: .tcp(TCPHeader(sourcePort: 8080, destinationPort: 51000, flags: .synAck)))
        let result = director.forwardReply(reply, arrivingOn: "eth1", virtualService: F.service)
        let sent = try #require(result.forwarded)
        #expect(result.transmissions.count == 1)  // no redirect: in on eth1, out on eth0
        #expect(result.transmissions[0].interface == "eth0")
        #expect(result.transmissions[0].nextHop == F.router)
        #expect(sent.ethernet == EthernetHeader(source: F.directorOutsideMAC, destination: F.routerMAC))
        #expect(sent.ip.source == F.vip)
        #expect(sent.ip.destination == F.client.address)
        #expect(sent.ip.ttl == 63)
        #expect(sent.transport.sourcePort == 80)
        #expect(sent.transport.destinationPort == 51000)
        #expect(
            result.rewrittenFields == [
                .ethernetSource, .ethernetDestination, .ipSource, .ttl, .ipChecksum, .sourcePort, .transportChecksum,
            ])
    }

    @Test func natReplyIsDroppedWithoutIPForward() {
        var host = F.natDirector
        host.isForwardingEnabled = false
        let director = DirectorForwarder(host: host, neighbours: F.natNeighbours)
        let reply = Packet(
            ethernet: EthernetHeader(source: F.realServerMACs[0], destination: F.directorInsideMAC),
            ip: IPv4Header(source: F.ip("192.168.10.1"), destination: F.client.address, protocol: .tcp, totalLength: 0),
            transport: .tcp(TCPHeader(sourcePort: 80, destinationPort: 51000, flags: .synAck)))
        let result = director.forwardReply(reply, arrivingOn: "eth1", virtualService: F.service)
        #expect(result.drop == .forwardingDisabled)
        #expect(result.transmissions.isEmpty)
    }

    @Test func oneNetworkNATSendsARedirectUnlessSendRedirectsIsOffOnBoth() {
        // Clients' router and real server on one segment: reply in and out of eth0.
        var host = F.natDirector
        host.addAddress(F.ip("202.99.59.50"), prefixLength: 24, label: "eth0:1")
        let reply = Packet(
            ethernet: EthernetHeader(source: F.realServerMACs[1], destination: F.directorOutsideMAC),
            ip: IPv4Header(source: F.ip("202.99.59.20"), destination: F.client.address, protocol: .tcp, totalLength: 0),
            transport: .tcp(TCPHeader(sourcePort: 80, destinationPort: 51000, flags: .synAck)))
        var neighbours = F.natNeighbours
        neighbours[F.ip("202.99.59.20")] = F.realServerMACs[1]
        let result = DirectorForwarder(host: host, neighbours: neighbours)
            .forwardReply(reply, arrivingOn: "eth0", virtualService: F.service)
        #expect(result.transmissions.count == 2)
        #expect(result.transmissions[0].packet.transport.icmp?.kind == .hostRedirect(gateway: F.router))
        #expect(result.transmissions[0].packet.ip.destination == F.ip("202.99.59.20"))
        #expect(result.warnings == [.redirectSent(to: F.ip("202.99.59.20"))])
        host.allSysctls.sendRedirects = false
        host.interfaces[host.interfaces.firstIndex { $0.name == "eth0" }!].sysctls.sendRedirects = false
        let quiet = DirectorForwarder(host: host, neighbours: neighbours)
            .forwardReply(reply, arrivingOn: "eth0", virtualService: F.service)
        #expect(quiet.transmissions.count == 1)
        #expect(quiet.warnings.isEmpty)
    }

    @Test func natToALoopbackRealServerIsRefused() {
        let director = DirectorForwarder(host: F.natDirector, neighbours: F.natNeighbours)
        let result = director.forwardInbound(
            F.inboundSegment(), to: Endpoint(address: F.ip("127.0.0.1"), port: 80), method: .masquerade)
        #expect(result.drop == .loopbackDestination)
        #expect(result.transmissions.isEmpty)
    }

    // MARK: DR

    @Test func drChangesOnlyTheFrameAndTTL() throws {
        let director = DirectorForwarder(
            host: F.drDirector, neighbours: [F.ip("202.99.59.108"): F.realServerMACs[0], F.router: F.routerMAC])
        let inbound = F.inboundSegment(flags: .ack, payloadLength: 100)
        let result = director.forwardInbound(
            inbound, to: Endpoint(address: F.ip("202.99.59.108"), port: 80), method: .directRouting)
        let sent = try #require(result.forwarded)
        #expect(result.transmissions[0].interface == "eth0")
        #expect(result.transmissions[0].nextHop == F.ip("202.99.59.108"))
        #expect(sent.ethernet == EthernetHeader(source: F.directorOutsideMAC, destination: F.realServerMACs[0]))
        #expect(sent.ip.source == F.client.address)
        #expect(sent.ip.destination == F.vip)
        #expect(sent.ip.ttl == 59)
        #expect(sent.transport == inbound.transport)
        #expect(sent.ip.totalLength == 140)
        #expect(result.rewrittenFields == [.ethernetSource, .ethernetDestination, .ttl, .ipChecksum])
        #expect(result.warnings.isEmpty)

        // The real server with the VIP on lo:0 accepts it on eth0.
        let verdict = PacketReceiver.receive(sent, on: "eth0", host: F.drRealServer(sysctls: .directRoutingRealServer))
        #expect(verdict == .deliver(sent, interface: "eth0"))
    }

    @Test func drIgnoresAConfiguredRealServerPort() throws {
        let director = DirectorForwarder(host: F.drDirector, neighbours: [F.ip("202.99.59.108"): F.realServerMACs[0]])
        let result = director.forwardInbound(
            F.inboundSegment(), to: Endpoint(address: F.ip("202.99.59.108"), port: 8080), method: .directRouting)
        #expect(try #require(result.forwarded).transport.destinationPort == 80)
        #expect(result.warnings == [.portMappingIgnored(configured: 8080, used: 80)])
    }

    @Test func drRealServerWithoutTheVIPDropsThePacket() throws {
        let director = DirectorForwarder(host: F.drDirector, neighbours: [F.ip("202.99.59.108"): F.realServerMACs[0]])
        let sent = try #require(
            director.forwardInbound(
                F.inboundSegment(), to: Endpoint(address: F.ip("202.99.59.108"), port: 80), method: .directRouting
            ).forwarded)
        let verdict = PacketReceiver.receive(sent, on: "eth0", host: F.drRealServer(vipLabel: nil))
        #expect(verdict.dropReason == .destinationNotLocal(F.vip))
        var forwarding = F.drRealServer(vipLabel: nil)
        forwarding.isForwardingEnabled = true
        #expect(PacketReceiver.receive(sent, on: "eth0", host: forwarding) == .forward(sent))
    }

    @Test func drDirectorDropsVIPSourcedRepliesAsMartian() {
        // A DR real server whose gateway is the director sends its reply there.
        let reply = Packet(
            ethernet: EthernetHeader(source: F.realServerMACs[0], destination: F.directorOutsideMAC),
            ip: IPv4Header(source: F.vip, destination: F.client.address, protocol: .tcp, totalLength: 0),
            transport: .tcp(TCPHeader(sourcePort: 80, destinationPort: 51000, flags: .synAck)))
        #expect(PacketReceiver.receive(reply, on: "eth0", host: F.drDirector).dropReason == .martianSource(F.vip))
    }

    @Test func unresolvedNextHopIsReportedNotGuessed() {
        let director = DirectorForwarder(host: F.drDirector)
        let result = director.forwardInbound(
            F.inboundSegment(), to: Endpoint(address: F.ip("202.99.59.108"), port: 80), method: .directRouting)
        #expect(result.drop == .neighbourUnresolved(F.ip("202.99.59.108")))
    }

    @Test func ttlOfOneIsAnsweredWithTimeExceededFromTheVIP() {
        let director = DirectorForwarder(host: F.drDirector, neighbours: [F.router: F.routerMAC])
        let result = director.forwardInbound(
            F.inboundSegment(ttl: 1), to: Endpoint(address: F.ip("202.99.59.108"), port: 80), method: .directRouting)
        #expect(result.drop == .ttlExpired)
        #expect(result.transmissions.first?.packet.transport.icmp?.kind == .timeExceeded)
        #expect(result.transmissions.first?.packet.ip.source == F.vip)
    }
}
