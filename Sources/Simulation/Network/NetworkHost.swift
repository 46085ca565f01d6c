import LVSModel

/// A simulated Linux host: its devices, addresses, sysctls and routes.
///
/// Models the parts of the kernel's IPv4 configuration that decide how LVS
/// packets are routed, accepted and ARPed: the weak host model (an address on
/// any device is local to the whole host), `lo` prefixes being entirely local,
/// `conf/all` combined with per-device sysctls, and connected routes derived
/// from addresses.
public struct NetworkHost: Hashable, Sendable {
    public var name: String
    /// Devices in creation order (`lo` usually first, as in the kernel's device list).
    public var interfaces: [NetworkInterface]
    /// `net.ipv4.conf.all.*`.
    public var allSysctls: InterfaceSysctls
    /// `net.ipv4.ip_forward`.
    public var isForwardingEnabled: Bool
    /// Routes added explicitly (default gateway, host routes); connected
    /// routes are derived from the addresses by ``routingTable``.
    public var staticRoutes: [Route]

    public init(
        name: String, interfaces: [NetworkInterface] = [], allSysctls: InterfaceSysctls = .kernelDefaults,
        isForwardingEnabled: Bool = false, staticRoutes: [Route] = []
    ) {
        self.name = name
        self.interfaces = interfaces
        self.allSysctls = allSysctls
        self.isForwardingEnabled = isForwardingEnabled
        self.staticRoutes = staticRoutes
        if !interfaces.contains(where: { $0.kind == .loopback }) {
            let loopback = NetworkInterface(
                name: "lo", kind: .loopback, addresses: [InterfaceAddress(IPAddress("127.0.0.1")!, prefixLength: 8, label: "lo")])
            self.interfaces.insert(loopback, at: 0)
        }
    }

    // MARK: Configuration

    /// The device called `name` (not a label: `lo`, not `lo:0`).
    public func interface(named name: String) -> NetworkInterface? {
        interfaces.first { $0.name == name }
    }

    /// `ip addr add address/prefixLength dev <device> label <label>`: the
    /// device is the label up to its first `:` (`lo:0` → `lo`). Creates an
    /// Ethernet device if there is none of that name.
    public mutating func addAddress(_ address: IPAddress, prefixLength: Int, label: String) {
        let device = String(label.prefix { $0 != ":" })
        let entry = InterfaceAddress(address, prefixLength: prefixLength, label: label)
        if let index = interfaces.firstIndex(where: { $0.name == device }) {
            interfaces[index].addresses.append(entry)
        } else {
            interfaces.append(NetworkInterface(name: device, addresses: [entry]))
        }
    }

    /// Removes `address` from whichever device holds it.
    public mutating func removeAddress(_ address: IPAddress) {
        for index in interfaces.indices { interfaces[index].addresses.removeAll { $0.address == address } }
    }

    /// The sysctls in force on device `name`: `conf/all` combined with `conf/<name>`.
    public func effectiveSysctls(on name: String) -> InterfaceSysctls {
        (interface(named: name)?.sysctls ?? .kernelDefaults).combined(with: allSysctls)
    }

    // MARK: Addresses

    /// Whether packets to `address` are delivered to this host.
    ///
    /// Kernel equivalence: the `local` table. Every address on an up device is
    /// local to the whole host (weak host model), and a prefix configured on
    /// `lo` is local in its entirety — so a VIP on `lo` with a /24 mask makes
    /// the whole /24 local (LVS-DR's "wide mask" mistake).
    public func isLocal(_ address: IPAddress) -> Bool {
        // By index: no copy (and retain) of each NetworkInterface.
        for index in interfaces.indices where interfaces[index].isUp {
            let isLoopback = interfaces[index].kind == .loopback
            for entry in interfaces[index].addresses where entry.address == address || (isLoopback && entry.contains(address)) {
                return true
            }
        }
        return false
    }

    /// The device that carries `address`, if any.
    public func interface(owning address: IPAddress) -> NetworkInterface? {
        interfaces.first { $0.hasAddress(address) }
    }

    /// The source address the kernel picks for traffic on device `name`
    /// towards `destination` (`inet_select_addr` with scope link).
    ///
    /// A primary, non-host-scope address of the device whose subnet contains
    /// `destination`; failing that the device's first such address; failing
    /// that the first global address of any device, in device order.
    public func selectSourceAddress(on name: String, toward destination: IPAddress) -> IPAddress? {
        if let device = interface(named: name) {
            let candidates = device.primaryAddresses.filter { $0.scope < .host }
            if let match = candidates.first(where: { $0.contains(destination) }) { return match.address }
            if let first = candidates.first { return first.address }
        }
        for device in interfaces {
            if let address = device.addresses.first(where: { $0.scope == .global }) { return address.address }
        }
        return nil
    }

    // MARK: Routing

    /// Connected routes for every up device's addresses, then the static routes.
    ///
    /// Kernel equivalence: `fib_add_ifaddr` adds a prefix route for each
    /// primary address shorter than /32; on `lo` that prefix is local
    /// instead (handled by ``isLocal(_:)``), so `lo` gets no connected route.
    public var routingTable: RoutingTable {
        var routes: [Route] = []
        for device in interfaces where device.isUp && device.kind != .loopback {
            for address in device.primaryAddresses where address.prefixLength < 32 {
                routes.append(
                    Route(
                        destination: address.address, prefixLength: address.prefixLength, interface: device.name,
                        preferredSource: address.address))
            }
        }
        return RoutingTable(routes: routes + staticRoutes.filter { interface(named: $0.interface)?.isUp ?? false })
    }

    /// How this host would send a packet to `destination`, or nil if it has no route.
    public func route(to destination: IPAddress) -> RouteDecision? {
        route(to: destination, using: routingTable)
    }

    /// ``route(to:)`` with ``routingTable`` already built (the packet level
    /// builds each host's table once: configurations do not change during a run).
    public func route(to destination: IPAddress, using table: RoutingTable) -> RouteDecision? {
        if isLocal(destination) {
            let device = interface(owning: destination)?.name ?? "lo"
            return RouteDecision(
                interface: device, nextHop: destination, source: destination, isLocal: true,
                mtu: interface(named: "lo")?.mtu ?? 65536)
        }
        guard let route = table.lookup(destination), let device = interface(named: route.interface) else {
            return nil
        }
        return RouteDecision(
            interface: device.name, nextHop: route.gateway ?? destination,
            source: route.preferredSource ?? selectSourceAddress(on: device.name, toward: destination),
            isLocal: false, mtu: device.mtu)
    }
}
