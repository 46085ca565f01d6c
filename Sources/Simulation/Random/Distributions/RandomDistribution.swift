/// A validated probability distribution over `Double` that samples through a ``RandomStream``.
///
/// Conforming types check their parameters when built (throwing ``DistributionError``)
/// so that sampling never fails.
public protocol RandomDistribution: Sendable {
    /// The analytic mean, used to validate configurations and samplers.
    var mean: Double { get }

    /// Draws one value, consuming randomness from `stream` only.
    func sample(using stream: RandomStream) -> Double
}
