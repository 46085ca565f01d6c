import LVSModel

/// One IPv4 route: a prefix reached through a device, directly or via a gateway.
public struct Route: Hashable, Sendable {
    public var destination: IPAddress
    public var prefixLength: Int
    /// The output device name.
    public var interface: String
    /// The next-hop router, or nil for an on-link (connected) prefix.
    public var gateway: IPAddress?
    /// The `src` hint of the route, if any.
    public var preferredSource: IPAddress?

    public init(
        destination: IPAddress, prefixLength: Int, interface: String, gateway: IPAddress? = nil,
        preferredSource: IPAddress? = nil
    ) {
        self.destination = destination.masked(prefixLength: prefixLength)
        self.prefixLength = prefixLength
        self.interface = interface
        self.gateway = gateway
        self.preferredSource = preferredSource
    }

    /// `default via 202.99.59.1 dev eth0`.
    public static func defaultRoute(via gateway: IPAddress, interface: String) -> Route {
        Route(destination: .v4(0), prefixLength: 0, interface: interface, gateway: gateway)
    }

    /// Whether `address` falls inside this route's prefix.
    public func matches(_ address: IPAddress) -> Bool {
        address.family == destination.family && address.masked(prefixLength: prefixLength) == destination
    }
}

/// A host's main routing table with longest-prefix-match lookup.
///
/// Equivalent to the kernel's `main` table for unicast routes; the `local`
/// table is modelled by ``NetworkHost/isLocal(_:)``, which is consulted first.
public struct RoutingTable: Hashable, Sendable {
    /// Routes in insertion order; on equal prefix length the earlier wins
    /// (the kernel would use the metric, which the simulator does not model).
    public var routes: [Route]

    public init(routes: [Route] = []) { self.routes = routes }

    /// The most specific route containing `destination`, or nil (unreachable).
    ///
    /// - Complexity: O(n) in the number of routes.
    public func lookup(_ destination: IPAddress) -> Route? {
        var best: Route?
        for route in routes where route.matches(destination) {
            if best == nil || route.prefixLength > best!.prefixLength { best = route }
        }
        return best
    }
}

/// The result of routing a packet from a host: where and how it leaves.
public struct RouteDecision: Hashable, Sendable {
    /// The output device name.
    public var interface: String
    /// The address to resolve with ARP: the gateway, or the destination itself when on-link.
    public var nextHop: IPAddress
    /// The source address a locally originated packet would get.
    public var source: IPAddress?
    /// Whether the destination is one of the host's own addresses.
    public var isLocal: Bool
    /// The path MTU (the output device's MTU).
    public var mtu: Int

    public init(interface: String, nextHop: IPAddress, source: IPAddress?, isLocal: Bool, mtu: Int) {
        self.interface = interface
        self.nextHop = nextHop
        self.source = source
        self.isLocal = isLocal
        self.mtu = mtu
    }
}
