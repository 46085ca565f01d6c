/// A span of simulated time, in whole nanoseconds (signed, ±292 years).
public struct SimDuration: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The length in nanoseconds.
    public var nanoseconds: Int64

    @inlinable
    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    public static let zero = SimDuration(nanoseconds: 0)

    @inlinable public static func nanoseconds(_ value: Int64) -> SimDuration { SimDuration(nanoseconds: value) }
    @inlinable public static func microseconds(_ value: Int) -> SimDuration { SimDuration(nanoseconds: Int64(value) * 1_000) }
    @inlinable public static func milliseconds(_ value: Int) -> SimDuration { SimDuration(nanoseconds: Int64(value) * 1_000_000) }
    @inlinable public static func seconds(_ value: Int) -> SimDuration { SimDuration(nanoseconds: Int64(value) * 1_000_000_000) }

    /// `value` seconds, rounded to the nearest nanosecond.
    @inlinable
    public static func seconds(_ value: Double) -> SimDuration {
        SimDuration(nanoseconds: Int64((value * 1e9).rounded()))
    }

    /// `value` milliseconds, rounded to the nearest nanosecond.
    @inlinable
    public static func milliseconds(_ value: Double) -> SimDuration {
        SimDuration(nanoseconds: Int64((value * 1e6).rounded()))
    }

    /// The length in seconds.
    @inlinable public var inSeconds: Double { Double(nanoseconds) / 1e9 }
    /// The length in milliseconds.
    @inlinable public var inMilliseconds: Double { Double(nanoseconds) / 1e6 }

    @inlinable public static func < (lhs: SimDuration, rhs: SimDuration) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
    @inlinable public static func + (lhs: SimDuration, rhs: SimDuration) -> SimDuration {
        SimDuration(nanoseconds: lhs.nanoseconds + rhs.nanoseconds)
    }
    @inlinable public static func - (lhs: SimDuration, rhs: SimDuration) -> SimDuration {
        SimDuration(nanoseconds: lhs.nanoseconds - rhs.nanoseconds)
    }
    @inlinable public static prefix func - (value: SimDuration) -> SimDuration { SimDuration(nanoseconds: -value.nanoseconds) }
    @inlinable public static func * (lhs: SimDuration, rhs: Int64) -> SimDuration {
        SimDuration(nanoseconds: lhs.nanoseconds * rhs)
    }
    @inlinable public static func * (lhs: Int64, rhs: SimDuration) -> SimDuration { rhs * lhs }
    /// Truncating division.
    @inlinable public static func / (lhs: SimDuration, rhs: Int64) -> SimDuration {
        SimDuration(nanoseconds: lhs.nanoseconds / rhs)
    }
    /// The ratio of two durations.
    @inlinable public static func / (lhs: SimDuration, rhs: SimDuration) -> Double {
        Double(lhs.nanoseconds) / Double(rhs.nanoseconds)
    }
    @inlinable public static func += (lhs: inout SimDuration, rhs: SimDuration) { lhs = lhs + rhs }
    @inlinable public static func -= (lhs: inout SimDuration, rhs: SimDuration) { lhs = lhs - rhs }

    /// E.g. `"250ms"`, `"1.5s"`, `"42ns"`: the largest unit in which the value is ≥ 1, exact.
    public var description: String {
        SimDuration.format(nanoseconds)
    }

    static func format(_ ns: Int64) -> String {
        let sign = ns < 0 ? "-" : ""
        let magnitude = ns.magnitude
        let units: [(UInt64, String)] = [(1_000_000_000, "s"), (1_000_000, "ms"), (1_000, "us")]
        for (scale, suffix) in units where magnitude >= scale {
            let whole = magnitude / scale
            var fraction = String(magnitude % scale)
            if fraction == "0" { return "\(sign)\(whole)\(suffix)" }
            let width = String(scale).count - 1
            fraction = String(repeating: "0", count: width - fraction.count) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }
            return "\(sign)\(whole).\(fraction)\(suffix)"
        }
        return "\(sign)\(magnitude)ns"
    }
}
