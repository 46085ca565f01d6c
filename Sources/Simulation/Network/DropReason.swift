import LVSModel

/// Why a packet went no further. Drops are data in the trace, never thrown errors.
public enum DropReason: Hashable, Sendable {
    /// TTL was ≤ 1 on arrival at a hop that would decrement it (ICMP time exceeded sent).
    case ttlExpired
    /// DF set and larger than the path MTU (ICMP fragmentation-needed sent, carrying `mtu`).
    case fragmentationNeeded(mtu: Int)
    /// The tunnel MTU (route MTU minus encapsulation) is below the IPv4 minimum of 68.
    case tunnelMTUTooSmall(mtu: Int)
    /// No route to the address.
    case noRoute(IPAddress)
    /// The next hop's MAC is not in the ARP cache; the packet waits for resolution.
    case neighbourUnresolved(IPAddress)
    /// A packet to be forwarded arrived at a host with `ip_forward=0`
    /// (a NAT director's replies; a real server without the VIP).
    case forwardingDisabled
    /// The destination address is not configured on the host (DR/TUN: VIP missing).
    case destinationNotLocal(IPAddress)
    /// The frame's destination MAC is neither this device's nor broadcast.
    case notAddressedToInterface
    /// An IPIP packet arrived but the host has no `tunl0` device that is up.
    case noTunnelDevice
    /// The source failed the reverse-path filter on the arrival device (`rp_filter`).
    case reversePathFilter(interface: String, mode: UInt8)
    /// The source is one of the host's own addresses ("martian source").
    case martianSource(IPAddress)
    /// NAT to a 127/8 destination for a packet from the network.
    case loopbackDestination

    /// A one-line explanation for traces and teaching output.
    public var explanation: String {
        switch self {
        case .ttlExpired: return "TTL expired in transit"
        case .fragmentationNeeded(let mtu): return "DF set and packet larger than MTU \(mtu): fragmentation needed"
        case .tunnelMTUTooSmall(let mtu): return "tunnel MTU \(mtu) below 68"
        case .noRoute(let address): return "no route to \(address)"
        case .neighbourUnresolved(let address): return "next hop \(address) not resolved by ARP"
        case .forwardingDisabled: return "not local and ip_forward=0"
        case .destinationNotLocal(let address): return "\(address) is not a local address"
        case .notAddressedToInterface: return "destination MAC is not this interface's"
        case .noTunnelDevice: return "IPIP packet but no tunl0 device up"
        case .reversePathFilter(let interface, let mode):
            return "rp_filter=\(mode) on \(interface): reverse path to the source does not match"
        case .martianSource(let address): return "martian source \(address) (one of our own addresses)"
        case .loopbackDestination: return "NAT to a loopback destination refused"
        }
    }
}
