@preconcurrency import CGSL

/// A distribution over the indices `0..<weights.count` with probabilities proportional
/// to `weights`, sampled in O(1) by Walker's alias method.
///
/// Wraps `gsl_ran_discrete_preproc` (built once) and `gsl_ran_discrete` (per sample).
public struct DiscreteDistribution: RandomDistribution {
    /// Owns the `gsl_ran_discrete_t` lookup table.
    ///
    /// `@unchecked Sendable`: the table is written only by `gsl_ran_discrete_preproc`
    /// inside `init` and is read-only afterwards (`gsl_ran_discrete` and
    /// `gsl_ran_discrete_pdf` take it as `const`), so sharing it across threads is safe.
    final class Table: @unchecked Sendable {
        let pointer: UnsafeMutablePointer<gsl_ran_discrete_t>

        init?(weights: [Double]) {
            GSLLibrary.configure()
            guard let table = weights.withUnsafeBufferPointer({
                gsl_ran_discrete_preproc($0.count, $0.baseAddress)
            }) else { return nil }
            pointer = table
        }

        deinit {
            gsl_ran_discrete_free(pointer)
        }
    }

    private let table: Table
    /// The normalised probabilities, index by index.
    public let probabilities: [Double]

    /// - Throws: ``DistributionError`` unless `weights` is non-empty, every weight is finite
    ///   and ≥ 0, and their sum is > 0.
    public init(weights: [Double]) throws(DistributionError) {
        try DistributionError.require(!weights.isEmpty, "discrete", "weights.count", 0, "> 0")
        var total = 0.0
        for (index, weight) in weights.enumerated() {
            // The message is built only for a bad weight (not once per weight).
            if !(weight.isFinite && weight >= 0) {
                try DistributionError.require(false, "discrete", "weights[\(index)]", weight, "finite and ≥ 0")
            }
            total += weight
        }
        try DistributionError.require(total > 0 && total.isFinite, "discrete", "sum of weights", total, "finite and > 0")
        guard let table = Table(weights: weights) else {
            throw DistributionError(
                distribution: "discrete", parameter: "weights", value: total,
                requirement: "accepted by gsl_ran_discrete_preproc")
        }
        self.table = table
        self.probabilities = weights.map { $0 / total }
    }

    /// The number of outcomes.
    public var count: Int { probabilities.count }

    /// The mean index, Σ i·p_i.
    public var mean: Double {
        probabilities.enumerated().reduce(0) { $0 + Double($1.offset) * $1.element }
    }

    /// One index in `0..<count`. Wraps `gsl_ran_discrete`.
    public func index(using stream: RandomStream) -> Int {
        gsl_ran_discrete(stream.rng, table.pointer)
    }

    /// ``index(using:)`` as a `Double`.
    public func sample(using stream: RandomStream) -> Double {
        Double(index(using: stream))
    }
}
