import Foundation
@preconcurrency import CGSL

/// The bounded (truncated) Pareto distribution on [lower, upper] with tail index `shape`:
/// F(x) = (1 − (L/x)^α) / (1 − (L/H)^α).
///
/// Sampled by inverting F on a GSL uniform u ∈ (0, 1) (`gsl_rng_uniform_pos`):
/// x = L · (1 − u·(1 − (L/H)^α))^(−1/α).
public struct BoundedParetoDistribution: RandomDistribution, Equatable {
    /// The tail index α.
    public let shape: Double
    /// The lower bound L.
    public let lower: Double
    /// The upper bound H.
    public let upper: Double
    /// 1 − (L/H)^α, precomputed.
    private let truncatedMass: Double

    /// - Throws: ``DistributionError`` unless 0 < `lower` < `upper` and `shape` > 0, all finite.
    public init(shape: Double, lower: Double, upper: Double) throws(DistributionError) {
        try DistributionError.requirePositive(shape, "boundedPareto", "shape")
        try DistributionError.requirePositive(lower, "boundedPareto", "lower")
        try DistributionError.requirePositive(upper, "boundedPareto", "upper")
        try DistributionError.require(upper > lower, "boundedPareto", "upper", upper, "> lower (\(lower))")
        self.shape = shape
        self.lower = lower
        self.upper = upper
        self.truncatedMass = 1 - pow(lower / upper, shape)
    }

    /// E[X^k] for k ≠ α: α L^α (H^(k−α) − L^(k−α)) / ((k − α)(1 − (L/H)^α)); for k = α:
    /// α L^α ln(H/L) / (1 − (L/H)^α).
    public func moment(_ k: Double) -> Double {
        let scale = shape * pow(lower, shape) / truncatedMass
        if abs(k - shape) < 1e-12 {
            return scale * log(upper / lower)
        }
        return scale * (pow(upper, k - shape) - pow(lower, k - shape)) / (k - shape)
    }

    public var mean: Double { moment(1) }

    public var variance: Double { moment(2) - mean * mean }

    /// Inverse CDF applied to `gsl_rng_uniform_pos`.
    public func sample(using stream: RandomStream) -> Double {
        let u = gsl_rng_uniform_pos(stream.rng)
        let x = lower * pow(1 - u * truncatedMass, -1 / shape)
        return min(x, upper)
    }
}
