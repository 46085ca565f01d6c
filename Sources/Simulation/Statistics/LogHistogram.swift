import Foundation

/// A bounded-memory quantile sketch over non-negative values with logarithmic buckets
/// (the scheme of HdrHistogram/DDSketch, written for lvssim).
///
/// **Error bound.** With relative accuracy ε and γ = (1 + ε)/(1 − ε), a value v ≥
/// `minimumTrackableValue` falls in bucket i = ⌈log_γ v⌉, which covers (γ^(i−1), γ^i] and is
/// reported as 2γ^i/(γ + 1); every value in the bucket is within relative error ε of that.
/// Hence for the sample x₍r₎ of 0-based rank r = ⌊q(n − 1)⌋,
/// `|quantile(q) − x₍r₎| ≤ ε · x₍r₎`. Values below `minimumTrackableValue` share one bucket
/// and are reported with absolute error < `minimumTrackableValue`.
///
/// **Memory.** One `UInt64` per bucket between the smallest and largest occupied bucket:
/// at most ⌈ln(max/minTrackable)/ln γ⌉ + 1 counters, e.g. ≈ 20,700 (166 KB) for values in
/// [1e−9, 1e9] at ε = 0.1%, independent of the number of samples.
public struct LogHistogram: Sendable, Equatable {
    /// ε, the bound on the relative error of reported quantiles.
    public let relativeAccuracy: Double
    /// Values below this share a single "zero" bucket.
    public let minimumTrackableValue: Double
    private let logGamma: Double
    private let gamma: Double
    private var counts: [UInt64] = []
    /// The bucket index of `counts[0]`.
    private var firstIndex = 0
    private var zeroCount: UInt64 = 0
    /// The number of recorded values.
    public private(set) var count: UInt64 = 0
    /// The smallest recorded value, exact.
    public private(set) var min = Double.infinity
    /// The largest recorded value, exact.
    public private(set) var max = -Double.infinity
    /// The sum of recorded values, exact up to rounding.
    public private(set) var sum = 0.0

    /// - Throws: ``StatisticsError/invalidArgument(_:)`` unless 0 < `relativeAccuracy` < 1 and
    ///   `minimumTrackableValue` > 0.
    public init(relativeAccuracy: Double = 0.001, minimumTrackableValue: Double = 1e-9) throws(StatisticsError) {
        guard relativeAccuracy > 0, relativeAccuracy < 1 else {
            throw .invalidArgument("relativeAccuracy must be in (0, 1), got \(relativeAccuracy)")
        }
        guard minimumTrackableValue > 0, minimumTrackableValue.isFinite else {
            throw .invalidArgument("minimumTrackableValue must be finite and > 0, got \(minimumTrackableValue)")
        }
        self.relativeAccuracy = relativeAccuracy
        self.minimumTrackableValue = minimumTrackableValue
        gamma = (1 + relativeAccuracy) / (1 - relativeAccuracy)
        logGamma = log(gamma)
    }

    /// The mean of recorded values (exact up to rounding).
    public var mean: Double { count == 0 ? .nan : sum / Double(count) }

    /// The number of counters currently allocated.
    public var bucketCount: Int { counts.count }

    /// Records `value`.
    /// - Precondition: `value` is finite and ≥ 0.
    public mutating func record(_ value: Double) {
        precondition(value >= 0 && value.isFinite, "LogHistogram records finite non-negative values, got \(value)")
        count &+= 1
        sum += value
        if value < min { min = value }
        if value > max { max = value }
        guard value >= minimumTrackableValue else {
            zeroCount &+= 1
            return
        }
        let index = Int((log(value) / logGamma).rounded(.up))
        add(bucketCount: 1, toBucket: index)
    }

    /// The q-quantile, q ∈ [0, 1], within relative error ``relativeAccuracy`` of the sample of
    /// rank ⌊q(n − 1)⌋; `nan` when empty.
    public func quantile(_ q: Double) -> Double {
        guard count > 0 else { return .nan }
        let clamped = Swift.min(1, Swift.max(0, q))
        let rank = UInt64((clamped * Double(count - 1)).rounded(.down))
        if rank < zeroCount { return min }
        var seen = zeroCount
        for (offset, bucketCount) in counts.enumerated() {
            seen &+= bucketCount
            if seen > rank {
                let representative = 2 * exp(Double(firstIndex + offset) * logGamma) / (gamma + 1)
                return Swift.min(max, Swift.max(min, representative))
            }
        }
        return max
    }

    /// Adds every value recorded in `other`.
    /// - Precondition: both histograms have the same accuracy and trackable minimum.
    public mutating func merge(_ other: LogHistogram) {
        precondition(
            other.relativeAccuracy == relativeAccuracy && other.minimumTrackableValue == minimumTrackableValue,
            "can only merge LogHistograms with the same parameters")
        guard other.count > 0 else { return }
        for (offset, bucketCount) in other.counts.enumerated() where bucketCount > 0 {
            let index = other.firstIndex + offset
            add(bucketCount: bucketCount, toBucket: index)
        }
        zeroCount &+= other.zeroCount
        count &+= other.count
        sum += other.sum
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
    }

    /// Adds `bucketCount` to bucket `index`, widening the counter window if needed.
    private mutating func add(bucketCount: UInt64, toBucket index: Int) {
        if counts.isEmpty {
            counts = [0]
            firstIndex = index
        } else if index < firstIndex {
            counts.insert(contentsOf: repeatElement(0, count: firstIndex - index), at: 0)
            firstIndex = index
        } else if index >= firstIndex + counts.count {
            counts.append(contentsOf: repeatElement(0, count: index - firstIndex - counts.count + 1))
        }
        counts[index - firstIndex] &+= bucketCount
    }
}
