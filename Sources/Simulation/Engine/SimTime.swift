/// An instant of simulated time: whole nanoseconds since the start of the run.
///
/// Distinct from ``SimDuration`` so that instants cannot be added together by mistake:
/// `SimTime + SimDuration → SimTime`, `SimTime − SimTime → SimDuration`.
public struct SimTime: Hashable, Comparable, Sendable, BitwiseCopyable, CustomStringConvertible {
    /// Nanoseconds since the start of the run.
    public var nanoseconds: Int64

    @inlinable
    public init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    /// The start of the run.
    public static let zero = SimTime(nanoseconds: 0)
    /// Later than any real instant; "run forever".
    public static let distantFuture = SimTime(nanoseconds: .max)

    /// The instant `value` seconds after the start, rounded to the nearest nanosecond.
    @inlinable public static func seconds(_ value: Double) -> SimTime { SimTime.zero + SimDuration.seconds(value) }
    /// The instant `value` seconds after the start.
    @inlinable public static func seconds(_ value: Int) -> SimTime { SimTime.zero + SimDuration.seconds(value) }
    /// The instant `value` milliseconds after the start.
    @inlinable public static func milliseconds(_ value: Int) -> SimTime { SimTime.zero + SimDuration.milliseconds(value) }

    /// Seconds since the start.
    @inlinable public var inSeconds: Double { Double(nanoseconds) / 1e9 }

    @inlinable public static func < (lhs: SimTime, rhs: SimTime) -> Bool { lhs.nanoseconds < rhs.nanoseconds }
    @inlinable public static func + (lhs: SimTime, rhs: SimDuration) -> SimTime {
        SimTime(nanoseconds: lhs.nanoseconds + rhs.nanoseconds)
    }
    @inlinable public static func + (lhs: SimDuration, rhs: SimTime) -> SimTime { rhs + lhs }
    @inlinable public static func - (lhs: SimTime, rhs: SimDuration) -> SimTime {
        SimTime(nanoseconds: lhs.nanoseconds - rhs.nanoseconds)
    }
    @inlinable public static func - (lhs: SimTime, rhs: SimTime) -> SimDuration {
        SimDuration(nanoseconds: lhs.nanoseconds - rhs.nanoseconds)
    }
    @inlinable public static func += (lhs: inout SimTime, rhs: SimDuration) { lhs = lhs + rhs }
    @inlinable public static func -= (lhs: inout SimTime, rhs: SimDuration) { lhs = lhs - rhs }

    /// E.g. `"t=1.5s"`.
    public var description: String {
        self == .distantFuture ? "t=∞" : "t=\(SimDuration.format(nanoseconds))"
    }
}
