import LVSModel

/// IP protocol numbers carried in ``IPv4Header/protocol``.
public enum IPProtocolNumber: UInt8, Hashable, Sendable, Codable {
    case icmp = 1
    /// IP-in-IP (IPIP), the outer header of LVS-TUN.
    case ipip = 4
    case tcp = 6
    case udp = 17
}

/// An IPv4 header as typed fields, without options or checksum.
///
/// Checksums are not modelled as values: every transform that changes an
/// address, port or TTL lists the checksum it would recompute among its
/// rewritten fields instead.
public struct IPv4Header: Hashable, Sendable, Codable {
    public var source: IPAddress
    public var destination: IPAddress
    /// Time to live; each forwarding hop (and IPVS's own transmit) subtracts 1.
    public var ttl: UInt8
    public var `protocol`: IPProtocolNumber
    /// The DF bit: when set, an oversized packet is refused with ICMP
    /// fragmentation-needed instead of being fragmented.
    public var dontFragment: Bool
    /// Header plus payload, in bytes (the IP `tot_len` field).
    public var totalLength: Int
    /// The IP identification field.
    public var identification: UInt16

    public init(
        source: IPAddress, destination: IPAddress, ttl: UInt8 = 64, protocol: IPProtocolNumber,
        dontFragment: Bool = true, totalLength: Int, identification: UInt16 = 0
    ) {
        self.source = source
        self.destination = destination
        self.ttl = ttl
        self.protocol = `protocol`
        self.dontFragment = dontFragment
        self.totalLength = totalLength
        self.identification = identification
    }

    /// The 20-byte header length (no options).
    public static let length = 20
}
