import LVSModel

@testable import Simulation

/// The hosts of the seed topologies, with addresses from the LVS how-tos
/// (NAT: director 202.99.59.110 outside / 192.168.10.254 inside, real
/// servers 192.168.10.1–3; DR: DIP 202.99.59.109, RIPs .108 and .107, VIP on
/// the real servers' `lo:0`).
enum NetworkFixtures {
    static func ip(_ text: String) -> IPAddress { IPAddress(text)! }
    static func mac(_ text: String) -> MACAddress { MACAddress(text)! }

    static let client = Endpoint(address: ip("203.0.113.10"), port: 51000)
    static let vip = ip("202.99.59.110")
    static let service = Endpoint(address: vip, port: 80)
    static let router = ip("202.99.59.1")

    static let routerMAC = mac("02:00:00:00:00:01")
    static let directorOutsideMAC = mac("02:00:00:00:00:d0")
    static let directorInsideMAC = mac("02:00:00:00:00:d1")
    static let realServerMACs = [mac("02:00:00:00:10:01"), mac("02:00:00:00:10:02"), mac("02:00:00:00:10:03")]

    /// NAT director: eth0 202.99.59.110/24, eth1 192.168.10.254/24, default via the router, ip_forward=1.
    static var natDirector: NetworkHost {
        var host = NetworkHost(
            name: "director",
            interfaces: [
                NetworkInterface(name: "eth0", mac: directorOutsideMAC),
                NetworkInterface(name: "eth1", mac: directorInsideMAC),
            ],
            isForwardingEnabled: true, staticRoutes: [.defaultRoute(via: router, interface: "eth0")])
        host.addAddress(vip, prefixLength: 24, label: "eth0")
        host.addAddress(ip("192.168.10.254"), prefixLength: 24, label: "eth1")
        return host
    }

    static var natNeighbours: [IPAddress: MACAddress] {
        [
            router: routerMAC, ip("192.168.10.1"): realServerMACs[0], ip("192.168.10.2"): realServerMACs[1],
            ip("192.168.10.3"): realServerMACs[2],
        ]
    }

    /// DR/TUN director: DIP 202.99.59.109/24 on eth0, VIP /32 on eth0:0.
    static var drDirector: NetworkHost {
        var host = NetworkHost(
            name: "director", interfaces: [NetworkInterface(name: "eth0", mac: directorOutsideMAC)],
            staticRoutes: [.defaultRoute(via: router, interface: "eth0")])
        host.addAddress(ip("202.99.59.109"), prefixLength: 24, label: "eth0")
        host.addAddress(vip, prefixLength: 32, label: "eth0:0")
        return host
    }

    /// DR real server 1: RIP 202.99.59.108/24 on eth0, optionally the VIP /32 on `vipLabel`.
    static func drRealServer(vipLabel: String? = "lo:0", sysctls: InterfaceSysctls = .kernelDefaults) -> NetworkHost {
        var host = NetworkHost(
            name: "rs1", interfaces: [NetworkInterface(name: "eth0", mac: realServerMACs[0])], allSysctls: sysctls,
            staticRoutes: [.defaultRoute(via: router, interface: "eth0")])
        host.addAddress(ip("202.99.59.108"), prefixLength: 24, label: "eth0")
        if let vipLabel { host.addAddress(vip, prefixLength: 32, label: vipLabel) }
        return host
    }

    /// A remote TUN real server: RIP 192.0.2.11/24 on eth0, gateway 192.0.2.1, VIP /32 on tunl0.
    static func tunRealServer(allRPFilter: UInt8 = 0, tunnelRPFilter: UInt8 = 0, hasTunnel: Bool = true) -> NetworkHost {
        var interfaces = [NetworkInterface(name: "eth0", mac: realServerMACs[0])]
        if hasTunnel {
            interfaces.append(
                NetworkInterface(name: "tunl0", kind: .ipipTunnel, sysctls: InterfaceSysctls(rpFilter: tunnelRPFilter)))
        }
        var host = NetworkHost(
            name: "rs-remote", interfaces: interfaces, allSysctls: InterfaceSysctls(rpFilter: allRPFilter),
            staticRoutes: [.defaultRoute(via: ip("192.0.2.1"), interface: "eth0")])
        host.addAddress(ip("192.0.2.11"), prefixLength: 24, label: "eth0")
        host.addAddress(vip, prefixLength: 32, label: hasTunnel ? "tunl0" : "lo:0")
        return host
    }

    /// The client's TCP segment as the router hands it to the director: r → d0, TTL 60.
    static func inboundSegment(flags: TCPFlags = .syn, payloadLength: Int = 0, ttl: UInt8 = 60) -> Packet {
        Packet(
            ethernet: EthernetHeader(source: routerMAC, destination: directorOutsideMAC),
            ip: IPv4Header(
                source: client.address, destination: vip, ttl: ttl, protocol: .tcp, totalLength: 0, identification: 7),
            transport: .tcp(
                TCPHeader(sourcePort: client.port, destinationPort: 80, flags: flags, sequenceNumber: 1000)),
            payloadLength: payloadLength, meta: PacketMeta(flowID: 1))
    }
}
