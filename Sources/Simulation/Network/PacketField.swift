/// A header field a transform changed, for traces ("rewrote ip.dst, tcp.dport").
public enum PacketField: String, Hashable, Sendable, CaseIterable {
    case ethernetSource = "eth.src"
    case ethernetDestination = "eth.dst"
    case ipSource = "ip.src"
    case ipDestination = "ip.dst"
    case ttl = "ip.ttl"
    /// The IP header checksum (recomputed whenever TTL or addresses change; not modelled as a value).
    case ipChecksum = "ip.csum"
    case sourcePort = "l4.sport"
    case destinationPort = "l4.dport"
    /// The TCP/UDP checksum (pseudo-header changes with addresses and ports).
    case transportChecksum = "l4.csum"
    /// An IPIP outer header was prepended.
    case outerHeader = "outer"
    /// The outer header's DF bit was cleared (`pmtu_disc=0`).
    case outerDontFragment = "outer.df"

    /// The short trace name, e.g. `ip.dst`.
    public var name: String { rawValue }
}
