import Foundation
import LVSModel

extension NetworkLint.Input {
    /// The lint input of a scenario with a `network` section: the hosts as
    /// ``NetworkTopology`` builds them, each real server's forwarding method
    /// from the director's rules (run through the ipvsadm emulation), and the
    /// real-server ports as the scenario writes them (ipvsadm itself replaces
    /// a DR/TUN port by the service's, which is what the port-mapping check
    /// warns about).
    public init(scenario: Scenario, topology: NetworkTopology) throws(SimulationSetupError) {
        guard let network = scenario.network else {
            throw SimulationSetupError("\(scenario.file): the scenario has no network section")
        }
        var table = IPVSTable()
        for args in scenario.ipvsadm { _ = IPVSAdm.run(args, table: &table, resolver: .empty) }
        let vip = scenario.virtualService
        let service = table.services.first { $0.key == .address(.tcp, vip) }
        var servers: [NetworkLint.RealServer] = []
        for (index, spec) in scenario.servers.enumerated() {
            let hostIndex = topology.hostOfServer[index]
            let forwarding = service?.servers.first { $0.endpoint.address == spec.endpoint.address }?.forwarding ?? .masquerade
            servers.append(
                NetworkLint.RealServer(
                    host: topology.hosts[hostIndex], rip: spec.endpoint.address,
                    port: Self.writtenPort(of: spec.endpoint, in: scenario.ipvsadm), forwarding: forwarding))
        }
        self.init(
            director: topology.director, router: topology.router, realServers: servers, vip: vip.address,
            vipPort: vip.port, clientNetwork: topology.clientPrefix.address,
            clientPrefixLength: topology.clientPrefix.length, clientSegment: network.clients.segment,
            mss: network.mss, clientDontFragment: network.clientDontFragment)
        for (hostIndex, host) in topology.hosts.enumerated() {
            for segment in topology.segments {
                for attachment in segment.attachments where attachment.host == hostIndex {
                    attach(host.name, device: attachment.device, to: segment.name)
                }
            }
        }
        for segment in topology.segments { segmentMTU[segment.name] = segment.mtu }
    }

    /// The port a rule gives `server` (`-r RIP:port`), as written, before
    /// ipvsadm's DR/TUN rule replaces it; the scenario's own port otherwise.
    static func writtenPort(of server: Endpoint, in rules: [[String]]) -> UInt16 {
        for args in rules {
            for (index, word) in args.enumerated() where (word == "-r" || word == "--real-server") && index + 1 < args.count {
                let text = args[index + 1]
                guard let colon = text.lastIndex(of: ":") else { continue }
                guard IPAddress(String(text[..<colon]).trimmingCharacters(in: ["[", "]"])) == server.address else { continue }
                if let port = UInt16(text[text.index(after: colon)...]) { return port }
            }
        }
        return server.port
    }
}
