/// Streaming count, mean, variance, minimum and maximum in O(1) memory, by Welford's
/// algorithm in pure Swift (a few nanoseconds per sample; see ``GSLRunningStats`` for the
/// GSL-backed equivalent the tests cross-check it against).
public struct RunningStats: Sendable, Equatable {
    /// The number of samples added.
    public private(set) var count = 0
    /// The sample mean (0 before any sample).
    public private(set) var mean = 0.0
    /// Σ (x − mean)², maintained incrementally.
    private var sumOfSquaredDeviations = 0.0
    /// The smallest sample (`+infinity` before any sample).
    public private(set) var min = Double.infinity
    /// The largest sample (`-infinity` before any sample).
    public private(set) var max = -Double.infinity

    public init() {}

    /// Adds one sample.
    @inline(__always)
    public mutating func add(_ value: Double) {
        count &+= 1
        let delta = value - mean
        mean += delta / Double(count)
        sumOfSquaredDeviations += delta * (value - mean)
        if value < min { min = value }
        if value > max { max = value }
    }

    /// The unbiased sample variance (divisor n − 1); 0 with fewer than two samples.
    public var variance: Double {
        count < 2 ? 0 : sumOfSquaredDeviations / Double(count - 1)
    }

    /// The sample standard deviation.
    public var standardDeviation: Double { variance.squareRoot() }

    /// The standard error of the mean, sd / √n.
    public var standardErrorOfMean: Double {
        count < 2 ? 0 : (variance / Double(count)).squareRoot()
    }

    /// Combines the samples of `other` into `self` (Chan, Golub & LeVeque's pairwise update).
    public mutating func merge(_ other: RunningStats) {
        guard other.count > 0 else { return }
        guard count > 0 else { self = other; return }
        let total = count + other.count
        let delta = other.mean - mean
        mean += delta * Double(other.count) / Double(total)
        sumOfSquaredDeviations += other.sumOfSquaredDeviations
            + delta * delta * Double(count) * Double(other.count) / Double(total)
        count = total
        min = Swift.min(min, other.min)
        max = Swift.max(max, other.max)
    }
}

