import Foundation
@preconcurrency import CGSL

/// The lognormal distribution, parameterised by its mean and coefficient of variation.
///
/// With σ² = ln(1 + cv²) and μ = ln(mean) − σ²/2, `exp(N(μ, σ²))` has the requested
/// mean and standard deviation `cv · mean`.
public struct LognormalDistribution: RandomDistribution, Equatable {
    public let mean: Double
    /// Standard deviation divided by mean.
    public let coefficientOfVariation: Double
    /// μ of the underlying normal (GSL's `zeta`).
    public let logMean: Double
    /// σ of the underlying normal.
    public let logStandardDeviation: Double

    /// - Throws: ``DistributionError`` unless `mean` > 0 and `coefficientOfVariation` > 0, both finite.
    public init(mean: Double, coefficientOfVariation: Double) throws(DistributionError) {
        try DistributionError.requirePositive(mean, "lognormal", "mean")
        try DistributionError.requirePositive(coefficientOfVariation, "lognormal", "coefficientOfVariation")
        let sigmaSquared = log1p(coefficientOfVariation * coefficientOfVariation)
        self.mean = mean
        self.coefficientOfVariation = coefficientOfVariation
        self.logStandardDeviation = sigmaSquared.squareRoot()
        self.logMean = log(mean) - sigmaSquared / 2
    }

    /// The variance, (cv · mean)².
    public var variance: Double { (coefficientOfVariation * mean) * (coefficientOfVariation * mean) }

    /// Wraps `gsl_ran_lognormal(r, zeta: μ, sigma: σ)`.
    public func sample(using stream: RandomStream) -> Double {
        gsl_ran_lognormal(stream.rng, logMean, logStandardDeviation)
    }
}
