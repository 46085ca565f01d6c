import LVSModel

/// An IPv4 packet in an Ethernet frame, as typed headers rather than bytes
/// (smoltcp's `Repr` style).
///
/// A TUN packet between director and real server carries the IPIP
/// encapsulation in ``outer``; ``ip`` is then the untouched client packet.
/// Payload bytes are not stored, only their count.
public struct Packet: Hashable, Sendable {
    public var ethernet: EthernetHeader
    /// The IPIP outer header (protocol 4) added by LVS-TUN, or nil.
    public var outer: IPv4Header?
    /// The (inner) IP header: client ↔ VIP or, after NAT, client ↔ RIP.
    public var ip: IPv4Header
    public var transport: TransportHeader
    /// Application bytes after the transport header.
    public var payloadLength: Int
    public var meta: PacketMeta

    /// Builds a packet and sets `ip.totalLength` and `ip.protocol` from the
    /// transport header and payload.
    public init(
        ethernet: EthernetHeader, outer: IPv4Header? = nil, ip: IPv4Header, transport: TransportHeader,
        payloadLength: Int = 0, meta: PacketMeta = PacketMeta()
    ) {
        self.ethernet = ethernet
        self.outer = outer
        self.ip = ip
        self.transport = transport
        self.payloadLength = payloadLength
        self.meta = meta
        self.ip.protocol = transport.protocolNumber
        self.ip.totalLength = IPv4Header.length + transport.length + payloadLength
    }

    /// The size of the inner IP packet: 20-byte IP header, transport header, payload.
    public var innerLength: Int { IPv4Header.length + transport.length + payloadLength }

    /// The size of the IP packet on the wire, including the 20-byte IPIP
    /// header when encapsulated; this is what is compared with the MTU.
    public var ipLength: Int { innerLength + (outer == nil ? 0 : IPv4Header.length) }

    /// The frame size with its 14-byte Ethernet header.
    public var frameLength: Int { EthernetHeader.length + ipLength }

    /// The IP header routers look at: the outer one when encapsulated.
    public var routingHeader: IPv4Header {
        get { outer ?? ip }
        set { if outer != nil { outer = newValue } else { ip = newValue } }
    }

    /// The ICMP error `kind` about this packet, quoting it as `icmp_send` does.
    public func icmpError(
        _ kind: ICMPMessage.Kind, from source: IPAddress, ttl: UInt8 = 64, identification: UInt16 = 0
    ) -> Packet {
        let quote = ICMPMessage.Quote(
            ip: ip, sourcePort: transport.sourcePort ?? 0, destinationPort: transport.destinationPort ?? 0,
            length: min(innerLength, ICMPMessage.maximumQuoteLength))
        let header = IPv4Header(
            source: source, destination: ip.source, ttl: ttl, protocol: .icmp,
            dontFragment: false, totalLength: 0, identification: identification)
        return Packet(
            ethernet: EthernetHeader(source: .zero, destination: .zero), ip: header,
            transport: .icmp(ICMPMessage(kind: kind, quote: quote)), meta: meta)
    }
}
