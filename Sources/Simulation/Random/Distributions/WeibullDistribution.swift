import Foundation
@preconcurrency import CGSL

/// The Weibull distribution: P(X > x) = exp(−(x / scale)^shape).
public struct WeibullDistribution: RandomDistribution, Equatable {
    /// k (GSL's `b`).
    public let shape: Double
    /// λ (GSL's `a`).
    public let scale: Double

    /// - Throws: ``DistributionError`` unless `shape` > 0 and `scale` > 0, both finite.
    public init(shape: Double, scale: Double) throws(DistributionError) {
        try DistributionError.requirePositive(shape, "weibull", "shape")
        try DistributionError.requirePositive(scale, "weibull", "scale")
        self.shape = shape
        self.scale = scale
    }

    /// λ Γ(1 + 1/k).
    public var mean: Double { scale * tgamma(1 + 1 / shape) }

    /// λ² (Γ(1 + 2/k) − Γ(1 + 1/k)²).
    public var variance: Double {
        let g1 = tgamma(1 + 1 / shape)
        return scale * scale * (tgamma(1 + 2 / shape) - g1 * g1)
    }

    /// Wraps `gsl_ran_weibull(r, a: scale, b: shape)`.
    public func sample(using stream: RandomStream) -> Double {
        gsl_ran_weibull(stream.rng, scale, shape)
    }
}
