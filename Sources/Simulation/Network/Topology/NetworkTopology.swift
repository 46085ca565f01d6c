import LVSModel

/// The hosts and L2 segments of a packet-level scenario, built from its
/// `network` section (`docs/packet-level.md`).
///
/// Host order is fixed: ``clients`` (index 0, one host standing for the whole
/// client population: every client address is local to it, on `lo`), the
/// ``router`` (1), the ``director`` (2), then the ``realServers`` in scenario
/// order. MACs not given in the scenario are derived from the host's name and
/// the device's position (`02:` + FNV-1a of the name + device number), so
/// they are stable from run to run.
public struct NetworkTopology: Sendable {
    /// An L2 segment: a switch joining Ethernet devices of several hosts.
    public struct Segment: Sendable, Equatable {
        public var name: String
        public var latencyNanoseconds: Int64
        /// Bits per second of each sending interface.
        public var bitsPerSecond: Double
        public var mtu: Int
        /// The devices plugged in: (host index, device name), in host order.
        public var attachments: [Attachment]
    }

    /// A device plugged into a segment.
    public struct Attachment: Sendable, Equatable {
        public var host: Int
        public var device: String
    }

    /// All hosts, in the order described above.
    public private(set) var hosts: [NetworkHost]
    public private(set) var segments: [Segment]
    public static let clientsIndex = 0
    public static let routerIndex = 1
    public static let directorIndex = 2
    /// Index in ``hosts`` of the real server that owns each scenario server's RIP
    /// (same order as `scenario.servers`).
    public private(set) var hostOfServer: [Int]
    /// The client addresses as one prefix (covering `clients.subnet`).
    public private(set) var clientPrefix: (address: IPAddress, length: Int)

    public var clients: NetworkHost { hosts[Self.clientsIndex] }
    public var router: NetworkHost { hosts[Self.routerIndex] }
    public var director: NetworkHost { hosts[Self.directorIndex] }
    public var realServers: [NetworkHost] { Array(hosts[(Self.directorIndex + 1)...]) }

    /// The segment (index into ``segments``) device `device` of host `host` is plugged into.
    public func segment(ofHost host: Int, device: String) -> Int? {
        segments.firstIndex { $0.attachments.contains(Attachment(host: host, device: device)) }
    }

    /// Builds the topology of `scenario`'s `network` section.
    public init(scenario: Scenario) throws(SimulationSetupError) {
        guard let network = scenario.network else {
            throw SimulationSetupError("\(scenario.file): the scenario has no network section (needed at packet level)")
        }
        segments = network.segments.map {
            Segment(
                name: $0.name, latencyNanoseconds: Int64(($0.latencyMicroseconds * 1000).rounded()),
                bitsPerSecond: $0.bandwidthMbps * 1e6, mtu: $0.mtu, attachments: [])
        }
        hosts = []
        hostOfServer = []

        // The clients: one host owning the client prefix on lo, eth0 on the clients' segment.
        let base = scenario.clients.baseAddress
        let last = base &+ UInt32(max(0, scenario.clients.count - 1))
        var length = 32
        while length > 0 && (base >> UInt32(32 - length)) != (last >> UInt32(32 - length)) { length -= 1 }
        clientPrefix = (IPAddress.v4(base), length)
        guard let clientSegment = segments.firstIndex(where: { $0.name == network.clients.segment }) else {
            throw SimulationSetupError("network.clients.segment \"\(network.clients.segment)\" is not a segment")
        }
        var clients = NetworkHost(
            name: "client",
            interfaces: [
                NetworkInterface(
                    name: "eth0", mac: NetworkTopology.derivedMAC(host: "client", device: 1),
                    mtu: segments[clientSegment].mtu)
            ], staticRoutes: [.defaultRoute(via: network.clients.gateway, interface: "eth0")])
        clients.addAddress(.v4(base), prefixLength: length, label: "lo:clients")
        hosts.append(clients)
        segments[clientSegment].attachments.append(Attachment(host: 0, device: "eth0"))

        try add(network.router, isRouter: true)
        try add(network.director, isRouter: false)
        for host in network.realServers { try add(host, isRouter: false) }

        // The router reaches the clients on their segment.
        if let device = segments[clientSegment].attachments.first(where: { $0.host == Self.routerIndex })?.device {
            hosts[Self.routerIndex].staticRoutes.insert(
                Route(destination: .v4(base), prefixLength: length, interface: device), at: 0)
        } else {
            throw SimulationSetupError(
                "network.router has no interface on the clients' segment \"\(network.clients.segment)\"")
        }
        guard hosts[Self.routerIndex].interfaces.contains(where: { $0.hasAddress(network.clients.gateway) }) else {
            throw SimulationSetupError("network.clients.gateway \(network.clients.gateway) is not an address of the router")
        }
        for server in scenario.servers {
            guard
                let index = hosts.indices.dropFirst(Self.directorIndex + 1).first(where: {
                    hosts[$0].interfaces.contains { $0.hasAddress(server.endpoint.address) }
                })
            else {
                throw SimulationSetupError(
                    "server \(server.endpoint) has no host in network.real_servers with the address \(server.endpoint.address)")
            }
            hostOfServer.append(index)
        }
    }

    private mutating func add(_ spec: Scenario.Network.Host, isRouter: Bool) throws(SimulationSetupError) {
        let index = hosts.count
        var host = NetworkHost(name: spec.name, isForwardingEnabled: isRouter || spec.ipForward)
        var deviceNumber = 0
        for entry in spec.interfaces {
            let device = entry.deviceName
            if host.interface(named: device) == nil {
                deviceNumber += 1
                let kind: NetworkInterface.Kind = device == "lo" ? .loopback : device == "tunl0" ? .ipipTunnel : .ethernet
                var mtu = entry.mtu
                if kind == .ethernet, let name = entry.segment, let segment = segments.firstIndex(where: { $0.name == name }) {
                    mtu = mtu ?? segments[segment].mtu
                    segments[segment].attachments.append(Attachment(host: index, device: device))
                } else if kind == .ethernet {
                    throw SimulationSetupError("\(spec.name): device \(device) is on no segment")
                }
                let mac = kind == .ethernet ? (entry.mac ?? NetworkTopology.derivedMAC(host: spec.name, device: deviceNumber)) : .zero
                let interface = NetworkInterface(
                    name: device, kind: kind, mac: mac, mtu: mtu, isUp: entry.up,
                    sysctls: spec.sysctls[device]?.resolved ?? .kernelDefaults)
                if kind == .loopback {
                    if let at = host.interfaces.firstIndex(where: { $0.kind == .loopback }) {
                        host.interfaces[at].isUp = entry.up
                    }
                } else {
                    host.interfaces.append(interface)
                }
            }
            host.addAddress(entry.address, prefixLength: entry.prefixLength, label: entry.device)
        }
        if let all = spec.sysctls["all"] { host.allSysctls = all.resolved }
        func device(toward gateway: IPAddress) throws(SimulationSetupError) -> String {
            if let owner = host.interfaces.first(where: { $0.kind == .ethernet && $0.addresses.contains { $0.contains(gateway) } }) {
                return owner.name
            }
            throw SimulationSetupError("\(spec.name): gateway \(gateway) is on none of its subnets")
        }
        for route in spec.routes {
            host.staticRoutes.append(
                Route(destination: route.destination, prefixLength: route.prefixLength, interface: try device(toward: route.via),
                    gateway: route.via))
        }
        if let gateway = spec.gateway {
            host.staticRoutes.append(.defaultRoute(via: gateway, interface: try device(toward: gateway)))
        }
        hosts.append(host)
    }

    /// `02:` followed by 32 bits of FNV-1a of `host` and the device number.
    public static func derivedMAC(host: String, device: Int) -> MACAddress {
        var hash: UInt32 = 2_166_136_261
        for byte in host.utf8 {
            hash ^= UInt32(byte)
            hash = hash &* 16_777_619
        }
        return MACAddress(rawValue: 0x02_0000_0000_00 | UInt64(hash) << 8 | UInt64(UInt8(truncatingIfNeeded: device)))
    }
}
