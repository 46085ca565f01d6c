import LVSModel

/// What a host does with a frame it received.
public enum ReceiveVerdict: Hashable, Sendable {
    /// Delivered to the local stack on device `interface` (after any
    /// decapsulation: a TUN packet is delivered on `tunl0`).
    case deliver(Packet, interface: String)
    /// Not local and `ip_forward=1`: the host routes it on.
    case forward(Packet)
    case drop(DropReason)

    /// The drop reason, if dropped.
    public var dropReason: DropReason? {
        if case .drop(let reason) = self { return reason }
        return nil
    }
}

/// The input path of a host (real server, router or director stack) as a
/// pure function: MAC filter, IPIP decapsulation, reverse-path filter,
/// martian check, local delivery or forwarding.
///
/// Kernel equivalence (`ip_rcv` → `ip_route_input` → `ip_local_deliver`, then
/// `ipip_rcv` re-injecting the inner packet on `tunl0`): the route checks run
/// once for the outer packet on the physical device and again for the inner
/// packet on `tunl0`. This is why LVS-TUN real servers need the VIP on
/// `tunl0` and `rp_filter` 0 or 2 there and on `all`, and why a DR real
/// server without the VIP drops the packet.
public enum PacketReceiver {
    /// Receives `packet` on device `interface` of `host`.
    public static func receive(
        _ packet: Packet, on interface: String, host: NetworkHost, routingTable: RoutingTable? = nil
    ) -> ReceiveVerdict {
        guard let device = host.interface(named: interface), device.isUp,
            device.kind != .ethernet || packet.ethernet.destination == device.mac || packet.ethernet.destination.isBroadcast
        else { return .drop(.notAddressedToInterface) }

        var packet = packet
        var arrival = interface
        if let outer = packet.outer {
            if let reason = routeInputCheck(source: outer.source, arrival: arrival, host: host, routingTable: routingTable) { return .drop(reason) }
            guard host.isLocal(outer.destination) else { return notLocal(packet, destination: outer.destination, host: host) }
            guard let tunnel = host.interfaces.first(where: { $0.kind == .ipipTunnel }), tunnel.isUp else {
                return .drop(.noTunnelDevice)
            }
            packet.outer = nil
            arrival = tunnel.name
        }
        if let reason = routeInputCheck(source: packet.ip.source, arrival: arrival, host: host, routingTable: routingTable) { return .drop(reason) }
        guard host.isLocal(packet.ip.destination) else {
            return notLocal(packet, destination: packet.ip.destination, host: host)
        }
        return .deliver(packet, interface: arrival)
    }

    /// The martian-source and reverse-path checks of route input for a
    /// packet from `source` arriving on `arrival`, or nil if it passes.
    ///
    /// `rp_filter` (effective: max of all and device): 1 strict — the route
    /// back to `source` must leave by `arrival`; 2 loose — any route back
    /// will do; 0 — no check.
    public static func routeInputCheck(
        source: IPAddress, arrival: String, host: NetworkHost, routingTable: RoutingTable? = nil
    ) -> DropReason? {
        if host.isLocal(source) { return .martianSource(source) }
        let mode = host.effectiveSysctls(on: arrival).rpFilter
        guard mode != 0 else { return nil }
        guard let back = host.route(to: source, using: routingTable ?? host.routingTable) else { return .reversePathFilter(interface: arrival, mode: mode) }
        if mode == 1 && back.interface != arrival { return .reversePathFilter(interface: arrival, mode: mode) }
        return nil
    }

    private static func notLocal(_ packet: Packet, destination: IPAddress, host: NetworkHost) -> ReceiveVerdict {
        host.isForwardingEnabled ? .forward(packet) : .drop(.destinationNotLocal(destination))
    }
}
