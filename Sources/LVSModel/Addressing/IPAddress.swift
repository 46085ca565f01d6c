/// An address family as IPVS understands it.
public enum AddressFamily: UInt8, Hashable, Sendable, Codable {
    case inet = 2
    case inet6 = 10
}

/// An IPv4 or IPv6 address.
///
/// IPv4 addresses are kept as host-order 32-bit integers (a.b.c.d is
/// a·2²⁴ + b·2¹⁶ + c·2⁸ + d), IPv6 addresses as two host-order 64-bit halves.
/// `Comparable` orders IPv4 before IPv6 and each numerically; the ipvsadm
/// listing order (which is *not* plain numeric) lives with the printer.
public enum IPAddress: Hashable, Sendable, Comparable {
    case v4(UInt32)
    case v6(high: UInt64, low: UInt64)

    /// The address family.
    public var family: AddressFamily {
        switch self {
        case .v4: return .inet
        case .v6: return .inet6
        }
    }

    /// The 32-bit fold the kernel's hashes use: the IPv4 address itself, or
    /// the XOR of the four big-endian 32-bit words of an IPv6 address.
    @inlinable
    public var folded: UInt32 {
        switch self {
        case .v4(let value):
            return value
        case .v6(let high, let low):
            return UInt32(truncatingIfNeeded: high >> 32) ^ UInt32(truncatingIfNeeded: high)
                ^ UInt32(truncatingIfNeeded: low >> 32) ^ UInt32(truncatingIfNeeded: low)
        }
    }

    /// The address with every bit outside `mask` cleared. For IPv4 `mask` is
    /// the 32-bit netmask; for IPv6, see ``masked(prefixLength:)``.
    public func masked(v4Mask mask: UInt32) -> IPAddress {
        if case .v4(let value) = self { return .v4(value & mask) }
        return self
    }

    /// The address truncated to its first `prefixLength` bits (IPv6), or
    /// masked by the equivalent netmask (IPv4).
    public func masked(prefixLength: Int) -> IPAddress {
        switch self {
        case .v4(let value):
            let mask: UInt32 = prefixLength <= 0 ? 0 : (prefixLength >= 32 ? .max : ~(UInt32.max >> UInt32(prefixLength)))
            return .v4(value & mask)
        case .v6(let high, let low):
            let highMask: UInt64 = prefixLength <= 0 ? 0 : (prefixLength >= 64 ? .max : ~(UInt64.max >> UInt64(prefixLength)))
            let lowBits = prefixLength - 64
            let lowMask: UInt64 = lowBits <= 0 ? 0 : (lowBits >= 64 ? .max : ~(UInt64.max >> UInt64(lowBits)))
            return .v6(high: high & highMask, low: low & lowMask)
        }
    }

    /// True for addresses the kernel accepts as a real server: not the
    /// unspecified address, not multicast, not the IPv4 limited broadcast.
    public var isUnicast: Bool {
        switch self {
        case .v4(let value):
            if value == 0 || value == 0xFFFF_FFFF { return false }
            if value >> 28 == 0xE { return false }  // 224.0.0.0/4
            return true
        case .v6(let high, let low):
            if high == 0 && low == 0 { return false }
            if high >> 56 == 0xFF { return false }  // ff00::/8
            return true
        }
    }

    public static func < (lhs: IPAddress, rhs: IPAddress) -> Bool {
        switch (lhs, rhs) {
        case (.v4(let a), .v4(let b)): return a < b
        case (.v4, .v6): return true
        case (.v6, .v4): return false
        case (.v6(let ah, let al), .v6(let bh, let bl)): return (ah, al) < (bh, bl)
        }
    }
}

extension IPAddress {
    /// Parses dotted-quad IPv4 (`10.0.0.1`) or textual IPv6 (`2001:db8::1`,
    /// also with an embedded IPv4 tail such as `::ffff:10.0.0.1`). Brackets
    /// are not accepted here; see ``Endpoint``.
    public init?<S: StringProtocol>(_ text: S) {
        if let v4 = IPAddress.parseV4(Substring(text)) {
            self = .v4(v4)
        } else if let v6 = IPAddress.parseV6(Substring(text)) {
            self = v6
        } else {
            return nil
        }
    }

    static func parseV4(_ text: Substring) -> UInt32? {
        var value: UInt32 = 0
        var parts = 0
        for part in text.split(separator: ".", omittingEmptySubsequences: false) {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy({ $0.isASCII && $0.isNumber }),
                let byte = UInt32(part), byte <= 255
            else { return nil }
            value = value << 8 | byte
            parts += 1
        }
        return parts == 4 ? value : nil
    }

    static func parseV6(_ text: Substring) -> IPAddress? {
        guard text.contains(":"), text.count <= 45 else { return nil }
        var head: [UInt16] = []
        var tail: [UInt16] = []
        var seenGap = false
        let pieces = text.split(separator: ":", omittingEmptySubsequences: false)
        var index = 0
        // Leading "::" produces two empty pieces; trailing "::" too.
        while index < pieces.count {
            let piece = pieces[index]
            if piece.isEmpty {
                if seenGap {
                    // Allowed only as the second half of a leading/trailing "::".
                    let atEdge = (index == 1 && pieces[0].isEmpty) || (index == pieces.count - 1 && pieces[index - 1].isEmpty)
                    if !atEdge { return nil }
                } else {
                    // A single leading or trailing ':' without its pair is invalid.
                    if index == 0 && (pieces.count < 2 || !pieces[1].isEmpty) { return nil }
                    if index == pieces.count - 1 && !(pieces.count >= 2 && pieces[index - 1].isEmpty) { return nil }
                    seenGap = true
                }
                index += 1
                continue
            }
            var groups: [UInt16] = []
            if piece.contains(".") {
                guard index == pieces.count - 1, let v4 = parseV4(piece) else { return nil }
                groups = [UInt16(v4 >> 16), UInt16(v4 & 0xFFFF)]
            } else {
                guard piece.count <= 4, let group = UInt16(piece, radix: 16) else { return nil }
                groups = [group]
            }
            if seenGap { tail.append(contentsOf: groups) } else { head.append(contentsOf: groups) }
            index += 1
        }
        let total = head.count + tail.count
        if seenGap ? total > 7 : total != 8 { return nil }
        let groups = head + Array(repeating: 0, count: 8 - total) + tail
        var high: UInt64 = 0
        var low: UInt64 = 0
        for i in 0..<4 { high = high << 16 | UInt64(groups[i]) }
        for i in 4..<8 { low = low << 16 | UInt64(groups[i]) }
        return .v6(high: high, low: low)
    }
}

extension IPAddress: CustomStringConvertible {
    /// Dotted quad for IPv4; RFC 5952 text for IPv6 (lower case, the longest
    /// run of two or more zero groups compressed, first run on ties), which
    /// is what glibc's `inet_ntop` prints and therefore what ipvsadm prints.
    public var description: String {
        switch self {
        case .v4(let value):
            return "\(value >> 24).\((value >> 16) & 0xFF).\((value >> 8) & 0xFF).\(value & 0xFF)"
        case .v6(let high, let low):
            var groups: [UInt16] = []
            for i in (0..<4).reversed() { groups.append(UInt16(truncatingIfNeeded: high >> (UInt64(i) * 16))) }
            for i in (0..<4).reversed() { groups.append(UInt16(truncatingIfNeeded: low >> (UInt64(i) * 16))) }
            // IPv4-mapped addresses print with a dotted tail, as inet_ntop does.
            if high == 0, low >> 32 == 0xFFFF {
                return "::ffff:" + IPAddress.v4(UInt32(truncatingIfNeeded: low)).description
            }
            var bestStart = -1
            var bestLength = 0
            var runStart = -1
            for i in 0...8 {
                if i < 8 && groups[i] == 0 {
                    if runStart < 0 { runStart = i }
                } else if runStart >= 0 {
                    let length = i - runStart
                    if length > bestLength { bestStart = runStart; bestLength = length }
                    runStart = -1
                }
            }
            if bestLength < 2 { bestStart = -1 }
            var text = ""
            var i = 0
            while i < 8 {
                if i == bestStart {
                    text += "::"
                    i += bestLength
                    continue
                }
                if !text.isEmpty && !text.hasSuffix(":") { text += ":" }
                text += String(groups[i], radix: 16)
                i += 1
            }
            return text
        }
    }
}

extension IPAddress: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let address = IPAddress(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "bad IP address \"\(text)\"")
        }
        self = address
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
