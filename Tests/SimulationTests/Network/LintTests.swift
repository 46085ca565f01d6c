import LVSModel
import Testing

@testable import Simulation

/// The seed topologies (spec §0, seeds 001/004) as ``NetworkLint/Input``s,
/// correct, and helpers to break one setting at a time.
///
/// Client network 172.16.0.0/16 behind the router (eth0 172.16.0.1/16 on
/// `internet`, eth1 202.99.59.1/24 on `outside`, eth2 192.0.2.1/24 on
/// `remote`). VIP 202.99.59.110:80.
enum LintTopology {
    static func ip(_ text: String) -> IPAddress { IPAddress(text)! }

    static let vip = ip("202.99.59.110")
    static let clientNetwork = ip("172.16.0.0")

    static var router: NetworkHost {
        var host = NetworkHost(name: "router", isForwardingEnabled: true)
        host.addAddress(ip("172.16.0.1"), prefixLength: 16, label: "eth0")
        host.addAddress(ip("202.99.59.1"), prefixLength: 24, label: "eth1")
        host.addAddress(ip("192.0.2.1"), prefixLength: 24, label: "eth2")
        return host
    }

    static func input(director: NetworkHost, servers: [NetworkLint.RealServer], mss: Int = 1460) -> NetworkLint.Input {
        var input = NetworkLint.Input(
            director: director, router: router, realServers: servers, vip: vip, vipPort: 80,
            clientNetwork: clientNetwork, clientPrefixLength: 16, clientSegment: "internet",
            segmentMTU: ["internet": 1500, "outside": 1500, "inside": 1500, "remote": 1500], mss: mss)
        input.attach("router", device: "eth0", to: "internet")
        input.attach("router", device: "eth1", to: "outside")
        input.attach("router", device: "eth2", to: "remote")
        for device in director.interfaces where device.kind == .ethernet {
            input.attach(director.name, device: device.name, to: device.name == "eth0" ? "outside" : "inside")
        }
        for server in servers {
            for device in server.host.interfaces where device.kind == .ethernet {
                let address = device.addresses.first?.address
                let segment: String
                switch address.map({ "\($0.masked(prefixLength: 24))" }) {
                case "192.168.10.0": segment = "inside"
                case "192.0.2.0": segment = "remote"
                case "10.0.0.0": segment = "backend"
                default: segment = "outside"
                }
                input.attach(server.host.name, device: device.name, to: segment)
            }
        }
        return input
    }

    // MARK: NAT (seed 001)

    /// eth0 202.99.59.110/24 (outside), eth1 192.168.10.254/24 (inside), default via the router, ip_forward=1.
    static func natDirector(forwarding: Bool = true) -> NetworkHost {
        var host = NetworkHost(
            name: "director", isForwardingEnabled: forwarding,
            staticRoutes: [.defaultRoute(via: ip("202.99.59.1"), interface: "eth0")])
        host.addAddress(vip, prefixLength: 24, label: "eth0")
        host.addAddress(ip("192.168.10.254"), prefixLength: 24, label: "eth1")
        return host
    }

    /// rsN: 192.168.10.N/24 on eth0, default via `gateway` (the director's 192.168.10.254).
    static func natServer(_ n: Int, gateway: String? = "192.168.10.254", routes: [Route] = [], port: UInt16 = 80)
        -> NetworkLint.RealServer
    {
        var host = NetworkHost(name: "rs\(n)", staticRoutes: routes)
        host.addAddress(ip("192.168.10.\(n)"), prefixLength: 24, label: "eth0")
        if let gateway { host.staticRoutes.append(.defaultRoute(via: ip(gateway), interface: "eth0")) }
        return NetworkLint.RealServer(host: host, rip: ip("192.168.10.\(n)"), port: port, forwarding: .masquerade)
    }

    static var natCluster: NetworkLint.Input {
        input(director: natDirector(), servers: [natServer(1), natServer(2), natServer(3)])
    }

    // MARK: DR (seed 001)

    /// DIP 202.99.59.109/24 on eth0, VIP /32 on eth0:0, default via the router.
    static var drDirector: NetworkHost {
        var host = NetworkHost(name: "director", staticRoutes: [.defaultRoute(via: ip("202.99.59.1"), interface: "eth0")])
        host.addAddress(ip("202.99.59.109"), prefixLength: 24, label: "eth0")
        host.addAddress(vip, prefixLength: 32, label: "eth0:0")
        return host
    }

    /// A DR real server: `rip`/24 on eth0, the VIP on `vipLabel` with
    /// `vipPrefix`, `all` sysctls, default via `gateway`.
    static func drServer(
        _ name: String = "rs1", rip: String = "202.99.59.108", vipLabel: String? = "lo:0", vipPrefix: Int = 32,
        all: InterfaceSysctls = .directRoutingRealServer, gateway: String = "202.99.59.1", port: UInt16 = 80,
        forwarding: ForwardingMethod = .directRouting
    ) -> NetworkLint.RealServer {
        var host = NetworkHost(
            name: name, allSysctls: all, staticRoutes: [.defaultRoute(via: ip(gateway), interface: "eth0")])
        host.addAddress(ip(rip), prefixLength: 24, label: "eth0")
        if let vipLabel { host.addAddress(vip, prefixLength: vipPrefix, label: vipLabel) }
        return NetworkLint.RealServer(host: host, rip: ip(rip), port: port, forwarding: forwarding)
    }

    static var drCluster: NetworkLint.Input {
        input(director: drDirector, servers: [drServer("rs1", rip: "202.99.59.108"), drServer("rs2", rip: "202.99.59.107")])
    }

    // MARK: TUN (seed 004: a remote real server)

    /// rs-remote: 192.0.2.11/24 on eth0 (segment remote), tunl0 up with the
    /// VIP /32, rp_filter 0, default via 192.0.2.1.
    static func tunServer(
        allRPFilter: UInt8 = 0, tunnelRPFilter: UInt8 = 0, tunnel: Bool = true, tunnelUp: Bool = true,
        vipLabel: String? = "tunl0", port: UInt16 = 80
    ) -> NetworkLint.RealServer {
        var interfaces: [NetworkInterface] = []
        if tunnel {
            interfaces.append(
                NetworkInterface(
                    name: "tunl0", kind: .ipipTunnel, isUp: tunnelUp, sysctls: InterfaceSysctls(rpFilter: tunnelRPFilter)))
        }
        var host = NetworkHost(
            name: "rs-remote", interfaces: interfaces, allSysctls: InterfaceSysctls(rpFilter: allRPFilter),
            staticRoutes: [.defaultRoute(via: ip("192.0.2.1"), interface: "eth0")])
        host.addAddress(ip("192.0.2.11"), prefixLength: 24, label: "eth0")
        if let vipLabel { host.addAddress(vip, prefixLength: 32, label: vipLabel) }
        return NetworkLint.RealServer(host: host, rip: ip("192.0.2.11"), port: port, forwarding: .tunnel)
    }

    /// The TUN director with one remote real server; MSS 1440 so that
    /// 1480-byte client packets + 20 bytes of IPIP fit the 1500-byte path.
    static func tunCluster(_ server: NetworkLint.RealServer = tunServer(), mss: Int = 1440) -> NetworkLint.Input {
        input(director: drDirector, servers: [server], mss: mss)
    }
}

@Suite struct LintTests {
    typealias T = LintTopology

    /// The single finding of `input`, failing the test if there are none or several.
    func only(_ input: NetworkLint.Input, sourceLocation: SourceLocation = #_sourceLocation) -> NetworkFinding? {
        let findings = NetworkLint.check(input)
        #expect(findings.count == 1, "\(findings.map(\.oneLine))", sourceLocation: sourceLocation)
        return findings.count == 1 ? findings[0] : nil
    }

    // MARK: Correct configurations

    @Test func correctNATClusterHasNoFindings() {
        #expect(NetworkLint.check(T.natCluster).isEmpty)
    }

    @Test func correctDRClusterHasNoFindings() {
        #expect(NetworkLint.check(T.drCluster).isEmpty)
    }

    @Test func correctTUNClusterWithLoweredMSSHasNoFindings() {
        #expect(NetworkLint.check(T.tunCluster()).isEmpty)
    }

    @Test func natRealServerPortMappingIsFine() {
        let input = T.input(director: T.natDirector(), servers: [T.natServer(1, port: 8080)])
        #expect(NetworkLint.check(input).isEmpty)
    }

    // MARK: The ARP problem

    @Test func drRealServerWithArpIgnoreZeroAnswersARPForTheVIP() throws {
        let server = T.drServer(all: InterfaceSysctls(arpIgnore: 0, arpAnnounce: 2))
        let finding = try #require(only(T.input(director: T.drDirector, servers: [server])))
        #expect(finding.check == .answersARPForVIP)
        #expect(finding.severity == .error)
        #expect(finding.host == "rs1")
        #expect(finding.setting == "net.ipv4.conf.all.arp_ignore")
        #expect(finding.fix.contains("sysctl -w net.ipv4.conf.all.arp_ignore=1"))
        #expect(finding.fix.contains("sysctl -w net.ipv4.conf.eth0.arp_ignore=1"))
    }

    @Test func arpIgnoreOnlyOnLoopbackDoesNotHelp() throws {
        // Spec §6.3: ARP is never received on lo, so conf/lo has no effect.
        var server = T.drServer(all: InterfaceSysctls(arpIgnore: 0, arpAnnounce: 2))
        let lo = try #require(server.host.interfaces.firstIndex { $0.name == "lo" })
        server.host.interfaces[lo].sysctls.arpIgnore = 1
        let finding = try #require(only(T.input(director: T.drDirector, servers: [server])))
        #expect(finding.check == .answersARPForVIP)
        #expect(finding.setting == "net.ipv4.conf.all.arp_ignore")
    }

    @Test func arpIgnoreOnTheLANDeviceAloneIsEnough() {
        var server = T.drServer(all: InterfaceSysctls(arpIgnore: 0, arpAnnounce: 2))
        let eth0 = server.host.interfaces.firstIndex { $0.name == "eth0" }!
        server.host.interfaces[eth0].sysctls.arpIgnore = 1
        #expect(NetworkLint.check(T.input(director: T.drDirector, servers: [server])).isEmpty)
    }

    @Test func drRealServerWithArpAnnounceZeroAnnouncesTheVIP() throws {
        let server = T.drServer(all: InterfaceSysctls(arpIgnore: 1, arpAnnounce: 0))
        let finding = try #require(only(T.input(director: T.drDirector, servers: [server])))
        #expect(finding.check == .announcesVIP)
        #expect(finding.host == "rs1")
        #expect(finding.setting == "net.ipv4.conf.all.arp_announce")
        #expect(finding.problem.contains("202.99.59.1"))
        #expect(finding.fix.contains("sysctl -w net.ipv4.conf.all.arp_announce=2"))
    }

    @Test func drRealServerWithKernelDefaultsGetsBothARPFindings() {
        let server = T.drServer(all: .kernelDefaults)
        let findings = NetworkLint.check(T.input(director: T.drDirector, servers: [server]))
        #expect(findings.map(\.check) == [.answersARPForVIP, .announcesVIP])
        #expect(findings.allSatisfy { $0.host == "rs1" && $0.severity == .error })
    }

    @Test func vipOnAnEthernetAliasIsAnsweredEvenWithArpIgnoreOne() throws {
        let server = T.drServer(vipLabel: "eth0:0")
        let finding = try #require(only(T.input(director: T.drDirector, servers: [server])))
        #expect(finding.check == .answersARPForVIP)
        #expect(finding.setting == "eth0:0")
        #expect(finding.fix.contains("ip addr del 202.99.59.110/32 dev eth0"))
        #expect(finding.fix.contains("ip addr add 202.99.59.110/32 dev lo label lo:0"))
    }

    @Test func tunRealServerOnTheRoutersLANNeedsTheARPSysctls() {
        // Spec §5.1: a TUN real server on the router's LAN has the ARP problem too.
        var server = T.drServer(vipLabel: nil, all: .kernelDefaults, forwarding: .tunnel)
        server.host.interfaces.append(NetworkInterface(name: "tunl0", kind: .ipipTunnel))
        server.host.addAddress(T.vip, prefixLength: 32, label: "tunl0")
        let findings = NetworkLint.check(T.input(director: T.drDirector, servers: [server], mss: 1440))
        #expect(findings.map(\.check) == [.answersARPForVIP, .announcesVIP])
    }

    @Test func tunRealServerWithTheVIPOnAnEthernetAliasIsToldToUseTunl0() throws {
        var server = T.drServer(vipLabel: "eth0:0", forwarding: .tunnel)
        server.host.interfaces.append(NetworkInterface(name: "tunl0", kind: .ipipTunnel))
        let finding = try #require(only(T.input(director: T.drDirector, servers: [server], mss: 1440)))
        #expect(finding.check == .answersARPForVIP)
        #expect(finding.setting == "eth0:0")
        #expect(finding.fix.contains("ip addr add 202.99.59.110/32 dev tunl0"))
    }

    @Test func remoteTUNRealServerWithDefaultARPSysctlsIsFine() {
        // The remote server (segment "remote") never sees the router's ARP for the VIP.
        let server = T.tunServer()
        #expect(server.host.allSysctls.arpIgnore == 0)
        #expect(NetworkLint.check(T.tunCluster(server)).isEmpty)
    }

    // MARK: VIP on the real server

    @Test func drRealServerWithoutTheVIP() throws {
        let finding = try #require(only(T.input(director: T.drDirector, servers: [T.drServer(vipLabel: nil)])))
        #expect(finding.check == .vipNotLocal)
        #expect(finding.host == "rs1")
        #expect(finding.setting == "lo:0")
        #expect(finding.fix == ["ip addr add 202.99.59.110/32 dev lo label lo:0"])
    }

    @Test func drVIPWithAWideMaskOnLoopback() throws {
        let server = T.drServer(vipPrefix: 24)
        let finding = try #require(only(T.input(director: T.drDirector, servers: [server])))
        #expect(finding.check == .wideVIPMask)
        #expect(finding.setting == "lo:0")
        #expect(finding.problem.contains("202.99.59.0/24"))
        #expect(finding.fix == ["ip addr del 202.99.59.110/24 dev lo", "ip addr add 202.99.59.110/32 dev lo label lo:0"])
    }

    @Test func tunRealServerWithoutTunl0() throws {
        let server = T.tunServer(tunnel: false, vipLabel: "lo:0")
        let finding = try #require(only(T.tunCluster(server)))
        #expect(finding.check == .tunnelDeviceMissing)
        #expect(finding.host == "rs-remote")
        #expect(finding.setting == "tunl0")
        #expect(finding.fix == ["modprobe ipip", "ip link set tunl0 up"])
    }

    @Test func tunRealServerWithTunl0Down() throws {
        let finding = try #require(only(T.tunCluster(T.tunServer(tunnelUp: false))))
        #expect(finding.check == .tunnelDeviceMissing)
        #expect(finding.fix == ["ip link set tunl0 up"])
    }

    @Test func tunRealServerWithoutTheVIP() throws {
        let finding = try #require(only(T.tunCluster(T.tunServer(vipLabel: nil))))
        #expect(finding.check == .vipNotLocal)
        #expect(finding.setting == "tunl0")
        #expect(finding.fix == ["ip addr add 202.99.59.110/32 dev tunl0"])
    }

    // MARK: Segments and routes

    @Test func drRealServerBehindARouter() throws {
        // rs on 10.0.0.0/24 (segment backend) behind a router: the director's
        // route to the RIP is its default route via 202.99.59.1.
        var server = T.drServer(rip: "10.0.0.5", gateway: "10.0.0.1")
        server.host.staticRoutes = [.defaultRoute(via: T.ip("10.0.0.1"), interface: "eth0")]
        let finding = try #require(only(T.input(director: T.drDirector, servers: [server])))
        #expect(finding.check == .notOnDirectorSegment)
        #expect(finding.setting == "eth0")
        #expect(finding.problem.contains("gateway 202.99.59.1"))
        #expect(finding.fix.contains { $0.contains("-r 10.0.0.5:80 -i") })
    }

    @Test func drRealServerInTheDirectorsSubnetButOnAnotherSegment() throws {
        var input = T.drCluster
        input.attach("rs2", device: "eth0", to: "elsewhere")
        let finding = try #require(only(input))
        #expect(finding.check == .notOnDirectorSegment)
        #expect(finding.host == "rs2")
        #expect(finding.problem.contains("segment outside"))
        #expect(finding.fix[0].contains("segment outside"))
    }

    @Test func drRealServerWhoseGatewayIsTheDirector() throws {
        let server = T.drServer(gateway: "202.99.59.109")
        let finding = try #require(only(T.input(director: T.drDirector, servers: [server])))
        #expect(finding.check == .replyRoute)
        #expect(finding.setting == "default gateway")
        #expect(finding.problem.contains("martian"))
        #expect(finding.fix == ["ip route replace default via 202.99.59.1"])
    }

    @Test func natRealServerWhoseGatewayIsTheRouter() throws {
        // The router has a leg on the inside network (192.168.10.253) and rs2 uses it.
        var input = T.natCluster
        input.router?.addAddress(T.ip("192.168.10.253"), prefixLength: 24, label: "eth3")
        input.attach("router", device: "eth3", to: "inside")
        input.realServers[1] = T.natServer(2, gateway: "192.168.10.253")
        let finding = try #require(only(input))
        #expect(finding.check == .natGateway)
        #expect(finding.severity == .error)
        #expect(finding.host == "rs2")
        #expect(finding.setting == "default gateway")
        #expect(finding.problem.contains("192.168.10.253"))
        #expect(finding.symptom.contains("192.168.10.2"))
        #expect(finding.fix == ["ip route replace default via 192.168.10.254"])
    }

    @Test func natRealServerWithoutAnyRouteToTheClients() throws {
        var input = T.natCluster
        input.realServers[0] = T.natServer(1, gateway: nil)
        let finding = try #require(only(input))
        #expect(finding.check == .natGateway)
        #expect(finding.host == "rs1")
        #expect(finding.setting == "default gateway")
        #expect(finding.fix == ["ip route replace default via 192.168.10.254"])
    }

    @Test func natRealServerWithASpecificRouteToTheClientsElsewhere() throws {
        var input = T.natCluster
        let detour = Route(destination: T.clientNetwork, prefixLength: 16, interface: "eth0", gateway: T.ip("192.168.10.253"))
        input.realServers[2] = T.natServer(3, routes: [detour])
        let finding = try #require(only(input))
        #expect(finding.check == .natGateway)
        #expect(finding.host == "rs3")
        #expect(finding.setting == "route to 172.16.0.0/16")
        #expect(finding.fix == ["ip route replace 172.16.0.0/16 via 192.168.10.254"])
    }

    @Test func natDirectorWithoutIPForwarding() throws {
        let input = T.input(director: T.natDirector(forwarding: false), servers: [T.natServer(1)])
        let finding = try #require(only(input))
        #expect(finding.check == .natForwarding)
        #expect(finding.host == "director")
        #expect(finding.setting == "net.ipv4.ip_forward")
        #expect(finding.fix == ["sysctl -w net.ipv4.ip_forward=1"])
    }

    @Test func oneNetworkNATDirectorSendsRedirects() throws {
        // Director and real server on one segment (outside): replies arrive
        // on eth0 and leave by eth0 towards the router.
        var director = NetworkHost(
            name: "director", isForwardingEnabled: true,
            staticRoutes: [.defaultRoute(via: T.ip("202.99.59.1"), interface: "eth0")])
        director.addAddress(T.vip, prefixLength: 24, label: "eth0")
        var rs = NetworkHost(name: "rs1", staticRoutes: [.defaultRoute(via: T.vip, interface: "eth0")])
        rs.addAddress(T.ip("202.99.59.108"), prefixLength: 24, label: "eth0")
        let server = NetworkLint.RealServer(host: rs, rip: T.ip("202.99.59.108"), port: 80, forwarding: .masquerade)
        let finding = try #require(only(T.input(director: director, servers: [server])))
        #expect(finding.check == .natRedirects)
        #expect(finding.severity == .warning)
        #expect(finding.host == "director")
        #expect(finding.setting == "net.ipv4.conf.all.send_redirects")
        #expect(finding.fix.contains("sysctl -w net.ipv4.conf.all.send_redirects=0"))
        #expect(finding.fix.contains("sysctl -w net.ipv4.conf.eth0.send_redirects=0"))

        // Both all and eth0 at 0: no redirects, no finding.
        director.allSysctls.sendRedirects = false
        director.interfaces[director.interfaces.firstIndex { $0.name == "eth0" }!].sysctls.sendRedirects = false
        #expect(NetworkLint.check(T.input(director: director, servers: [server])).isEmpty)
    }

    // MARK: TUN reverse path and MTU

    @Test func tunStrictRPFilterOnAll() throws {
        let finding = try #require(only(T.tunCluster(T.tunServer(allRPFilter: 1))))
        #expect(finding.check == .strictReversePath)
        #expect(finding.host == "rs-remote")
        #expect(finding.setting == "net.ipv4.conf.all.rp_filter")
        #expect(finding.fix.contains("sysctl -w net.ipv4.conf.all.rp_filter=0"))
        #expect(finding.fix.contains("sysctl -w net.ipv4.conf.tunl0.rp_filter=0"))
    }

    @Test func tunStrictRPFilterOnTunl0() throws {
        let finding = try #require(only(T.tunCluster(T.tunServer(tunnelRPFilter: 1))))
        #expect(finding.check == .strictReversePath)
        #expect(finding.setting == "net.ipv4.conf.tunl0.rp_filter")
    }

    @Test func looseRPFilterWinsOverStrictAsTheMaximum() {
        // Effective value max(all=1, tunl0=2) = 2 (loose): accepted.
        #expect(NetworkLint.check(T.tunCluster(T.tunServer(allRPFilter: 1, tunnelRPFilter: 2))).isEmpty)
        #expect(NetworkLint.check(T.tunCluster(T.tunServer(allRPFilter: 2))).isEmpty)
    }

    @Test func tunFullSizeClientPacketsDoNotFitTheTunnel() throws {
        // MSS 1460 → 1500-byte packets with DF; + 20 = 1520 > 1500; inner MTU 1480, MSS 1440.
        let finding = try #require(only(T.tunCluster(mss: 1460)))
        #expect(finding.check == .tunnelMTU)
        #expect(finding.severity == .warning)
        #expect(finding.host == "rs-remote")
        #expect(finding.problem.contains("1520"))
        #expect(finding.symptom.contains("MTU 1480"))
        #expect(finding.fix.contains("ip route replace default via 192.0.2.1 dev eth0 advmss 1440"))
        #expect(finding.fix.contains { $0.contains("--set-mss 1440") })
    }

    @Test func tunMTUWithoutDontFragmentIsFragmentedSilently() {
        var input = T.tunCluster(mss: 1460)
        input.clientDontFragment = false
        #expect(NetworkLint.check(input).isEmpty)
    }

    @Test func tunMTUSmallerPathSegment() throws {
        // The remote segment has MTU 1400: 1480 + 20 > 1400; inner 1380, MSS 1340.
        var input = T.tunCluster()
        input.segmentMTU["remote"] = 1400
        let finding = try #require(only(input))
        #expect(finding.check == .tunnelMTU)
        #expect(finding.fix.contains { $0.contains("advmss 1340") })
    }

    // MARK: Port mapping

    @Test func drPortMappingIsIgnoredByTheKernel() throws {
        let server = T.drServer(port: 8080)
        let finding = try #require(only(T.input(director: T.drDirector, servers: [server])))
        #expect(finding.check == .portMapping)
        #expect(finding.severity == .warning)
        #expect(finding.setting == "port")
        #expect(finding.fix.contains("ipvsadm -e -t 202.99.59.110:80 -r 202.99.59.108:80 -g"))
    }

    @Test func tunPortMappingIsIgnoredByTheKernel() throws {
        let finding = try #require(only(T.tunCluster(T.tunServer(port: 8080))))
        #expect(finding.check == .portMapping)
        #expect(finding.fix.contains("ipvsadm -e -t 202.99.59.110:80 -r 192.0.2.11:80 -i"))
    }

    // MARK: Rendering

    @Test func oneLineAndDetailRendering() throws {
        let finding = try #require(only(T.input(director: T.natDirector(forwarding: false), servers: [T.natServer(1)])))
        #expect(
            finding.oneLine
                == "director: net.ipv4.ip_forward: ip_forward is 0, so the NAT real servers' replies are not forwarded to the clients — fix: sysctl -w net.ipv4.ip_forward=1"
        )
        #expect(finding.description.hasPrefix("error: director: net.ipv4.ip_forward: "))
        let lines = finding.detail.split(separator: "\n").map(String.init)
        #expect(lines.first == "error: director: net.ipv4.ip_forward [ip-forward]")
        #expect(lines.last == "    sysctl -w net.ipv4.ip_forward=1")
        #expect(lines.contains { $0.hasPrefix("  symptom: ") })
    }

    @Test func findingsOfSeveralHostsComeDirectorFirst() {
        var input = T.input(
            director: T.natDirector(forwarding: false), servers: [T.natServer(1, gateway: nil), T.natServer(2)])
        input.mss = 1460
        let findings = NetworkLint.check(input)
        #expect(findings.map(\.host) == ["director", "rs1"])
        #expect(findings.map(\.check) == [.natForwarding, .natGateway])
    }
}
