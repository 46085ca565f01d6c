/// A bounded-memory quantile sketch over non-negative values with logarithmic buckets,
/// in the style of HdrHistogram (written for lvssim).
///
/// **Buckets.** A value's bucket is its IEEE-754 exponent plus the top m bits of its
/// mantissa, i.e. the bit pattern shifted right by 52 − m: a shift, no logarithm. Each
/// binade [2^e, 2^(e+1)) is split into 2^m equal sub-buckets, so a bucket [L, U) has
/// U/L ≤ 1 + 2^(−m). It is reported as 2LU/(L + U), which is within relative error
/// (U − L)/(U + L) < 2^(−(m+1)) of every value in it. m is the smallest integer with
/// 2^(−(m+1)) ≤ `relativeAccuracy` (m = 9 for 0.1%, 6 for 1%).
///
/// **Error bound.** For the sample x₍r₎ of 0-based rank r = ⌊q(n − 1)⌋,
/// `|quantile(q) − x₍r₎| ≤ relativeAccuracy · x₍r₎`. Values below `minimumTrackableValue`
/// share one bucket and are reported as the exact minimum, with absolute error
/// < `minimumTrackableValue`.
///
/// **Memory.** One `UInt64` per bucket between the smallest and largest occupied bucket:
/// at most 2^m per binade spanned, e.g. 512 × 60 = 30,720 counters (240 KB) for values in
/// [1e−9, 1e9] at 0.1%, independent of the number of samples.
public struct LogHistogram: Sendable, Equatable {
    /// ε, the bound on the relative error of reported quantiles.
    public let relativeAccuracy: Double
    /// Values below this share a single "zero" bucket.
    public let minimumTrackableValue: Double
    /// m, the mantissa bits kept per bucket.
    public let subBucketBits: Int
    private let shift: UInt64
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
        var bits = 0
        while bits < 52 && 1 / Double(UInt64(1) << UInt64(bits + 1)) > relativeAccuracy { bits += 1 }
        subBucketBits = bits
        shift = UInt64(52 - bits)
    }

    /// The mean of recorded values (exact up to rounding).
    public var mean: Double { count == 0 ? .nan : sum / Double(count) }

    /// The number of counters currently allocated.
    public var bucketCount: Int { counts.count }

    /// Records `value`.
    /// - Precondition: `value` is finite and ≥ 0.
    @inline(__always)
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
        let index = Int(truncatingIfNeeded: value.bitPattern >> shift)
        let offset = index &- firstIndex
        if offset >= 0 && offset < counts.count {
            counts[offset] &+= 1  // the usual case: within the counters' window
        } else {
            add(bucketCount: 1, toBucket: index)
        }
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
                let index = UInt64(firstIndex + offset)
                let lower = Double(bitPattern: index << shift)
                let upper = Double(bitPattern: (index + 1) << shift)
                let representative = 2 * lower * upper / (lower + upper)
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
    @inline(never)
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
