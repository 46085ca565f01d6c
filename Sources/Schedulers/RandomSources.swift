/// A small deterministic ``SchedulerRandomSource`` (SplitMix64), for tests and
/// for simulations that do not bring their own stream.
public struct SplitMix64RandomSource: SchedulerRandomSource, RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    public mutating func nextUInt32() -> UInt32 { UInt32(truncatingIfNeeded: next() >> 32) }
}

/// Draws from the system's cryptographic generator, for a real balancer.
public struct SystemSchedulerRandomSource: SchedulerRandomSource, Sendable {
    private var generator = SystemRandomNumberGenerator()
    public init() {}
    public mutating func nextUInt32() -> UInt32 { generator.next() }
}

extension SchedulerRandomSource {
    /// A uniform value in `0..<bound` (bound > 0), the kernel's
    /// `get_random_u32_below()` (multiply-shift with rejection, as in the
    /// kernels that ship `twos`).
    @inlinable
    public mutating func nextUInt32(below bound: UInt32) -> UInt32 {
        var product = UInt64(bound) &* UInt64(nextUInt32())
        if UInt32(truncatingIfNeeded: product) < bound {
            let threshold = (0 &- bound) % bound
            while UInt32(truncatingIfNeeded: product) < threshold {
                product = UInt64(bound) &* UInt64(nextUInt32())
            }
        }
        return UInt32(truncatingIfNeeded: product >> 32)
    }
}
