import Foundation

/// Zipf's law over `itemCount` items: the item of rank k (1-based) has probability
/// k^(−s) / H(N, s), where H(N, s) = Σ_{j=1}^{N} j^(−s).
///
/// Precomputes the probabilities and samples with GSL's alias method
/// (``DiscreteDistribution``: `gsl_ran_discrete_preproc` + `gsl_ran_discrete`), O(1) per draw.
public struct ZipfDistribution: RandomDistribution {
    /// N, the number of items.
    public let itemCount: Int
    /// s ≥ 0; 0 gives the uniform distribution.
    public let exponent: Double
    private let discrete: DiscreteDistribution

    /// - Throws: ``DistributionError`` unless `itemCount` ≥ 1 and `exponent` is finite and ≥ 0.
    public init(itemCount: Int, exponent: Double) throws(DistributionError) {
        try DistributionError.require(itemCount >= 1, "zipf", "itemCount", Double(itemCount), "≥ 1")
        try DistributionError.require(exponent.isFinite && exponent >= 0, "zipf", "exponent", exponent, "finite and ≥ 0")
        self.itemCount = itemCount
        self.exponent = exponent
        self.discrete = try DiscreteDistribution(weights: (1...itemCount).map { pow(Double($0), -exponent) })
    }

    /// The probability of the item of 0-based rank `rank`.
    public func probability(ofRank rank: Int) -> Double {
        discrete.probabilities[rank]
    }

    /// The mean 1-based rank, Σ k·p_k.
    public var mean: Double { discrete.mean + 1 }

    /// A 0-based rank in `0..<itemCount` (0 is the most popular item).
    public func rank(using stream: RandomStream) -> Int {
        discrete.index(using: stream)
    }

    /// The alias table's rows, read in place while this distribution lives (see
    /// ``DiscreteDistribution/AliasRows``): `index(forUniform:)` is the 0-based rank.
    public var aliasRows: DiscreteDistribution.AliasRows { discrete.aliasRows }

    /// A 1-based rank as a `Double`.
    public func sample(using stream: RandomStream) -> Double {
        Double(rank(using: stream) + 1)
    }
}
