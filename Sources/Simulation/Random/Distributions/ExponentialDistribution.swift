@preconcurrency import CGSL

/// The exponential distribution with a given mean (rate = 1 / mean).
public struct ExponentialDistribution: RandomDistribution, Equatable {
    public let mean: Double

    /// - Throws: ``DistributionError`` unless `mean` is finite and > 0.
    public init(mean: Double) throws(DistributionError) {
        try DistributionError.requirePositive(mean, "exponential", "mean")
        self.mean = mean
    }

    /// The rate λ = 1 / mean.
    public var rate: Double { 1 / mean }

    /// The variance, mean².
    public var variance: Double { mean * mean }

    /// Wraps `gsl_ran_exponential` (takes the mean, not the rate).
    public func sample(using stream: RandomStream) -> Double {
        gsl_ran_exponential(stream.rng, mean)
    }
}
