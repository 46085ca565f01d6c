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

    // MARK: One draw in two steps

    /// GSL's preprocessed alias table, read in place: valid while this distribution (which
    /// owns the table) lives. A plain value (three words, no reference), so a hot loop can
    /// keep it without retaining anything. With it a draw can be split in two steps: the
    /// uniform variate ``RandomStream/uniformHalfOpen()`` (what `gsl_ran_discrete`
    /// consumes), drawn ahead of use with ``prefetch(forUniform:)`` of the row it selects,
    /// then ``index(forUniform:)``, which gives the index ``index(using:)`` returns for
    /// the same stream state. `@unchecked Sendable` for the reason ``Table``
    /// is: the rows are read-only once preprocessed.
    public struct AliasRows: @unchecked Sendable {
        let count: Int
        let thresholds: UnsafePointer<Double>
        let aliases: UnsafePointer<Int>

        /// A cache prefetch hint for the row `u` (in [0, 1)) selects.
        @inline(__always)
        public func prefetch(forUniform u: Double) {
            let row = Int(u * Double(count))
            lvssim_prefetch(thresholds + row)
            lvssim_prefetch(aliases + row)
        }

        /// The outcome for uniform `u`, read exactly as `gsl_ran_discrete` reads it: row
        /// c = ⌊u·K⌋ keeps outcome c when u is below the row's threshold (GSL stores the
        /// threshold pre-scaled as (c + F)/K, so it compares with u directly, and a
        /// threshold of exactly 1 always keeps c), else gives its alias.
        @inline(__always)
        public func index(forUniform u: Double) -> Int {
            let row = Int(u * Double(count))
            let threshold = thresholds[row]
            if threshold == 1 || u < threshold { return row }
            return aliases[row]
        }
    }

    /// The alias table's rows (see ``AliasRows``).
    public var aliasRows: AliasRows {
        let table = table.pointer.pointee
        return AliasRows(
            count: table.K, thresholds: UnsafePointer(table.F), aliases: UnsafePointer(table.A))
    }

    /// ``index(using:)`` as a `Double`.
    public func sample(using stream: RandomStream) -> Double {
        Double(index(using: stream))
    }
}
