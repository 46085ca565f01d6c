/// A constant: every sample is `value`. Consumes no randomness.
public struct DeterministicDistribution: RandomDistribution, Equatable {
    public let value: Double

    /// - Throws: ``DistributionError`` unless `value` is finite.
    public init(value: Double) throws(DistributionError) {
        try DistributionError.require(value.isFinite, "deterministic", "value", value, "finite")
        self.value = value
    }

    public var mean: Double { value }

    public func sample(using stream: RandomStream) -> Double { value }
}
