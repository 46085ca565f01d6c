/// The C library text conversions ipvsadm uses, with their leniencies:
/// `strtol`/`strtoul` (leading blanks and a sign accepted, whole string
/// required) and `inet_aton` (one to four parts, octal and hex allowed).
enum CTextParsing {
    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == 0x20 || (0x09...0x0D).contains(byte)
    }

    /// `strtol(text, &end, 10)` accepted only when it consumed all of
    /// `text` and did not overflow a 64-bit long.
    static func strtol(_ text: String) -> Int64? {
        var bytes = Array(text.utf8)[...]
        while let first = bytes.first, isBlank(first) { bytes = bytes.dropFirst() }
        var negative = false
        if let sign = bytes.first, sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") {
            negative = sign == UInt8(ascii: "-")
            bytes = bytes.dropFirst()
        }
        guard !bytes.isEmpty else { return nil }
        var value: Int64 = 0
        for byte in bytes {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(byte - UInt8(ascii: "0")))
            if overflow1 || overflow2 { return nil }
            value = sum
        }
        return negative ? -value : value
    }

    /// ipvsadm's `string_to_number`: base 10 within `range`, else nil.
    static func number(_ text: String, in range: ClosedRange<Int64>) -> Int64? {
        guard let value = strtol(text), range.contains(value) else { return nil }
        return value
    }

    /// Whether every character is a decimal digit (ipvsadm's `str_is_digit`; true for "").
    static func isAllDigits(_ text: String) -> Bool {
        text.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }
    }

    /// `inet_aton`: `a`, `a.b`, `a.b.c` or `a.b.c.d`, each part decimal,
    /// octal (leading 0) or hex (leading 0x).
    static func inetAton(_ text: String) -> UInt32? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard (1...4).contains(parts.count) else { return nil }
        var values: [UInt64] = []
        for part in parts {
            guard let value = cNumber(part) else { return nil }
            values.append(value)
        }
        var result: UInt64 = 0
        for (index, value) in values.enumerated() {
            if index < values.count - 1 {
                guard value <= 0xFF else { return nil }
                result |= value << UInt64(8 * (3 - index))
            } else {
                let remainingBytes = 4 - index
                let limit: UInt64 = remainingBytes >= 4 ? 0xFFFF_FFFF : (1 << UInt64(8 * remainingBytes)) - 1
                guard value <= limit else { return nil }
                result |= value
            }
        }
        return UInt32(result)
    }

    private static func cNumber(_ part: Substring) -> UInt64? {
        guard !part.isEmpty else { return nil }
        var digits = part
        var radix = 10
        if digits.hasPrefix("0x") || digits.hasPrefix("0X") {
            radix = 16
            digits = digits.dropFirst(2)
            if digits.isEmpty { return 0 }
        } else if digits.hasPrefix("0") && digits.count > 1 {
            radix = 8
            digits = digits.dropFirst()
        }
        guard digits.count <= 12, digits.allSatisfy({ $0.isASCII && $0.isHexDigit }) else { return nil }
        return UInt64(digits, radix: radix)
    }
}
