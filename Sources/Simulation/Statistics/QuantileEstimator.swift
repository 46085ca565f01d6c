@preconcurrency import CGSL

/// Quantiles of a stream of non-negative values: exact while few, bounded memory beyond.
///
/// Up to `exactCapacity` values are kept and quantiles are exact: GSL's
/// `gsl_stats_quantile_from_sorted_data`, which interpolates (1 − δ)x₍ᵢ₎ + δx₍ᵢ₊₁₎ with
/// i = ⌊q(n − 1)⌋, δ = q(n − 1) − i. The value that would exceed the capacity moves
/// everything into a ``LogHistogram`` and the kept values are dropped; from then on a
/// quantile lies within [x₍ᵢ₎(1 − ε), x₍ᵢ₎(1 + ε)], ε = `relativeAccuracy`, i.e. within
/// relative error ε of the lower sample GSL would interpolate from.
public struct QuantileEstimator: Sendable {
    /// The most values kept for exact quantiles.
    public let exactCapacity: Int
    private var exactValues: [Double] = []
    private var sketch: LogHistogram
    private var usesSketch = false

    /// - Throws: ``StatisticsError/invalidArgument(_:)`` for a negative capacity or an
    ///   accuracy outside (0, 1).
    public init(exactCapacity: Int = 10_000, relativeAccuracy: Double = 0.001) throws(StatisticsError) {
        guard exactCapacity >= 0 else { throw .invalidArgument("exactCapacity must be ≥ 0, got \(exactCapacity)") }
        self.exactCapacity = exactCapacity
        sketch = try LogHistogram(relativeAccuracy: relativeAccuracy)
    }

    /// Whether quantiles are still exact.
    public var isExact: Bool { !usesSketch }

    /// The number of recorded values.
    public var count: Int { usesSketch ? Int(sketch.count) : exactValues.count }

    /// Records `value` (finite, ≥ 0).
    @inline(__always)
    public mutating func record(_ value: Double) {
        if usesSketch {
            sketch.record(value)
        } else if exactValues.count < exactCapacity {
            precondition(value >= 0 && value.isFinite, "QuantileEstimator records finite non-negative values")
            exactValues.append(value)
        } else {
            for kept in exactValues { sketch.record(kept) }
            exactValues = []
            usesSketch = true
            sketch.record(value)
        }
    }

    /// The q-quantile (q ∈ [0, 1]); `nan` when empty.
    public func quantile(_ q: Double) -> Double {
        quantiles([q])[0]
    }

    /// Several quantiles at once (sorts the kept values once).
    public func quantiles(_ qs: [Double]) -> [Double] {
        if usesSketch { return qs.map { sketch.quantile($0) } }
        guard !exactValues.isEmpty else { return qs.map { _ in .nan } }
        let sorted = exactValues.sorted()
        return qs.map { QuantileEstimator.quantile(sorted: sorted, $0) }
    }

    /// The interpolated q-quantile of already-sorted `sorted` (non-empty).
    /// Wraps `gsl_stats_quantile_from_sorted_data`.
    public static func quantile(sorted: [Double], _ q: Double) -> Double {
        precondition(!sorted.isEmpty, "quantile of no data")
        let clamped = Swift.min(1, Swift.max(0, q))
        return sorted.withUnsafeBufferPointer {
            gsl_stats_quantile_from_sorted_data($0.baseAddress, 1, $0.count, clamped)
        }
    }
}
