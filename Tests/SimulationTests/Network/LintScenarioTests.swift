import Foundation
import LVSModel
import Testing

@testable import Simulation

/// The `network` sections of `Scenarios/teach-*.yaml` and
/// `Scenarios/nat-bandwidth*.yaml`, transcribed into hosts the way a
/// topology builder would (device labels, `lo:0` on `lo`, `tunl0` as the
/// IPIP device, `gateway` as a default route on the device whose subnet holds
/// it, sysctls per device or `all`), and the findings each file is meant to
/// produce: none for the correct ones, the taught mistake for the others.
@Suite struct LintScenarioTests {
    static func ip(_ text: String) -> IPAddress { IPAddress(text)! }

    /// One `network.*` host entry: interfaces as `"device address/len segment"`
    /// (segment omitted for `lo` and `tunl0`), sysctls as device → (key, value).
    struct HostSpec {
        var name: String
        var interfaces: [String]
        var gateway: String? = nil
        var sysctls: [String: [String: UInt8]] = [:]
        var ipForward = false
    }

    /// Builds the host and records its devices' segments in `input`.
    static func build(_ spec: HostSpec, into input: inout NetworkLint.Input) -> NetworkHost {
        var host = NetworkHost(name: spec.name, isForwardingEnabled: spec.ipForward)
        for line in spec.interfaces {
            let words = line.split(separator: " ").map(String.init)
            let label = words[0]
            let parts = words[1].split(separator: "/")
            let device = String(label.prefix { $0 != ":" })
            if device == "tunl0", host.interface(named: "tunl0") == nil {
                host.interfaces.append(NetworkInterface(name: "tunl0", kind: .ipipTunnel))
            }
            host.addAddress(ip(String(parts[0])), prefixLength: Int(parts[1])!, label: label)
            if words.count > 2 { input.attach(spec.name, device: device, to: words[2]) }
        }
        if let gateway = spec.gateway.map(ip),
            let device = host.interfaces.first(where: { $0.addresses.contains { $0.prefixLength < 32 && $0.contains(gateway) } })
        {
            host.staticRoutes.append(.defaultRoute(via: gateway, interface: device.name))
        }
        for (device, values) in spec.sysctls {
            var sysctls = device == "all" ? host.allSysctls : (host.interface(named: device)?.sysctls ?? .kernelDefaults)
            if let v = values["arp_ignore"] { sysctls.arpIgnore = v }
            if let v = values["arp_announce"] { sysctls.arpAnnounce = v }
            if let v = values["rp_filter"] { sysctls.rpFilter = v }
            if let v = values["send_redirects"] { sysctls.sendRedirects = v != 0 }
            if device == "all" {
                host.allSysctls = sysctls
            } else if let index = host.interfaces.firstIndex(where: { $0.name == device }) {
                host.interfaces[index].sysctls = sysctls
            }
        }
        return host
    }

    /// A lint input for the scenario: clients 172.16.16.0/20 on `internet`,
    /// VIP 202.99.59.110:80, every segment MTU 1500.
    static func input(
        router: HostSpec, director: HostSpec, servers: [(HostSpec, rip: String)], forwarding: ForwardingMethod,
        mss: Int = 1460, segments: [String]
    ) -> NetworkLint.Input {
        let placeholder = NetworkHost(name: "")
        var input = NetworkLint.Input(
            director: placeholder, realServers: [], vip: ip("202.99.59.110"), vipPort: 80,
            clientNetwork: ip("172.16.16.0"), clientPrefixLength: 20, clientSegment: "internet",
            segmentMTU: Dictionary(uniqueKeysWithValues: segments.map { ($0, 1500) }), mss: mss)
        let routerHost = build(router, into: &input)
        let directorHost = build(director, into: &input)
        input.router = routerHost
        input.director = directorHost
        for (spec, rip) in servers {
            let host = build(spec, into: &input)
            input.realServers.append(NetworkLint.RealServer(host: host, rip: ip(rip), port: 80, forwarding: forwarding))
        }
        return input
    }

    // MARK: DR

    static let drRouter = HostSpec(
        name: "router", interfaces: ["eth0 172.16.0.1/16 internet", "eth1 202.99.59.1/24 outside"])
    static let drDirector = HostSpec(
        name: "director", interfaces: ["eth0 202.99.59.109/24 outside", "eth0:0 202.99.59.110/32 outside"],
        gateway: "202.99.59.1", sysctls: ["all": ["send_redirects": 0]])

    static func drServers(arp: Bool) -> [(HostSpec, rip: String)] {
        (1...3).map { n in
            let rip = "202.99.59.\(105 + n)"
            let sysctls: [String: [String: UInt8]] =
                arp ? ["all": ["arp_ignore": 1, "arp_announce": 2], "lo": ["arp_ignore": 1, "arp_announce": 2]] : [:]
            return (
                HostSpec(
                    name: "rs\(n)", interfaces: ["eth0 \(rip)/24 outside", "lo:0 202.99.59.110/32"],
                    gateway: "202.99.59.1", sysctls: sysctls), rip
            )
        }
    }

    @Test func teachDRHasNoFindings() {
        let input = Self.input(
            router: Self.drRouter, director: Self.drDirector, servers: Self.drServers(arp: true),
            forwarding: .directRouting, segments: ["internet", "outside"])
        #expect(NetworkLint.check(input).map(\.oneLine) == [])
    }

    @Test func teachDRArpProblemReportsBothSysctlsOnEveryRealServer() {
        let input = Self.input(
            router: Self.drRouter, director: Self.drDirector, servers: Self.drServers(arp: false),
            forwarding: .directRouting, segments: ["internet", "outside"])
        let findings = NetworkLint.check(input)
        #expect(findings.map(\.host) == ["rs1", "rs1", "rs2", "rs2", "rs3", "rs3"])
        #expect(findings.map(\.setting) == Array(repeating: ["net.ipv4.conf.all.arp_ignore", "net.ipv4.conf.all.arp_announce"], count: 3).flatMap { $0 })
        #expect(findings.allSatisfy { $0.severity == .error })
    }

    // MARK: NAT

    static let natRouter = HostSpec(
        name: "router", interfaces: ["eth0 172.16.0.1/16 internet", "eth1 202.99.59.1/24 outside"])
    static let natDirector = HostSpec(
        name: "director", interfaces: ["eth0 202.99.59.110/24 outside", "eth1 192.168.10.254/24 inside"],
        gateway: "202.99.59.1",
        sysctls: ["all": ["send_redirects": 0], "eth0": ["send_redirects": 0], "eth1": ["send_redirects": 0]],
        ipForward: true)

    static func natServers(gateways: [String] = ["192.168.10.254", "192.168.10.254", "192.168.10.254"])
        -> [(HostSpec, rip: String)]
    {
        (1...3).map { n in
            (HostSpec(name: "rs\(n)", interfaces: ["eth0 192.168.10.\(n)/24 inside"], gateway: gateways[n - 1]), "192.168.10.\(n)")
        }
    }

    @Test func teachNATHasNoFindings() {
        let input = Self.input(
            router: Self.natRouter, director: Self.natDirector, servers: Self.natServers(), forwarding: .masquerade,
            segments: ["internet", "outside", "inside"])
        #expect(NetworkLint.check(input).map(\.oneLine) == [])
    }

    @Test func teachNATNoGatewayReportsRS2() throws {
        var router = Self.natRouter
        router.interfaces.append("eth2 192.168.10.253/24 inside")
        let input = Self.input(
            router: router, director: Self.natDirector,
            servers: Self.natServers(gateways: ["192.168.10.254", "192.168.10.253", "192.168.10.254"]),
            forwarding: .masquerade, segments: ["internet", "outside", "inside"])
        let findings = NetworkLint.check(input)
        #expect(findings.count == 1)
        let finding = try #require(findings.first)
        #expect(finding.host == "rs2")
        #expect(finding.setting == "default gateway")
        #expect(finding.fix == ["ip route replace default via 192.168.10.254"])
    }

    // MARK: TUN

    static let tunRouter = HostSpec(
        name: "router",
        interfaces: ["eth0 172.16.0.1/16 internet", "eth1 202.99.59.1/24 outside", "eth2 192.0.2.1/24 remote"])
    static let tunDirector = HostSpec(
        name: "director", interfaces: ["eth0 202.99.59.109/24 outside", "eth0:0 202.99.59.110/32 outside"],
        gateway: "202.99.59.1")
    static let tunServers: [(HostSpec, rip: String)] = (1...3).map { n in
        (
            HostSpec(
                name: "rs\(n)", interfaces: ["eth0 192.0.2.1\(n)/24 remote", "tunl0 202.99.59.110/32"],
                gateway: "192.0.2.1", sysctls: ["all": ["rp_filter": 0], "tunl0": ["rp_filter": 0]]), "192.0.2.1\(n)"
        )
    }

    @Test func teachTUNWithMSS1440HasNoFindings() {
        let input = Self.input(
            router: Self.tunRouter, director: Self.tunDirector, servers: Self.tunServers, forwarding: .tunnel,
            mss: 1440, segments: ["internet", "outside", "remote"])
        #expect(NetworkLint.check(input).map(\.oneLine) == [])
    }

    @Test func teachTUNMTUWarnsForEveryRealServer() {
        let input = Self.input(
            router: Self.tunRouter, director: Self.tunDirector, servers: Self.tunServers, forwarding: .tunnel,
            mss: 1460, segments: ["internet", "outside", "remote"])
        let findings = NetworkLint.check(input)
        #expect(findings.map(\.host) == ["rs1", "rs2", "rs3"])
        #expect(findings.allSatisfy { $0.check == .tunnelMTU && $0.severity == .warning })
        #expect(findings.allSatisfy { $0.fix.contains("ip route replace default via 192.0.2.1 dev eth0 advmss 1440") })
    }

    // MARK: nat-bandwidth

    @Test func natBandwidthAndItsDRCounterpartHaveNoFindings() {
        let nat = Self.input(
            router: Self.natRouter,
            director: HostSpec(
                name: "director", interfaces: ["eth0 202.99.59.110/24 outside", "eth1 192.168.10.254/24 inside"],
                gateway: "202.99.59.1", sysctls: ["all": ["send_redirects": 0]], ipForward: true),
            servers: Self.natServers(), forwarding: .masquerade, segments: ["internet", "outside", "inside"])
        #expect(NetworkLint.check(nat).map(\.oneLine) == [])

        var router = Self.natRouter
        router.interfaces.append("eth2 192.168.10.253/24 inside")
        let servers: [(HostSpec, rip: String)] = (1...3).map { n in
            (
                HostSpec(
                    name: "rs\(n)", interfaces: ["eth0 192.168.10.\(n)/24 inside", "lo:0 202.99.59.110/32"],
                    gateway: "192.168.10.253", sysctls: ["all": ["arp_ignore": 1, "arp_announce": 2]]),
                "192.168.10.\(n)"
            )
        }
        let dr = Self.input(
            router: router,
            director: HostSpec(
                name: "director", interfaces: ["eth0 202.99.59.110/24 outside", "eth1 192.168.10.254/24 inside"],
                gateway: "202.99.59.1", sysctls: ["all": ["send_redirects": 0]]),
            servers: servers, forwarding: .directRouting, segments: ["internet", "outside", "inside"])
        #expect(NetworkLint.check(dr).map(\.oneLine) == [])
    }
}

/// The bundled scenario files themselves, through the loader, the topology
/// builder and ``NetworkLint/Input/init(scenario:topology:)`` — what
/// `lvssim validate` prints.
@Suite struct LintBundledScenarioTests {
    static let scenarios = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Scenarios")

    static func findings(_ name: String) throws -> [String] {
        let scenario = try ScenarioLoader.load(path: scenarios.appendingPathComponent(name).path)
        let topology = try NetworkTopology(scenario: scenario)
        return NetworkLint.check(try NetworkLint.Input(scenario: scenario, topology: topology))
            .map { "\($0.host) \($0.check.rawValue)" }
    }

    @Test(arguments: ["teach-nat.yaml", "teach-dr.yaml", "teach-tun.yaml", "nat-bandwidth.yaml", "nat-bandwidth-dr.yaml"])
    func correctConfigurationsHaveNoFindings(_ name: String) throws {
        #expect(try Self.findings(name) == [])
    }

    @Test func arpProblemNamesBothSysctlsOnEveryRealServer() throws {
        #expect(
            try Self.findings("teach-dr-arp-problem.yaml") == [
                "rs1 arp-ignore", "rs1 arp-announce", "rs2 arp-ignore", "rs2 arp-announce", "rs3 arp-ignore",
                "rs3 arp-announce",
            ])
    }

    @Test func natNoGatewayNamesRS2() throws {
        #expect(try Self.findings("teach-nat-no-gateway.yaml") == ["rs2 nat-gateway"])
    }

    @Test func tunMTUWarnsForEveryRealServer() throws {
        #expect(try Self.findings("teach-tun-mtu.yaml") == ["rs1 tun-mtu", "rs2 tun-mtu", "rs3 tun-mtu"])
    }
}
