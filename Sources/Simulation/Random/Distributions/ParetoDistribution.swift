@preconcurrency import CGSL

/// The (type I) Pareto distribution: P(X > x) = (scale / x)^shape for x ≥ scale.
public struct ParetoDistribution: RandomDistribution, Equatable {
    /// The tail index α (GSL's `a`).
    public let shape: Double
    /// The minimum value x_m (GSL's `b`).
    public let scale: Double

    /// - Throws: ``DistributionError`` unless `shape` > 0 and `scale` > 0, both finite.
    public init(shape: Double, scale: Double) throws(DistributionError) {
        try DistributionError.requirePositive(shape, "pareto", "shape")
        try DistributionError.requirePositive(scale, "pareto", "scale")
        self.shape = shape
        self.scale = scale
    }

    /// α·x_m / (α − 1) for α > 1, otherwise `+infinity`.
    public var mean: Double {
        shape > 1 ? shape * scale / (shape - 1) : .infinity
    }

    /// α·x_m² / ((α − 1)²(α − 2)) for α > 2, otherwise `+infinity`.
    public var variance: Double {
        shape > 2 ? shape * scale * scale / ((shape - 1) * (shape - 1) * (shape - 2)) : .infinity
    }

    /// Wraps `gsl_ran_pareto(r, a: shape, b: scale)`.
    public func sample(using stream: RandomStream) -> Double {
        gsl_ran_pareto(stream.rng, shape, scale)
    }
}
