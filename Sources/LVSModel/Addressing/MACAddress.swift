/// A 48-bit Ethernet MAC address.
public struct MACAddress: Hashable, Sendable, Comparable, Codable {
    /// The six octets in the low 48 bits, first octet most significant.
    public var rawValue: UInt64

    public init(rawValue: UInt64) { self.rawValue = rawValue & 0xFFFF_FFFF_FFFF }

    /// The broadcast address ff:ff:ff:ff:ff:ff.
    public static let broadcast = MACAddress(rawValue: 0xFFFF_FFFF_FFFF)
    /// The all-zero address ARP requests carry as their target hardware address.
    public static let zero = MACAddress(rawValue: 0)

    /// Parses `aa:bb:cc:dd:ee:ff` (or with `-` separators).
    public init?<S: StringProtocol>(_ text: S) {
        let parts = text.split(whereSeparator: { $0 == ":" || $0 == "-" })
        guard parts.count == 6 else { return nil }
        var value: UInt64 = 0
        for part in parts {
            guard part.count == 2, let byte = UInt8(part, radix: 16) else { return nil }
            value = value << 8 | UInt64(byte)
        }
        rawValue = value
    }

    public var isBroadcast: Bool { rawValue == MACAddress.broadcast.rawValue }

    public static func < (lhs: MACAddress, rhs: MACAddress) -> Bool { lhs.rawValue < rhs.rawValue }
}

extension MACAddress: CustomStringConvertible {
    public var description: String {
        (0..<6).reversed().map { shift -> String in
            let byte = UInt8(truncatingIfNeeded: rawValue >> (UInt64(shift) * 8))
            return byte < 16 ? "0" + String(byte, radix: 16) : String(byte, radix: 16)
        }.joined(separator: ":")
    }
}
