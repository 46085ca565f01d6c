import LVSModel
import Yams

/// The `level` and `network` keys of a scenario (`docs/packet-level.md`),
/// with the same file:line:key errors as the rest of the loader.
extension ScenarioLoader {
    static let networkKeys = [
        "mss", "request_bytes", "response_bytes", "client_dont_fragment", "segments", "clients", "router", "director",
        "real_servers",
    ]
    static let segmentKeys = ["name", "latency_us", "bandwidth_mbps", "mtu"]
    static let hostKeys = ["name", "interfaces", "gateway", "routes", "sysctls", "ip_forward"]
    static let interfaceKeys = ["device", "address", "segment", "mac", "mtu", "up"]
    static let sysctlKeys = ["arp_ignore", "arp_announce", "rp_filter", "send_redirects", "arp_notify", "arp_accept"]

    func parseLevelAndNetwork(_ top: Section, root: Node, into scenario: inout Scenario) throws(ScenarioError) {
        let level = try string(top, "level", oneOf: Scenario.Level.allCases.map(\.rawValue)).flatMap(Scenario.Level.init)
            ?? .connection
        scenario.level = level
        if let node = value(top, "network") {
            scenario.network = try parseNetwork(node, scenario: scenario)
        } else if level == .packet {
            throw fail(value(top, "level"), "level: packet needs a network section (see docs/packet-level.md)")
        }
    }

    func parseNetwork(_ node: Node, scenario: Scenario) throws(ScenarioError) -> Scenario.Network {
        let n = try section(node, "network", allowed: ScenarioLoader.networkKeys)
        let mss = try integer(n, "mss", min: 88, max: 65495) ?? 1460
        let request = try integer(n, "request_bytes", min: 0, max: 1 << 30) ?? 300
        let response = try integer(n, "response_bytes", min: 0, max: 1 << 30) ?? 20000
        let dontFragment = try bool(n, "client_dont_fragment") ?? true

        guard let segmentsNode = value(n, "segments") else { throw fail(node, "missing key \"segments\" in network") }
        guard case .sequence(let segmentItems) = segmentsNode, !segmentItems.isEmpty else {
            throw fail(segmentsNode, "network.segments must be a non-empty list of segments")
        }
        var segments: [Scenario.Network.Segment] = []
        for (index, item) in segmentItems.enumerated() {
            let s = try section(item, "network.segments[\(index)]", allowed: ScenarioLoader.segmentKeys)
            guard let name = try string(s, "name") else { throw fail(item, "missing key \"name\" in network.segments[\(index)]") }
            if segments.contains(where: { $0.name == name }) {
                throw fail(value(s, "name"), "network.segments[\(index)].name: segment \"\(name)\" is defined twice")
            }
            segments.append(
                Scenario.Network.Segment(
                    name: name, latencyMicroseconds: try number(s, "latency_us", min: 0) ?? 100,
                    bandwidthMbps: try number(s, "bandwidth_mbps", above: 0) ?? 1000,
                    mtu: try integer(s, "mtu", min: 68, max: 65535) ?? 1500))
        }
        let segmentNames = segments.map(\.name)

        guard let clientsNode = value(n, "clients") else { throw fail(node, "missing key \"clients\" in network") }
        let c = try section(clientsNode, "network.clients", allowed: ["segment", "gateway"])
        guard let clientSegment = try string(c, "segment") else {
            throw fail(clientsNode, "missing key \"segment\" in network.clients")
        }
        guard segmentNames.contains(clientSegment) else {
            throw fail(value(c, "segment"), "network.clients.segment: no segment \"\(clientSegment)\" in network.segments")
        }
        guard let gateway = try address(c, "gateway") else { throw fail(clientsNode, "missing key \"gateway\" in network.clients") }

        guard let routerNode = value(n, "router") else { throw fail(node, "missing key \"router\" in network") }
        let router = try parseHost(routerNode, "network.router", defaultName: "router", segments: segmentNames)
        guard let directorNode = value(n, "director") else { throw fail(node, "missing key \"director\" in network") }
        let director = try parseHost(directorNode, "network.director", defaultName: "director", segments: segmentNames)
        guard let realNode = value(n, "real_servers") else { throw fail(node, "missing key \"real_servers\" in network") }
        guard case .sequence(let realItems) = realNode, !realItems.isEmpty else {
            throw fail(realNode, "network.real_servers must be a non-empty list of hosts")
        }
        var realServers: [Scenario.Network.Host] = []
        for (index, item) in realItems.enumerated() {
            let host = try parseHost(item, "network.real_servers[\(index)]", defaultName: nil, segments: segmentNames)
            realServers.append(host)
        }
        var names: Set<String> = ["client"]
        for host in [router, director] + realServers {
            guard names.insert(host.name).inserted else {
                throw ScenarioError(file: file, line: host.line, message: "network: host name \"\(host.name)\" is used twice")
            }
        }
        for server in scenario.servers
        where !realServers.contains(where: { $0.interfaces.contains { $0.address == server.endpoint.address } }) {
            throw fail(realNode, "network.real_servers: no host has the address \(server.endpoint.address) of server \(server.endpoint) (add an interface with that RIP)")
        }
        return Scenario.Network(
            mss: mss, requestBytes: request, responseBytes: response, clientDontFragment: dontFragment,
            segments: segments, clients: Scenario.Network.ClientAttachment(segment: clientSegment, gateway: gateway),
            router: router, director: director, realServers: realServers)
    }

    func address(_ section: Section, _ key: String) throws(ScenarioError) -> IPAddress? {
        guard let text = try string(section, key) else { return nil }
        guard let address = IPAddress(text), case .v4 = address else {
            throw fail(value(section, key), "\(keyPath(section, key)): \"\(text)\" is not an IPv4 address")
        }
        return address
    }

    func prefix(_ section: Section, _ key: String) throws(ScenarioError) -> (IPAddress, Int)? {
        guard let text = try string(section, key) else { return nil }
        let parts = text.split(separator: "/")
        guard parts.count == 2, let address = IPAddress(parts[0]), case .v4 = address, let bits = Int(parts[1]), bits >= 0,
            bits <= 32
        else {
            throw fail(value(section, key), "\(keyPath(section, key)): \"\(text)\" is not an address/prefix like 192.168.10.1/24")
        }
        return (address, bits)
    }

    func parseHost(_ node: Node, _ name: String, defaultName: String?, segments: [String]) throws(ScenarioError)
        -> Scenario.Network.Host
    {
        let h = try section(node, name, allowed: ScenarioLoader.hostKeys)
        guard let hostName = try string(h, "name") ?? defaultName else { throw fail(node, "missing key \"name\" in \(name)") }
        guard let interfacesNode = value(h, "interfaces") else { throw fail(node, "missing key \"interfaces\" in \(name)") }
        guard case .sequence(let items) = interfacesNode, !items.isEmpty else {
            throw fail(interfacesNode, "\(name).interfaces must be a non-empty list")
        }
        var interfaces: [Scenario.Network.Interface] = []
        for (index, item) in items.enumerated() {
            let path = "\(name).interfaces[\(index)]"
            let i = try section(item, path, allowed: ScenarioLoader.interfaceKeys)
            guard let device = try string(i, "device") else { throw fail(item, "missing key \"device\" in \(path)") }
            let deviceName = String(device.prefix { $0 != ":" })
            guard !deviceName.isEmpty, device.allSatisfy({ $0.isLetter || $0.isNumber || $0 == ":" || $0 == "." || $0 == "_" || $0 == "-" })
            else { throw fail(value(i, "device"), "\(path).device: \"\(device)\" is not a device name like eth0, eth0:0, lo:0 or tunl0") }
            guard let (address, bits) = try prefix(i, "address") else { throw fail(item, "missing key \"address\" in \(path)") }
            let segment = try string(i, "segment")
            let isVirtual = deviceName == "lo" || deviceName == "tunl0"
            if let segment {
                if isVirtual { throw fail(value(i, "segment"), "\(path).segment: \(deviceName) is not attached to a segment") }
                guard segments.contains(segment) else {
                    throw fail(value(i, "segment"), "\(path).segment: no segment \"\(segment)\" in network.segments")
                }
            } else if !isVirtual && !device.contains(":") && !interfaces.contains(where: { $0.deviceName == deviceName && $0.segment != nil }) {
                throw fail(item, "\(path): Ethernet device \(device) needs a segment")
            }
            var mac: MACAddress?
            if let text = try string(i, "mac") {
                guard let parsed = MACAddress(text) else { throw fail(value(i, "mac"), "\(path).mac: \"\(text)\" is not a MAC like 02:00:00:00:00:01") }
                mac = parsed
            }
            interfaces.append(
                Scenario.Network.Interface(
                    device: device, address: address, prefixLength: bits, segment: segment, mac: mac,
                    mtu: try integer(i, "mtu", min: 68, max: 65535), up: try bool(i, "up") ?? true))
        }
        var routes: [Scenario.Network.RouteSpec] = []
        if let routesNode = value(h, "routes") {
            guard case .sequence(let routeItems) = routesNode else { throw fail(routesNode, "\(name).routes must be a list of {to, via}") }
            for (index, item) in routeItems.enumerated() {
                let r = try section(item, "\(name).routes[\(index)]", allowed: ["to", "via"])
                guard let (destination, bits) = try prefix(r, "to") else { throw fail(item, "missing key \"to\" in \(name).routes[\(index)]") }
                guard let via = try address(r, "via") else { throw fail(item, "missing key \"via\" in \(name).routes[\(index)]") }
                routes.append(Scenario.Network.RouteSpec(destination: destination, prefixLength: bits, via: via))
            }
        }
        var sysctls: [String: Scenario.Network.Sysctls] = [:]
        if let sysctlNode = value(h, "sysctls") {
            guard case .mapping(let mapping) = sysctlNode else {
                throw fail(sysctlNode, "\(name).sysctls must be a mapping of device names (or all) to settings")
            }
            for (keyNode, settingsNode) in mapping {
                guard let device = keyNode.string else { throw fail(keyNode, "keys in \(name).sysctls must be strings") }
                guard device == "all" || device == "default" || interfaces.contains(where: { $0.deviceName == device }) else {
                    throw fail(keyNode, "\(name).sysctls: unknown device \"\(device)\" (expected all or one of the host's devices)")
                }
                let s = try section(settingsNode, "\(name).sysctls.\(device)", allowed: ScenarioLoader.sysctlKeys)
                sysctls[device] = Scenario.Network.Sysctls(
                    arpIgnore: try integer(s, "arp_ignore", min: 0, max: 8).map(UInt8.init),
                    arpAnnounce: try integer(s, "arp_announce", min: 0, max: 2).map(UInt8.init),
                    rpFilter: try integer(s, "rp_filter", min: 0, max: 2).map(UInt8.init),
                    sendRedirects: try integer(s, "send_redirects", min: 0, max: 1).map { $0 == 1 },
                    arpNotify: try integer(s, "arp_notify", min: 0, max: 1).map { $0 == 1 },
                    arpAccept: try integer(s, "arp_accept", min: 0, max: 1).map { $0 == 1 })
            }
        }
        let forward = try integer(h, "ip_forward", min: 0, max: 1) ?? 0
        return Scenario.Network.Host(
            name: hostName, interfaces: interfaces, gateway: try address(h, "gateway"), routes: routes, sysctls: sysctls,
            ipForward: forward == 1, line: node.mark?.line ?? 0)
    }
}
