import LVSModel

/// A packet a host sends, with the device and next hop it leaves by.
public struct Transmission: Hashable, Sendable {
    public var packet: Packet
    /// The output device name.
    public var interface: String
    /// The IP whose MAC is the frame's destination.
    public var nextHop: IPAddress

    public init(packet: Packet, interface: String, nextHop: IPAddress) {
        self.packet = packet
        self.interface = interface
        self.nextHop = nextHop
    }
}

/// Something a forwarding transform wants the trace to say besides a drop.
public enum ForwardingWarning: Hashable, Sendable {
    /// DR/TUN cannot map ports: the real server's configured port was not
    /// used, the packet keeps the service port (ipvsadm forces it silently).
    case portMappingIgnored(configured: UInt16, used: UInt16)
    /// The forwarded packet leaves by the device it arrived on and the
    /// source is on that segment: with `send_redirects` on, an ICMP redirect is sent too.
    case redirectSent(to: IPAddress)
}

/// What one hop did with one packet: what it sent, whether it dropped the
/// packet and which fields it rewrote.
public struct ForwardingResult: Hashable, Sendable {
    /// Packets sent, in order: the forwarded packet and/or ICMP the host generated.
    public var transmissions: [Transmission]
    /// Why the packet went no further, or nil if it was forwarded.
    public var drop: DropReason?
    /// Fields changed on the forwarded packet, in header order.
    public var rewrittenFields: [PacketField]
    public var warnings: [ForwardingWarning]

    public init(
        transmissions: [Transmission] = [], drop: DropReason? = nil, rewrittenFields: [PacketField] = [],
        warnings: [ForwardingWarning] = []
    ) {
        self.transmissions = transmissions
        self.drop = drop
        self.rewrittenFields = rewrittenFields
        self.warnings = warnings
    }

    /// A drop with no packet sent.
    public static func dropped(_ reason: DropReason) -> ForwardingResult { ForwardingResult(drop: reason) }

    /// The forwarded packet, if the packet was not dropped.
    public var forwarded: Packet? { drop == nil ? transmissions.first?.packet : nil }
}
