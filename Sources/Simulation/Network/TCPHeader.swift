import LVSModel

/// A TCP header as typed fields (20 bytes, no options).
public struct TCPHeader: Hashable, Sendable, Codable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16
    public var flags: TCPFlags
    /// Sequence number.
    public var sequenceNumber: UInt32
    /// Acknowledgement number (meaningful when `flags` contains `.ack`).
    public var acknowledgementNumber: UInt32

    public init(
        sourcePort: UInt16, destinationPort: UInt16, flags: TCPFlags,
        sequenceNumber: UInt32 = 0, acknowledgementNumber: UInt32 = 0
    ) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.flags = flags
        self.sequenceNumber = sequenceNumber
        self.acknowledgementNumber = acknowledgementNumber
    }

    /// The 20-byte header length (no options).
    public static let length = 20
}

/// A UDP header as typed fields (8 bytes).
public struct UDPHeader: Hashable, Sendable, Codable {
    public var sourcePort: UInt16
    public var destinationPort: UInt16

    public init(sourcePort: UInt16, destinationPort: UInt16) {
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
    }

    /// The 8-byte header length.
    public static let length = 8
}
