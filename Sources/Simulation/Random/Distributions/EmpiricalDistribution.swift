/// The empirical distribution of observed values: each observation is equally likely.
///
/// Samples by inverting the step empirical CDF: an index drawn uniformly with
/// `gsl_rng_uniform_int` (via ``RandomStream/uniformInt(below:)``) selects a sorted value.
public struct EmpiricalDistribution: RandomDistribution, Equatable {
    /// The observations, sorted ascending.
    public let sortedValues: [Double]
    public let mean: Double

    /// - Throws: ``DistributionError`` unless `samples` is non-empty, has at most 2^32 − 1
    ///   values, and all are finite.
    public init(samples: [Double]) throws(DistributionError) {
        try DistributionError.require(!samples.isEmpty, "empirical", "samples.count", 0, "> 0")
        try DistributionError.require(
            samples.count < Int(UInt32.max), "empirical", "samples.count", Double(samples.count), "< 2^32 − 1")
        for value in samples {
            try DistributionError.require(value.isFinite, "empirical", "sample", value, "finite")
        }
        sortedValues = samples.sorted()
        mean = samples.reduce(0, +) / Double(samples.count)
    }

    /// The smallest observation x with F̂(x) ≥ p, for p in [0, 1].
    public func quantile(_ p: Double) -> Double {
        let n = sortedValues.count
        let index = Swift.min(n - 1, Swift.max(0, Int((p * Double(n)).rounded(.up)) - 1))
        return sortedValues[index]
    }

    public func sample(using stream: RandomStream) -> Double {
        sortedValues[Int(stream.uniformInt(below: UInt32(sortedValues.count)))]
    }
}
