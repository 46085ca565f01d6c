@preconcurrency import CGSL

/// The Poisson distribution of counts with a given mean.
public struct PoissonDistribution: RandomDistribution, Equatable {
    public let mean: Double

    /// - Throws: ``DistributionError`` unless `mean` is finite and > 0.
    public init(mean: Double) throws(DistributionError) {
        try DistributionError.requirePositive(mean, "poisson", "mean")
        self.mean = mean
    }

    /// The variance, equal to the mean.
    public var variance: Double { mean }

    /// One count. Wraps `gsl_ran_poisson`.
    public func count(using stream: RandomStream) -> UInt32 {
        gsl_ran_poisson(stream.rng, mean)
    }

    /// ``count(using:)`` as a `Double`.
    public func sample(using stream: RandomStream) -> Double {
        Double(count(using: stream))
    }
}
