@preconcurrency import CGSL

/// A Student-t confidence interval for a mean, built from independent replication means.
public struct ConfidenceInterval: Sendable, Equatable, CustomStringConvertible {
    /// The sample mean (centre of the interval).
    public let mean: Double
    /// Half the width: t₍(1+level)/2, n−1₎ · s / √n.
    public let halfWidth: Double
    /// The confidence level, e.g. 0.95.
    public let level: Double
    /// The number of observations (replications) used.
    public let sampleCount: Int

    /// The interval from independent, roughly normal observations (typically one mean per
    /// replication), using `gsl_stats_mean`, `gsl_stats_sd` and `gsl_cdf_tdist_Pinv`.
    /// - Throws: ``StatisticsError`` with fewer than two observations or a level outside (0, 1).
    public init(replicationMeans samples: [Double], level: Double = 0.95) throws(StatisticsError) {
        guard samples.count >= 2 else { throw .insufficientData(needed: 2, got: samples.count) }
        guard level > 0, level < 1 else { throw .invalidArgument("level must be in (0, 1), got \(level)") }
        let (mean, sd) = samples.withUnsafeBufferPointer { buffer in
            (gsl_stats_mean(buffer.baseAddress, 1, buffer.count), gsl_stats_sd(buffer.baseAddress, 1, buffer.count))
        }
        let t = ConfidenceInterval.studentTQuantile((1 + level) / 2, degreesOfFreedom: Double(samples.count - 1))
        self.mean = mean
        self.halfWidth = t * sd / Double(samples.count).squareRoot()
        self.level = level
        self.sampleCount = samples.count
    }

    /// The lower end, mean − halfWidth.
    public var lower: Double { mean - halfWidth }
    /// The upper end, mean + halfWidth.
    public var upper: Double { mean + halfWidth }
    /// halfWidth / |mean|: the relative precision often used as a stopping rule.
    public var relativeHalfWidth: Double { halfWidth / Swift.abs(mean) }

    /// Whether `value` lies in [lower, upper].
    public func contains(_ value: Double) -> Bool {
        value >= lower && value <= upper
    }

    /// The p-quantile of Student's t with `degreesOfFreedom`. Wraps `gsl_cdf_tdist_Pinv`.
    public static func studentTQuantile(_ p: Double, degreesOfFreedom: Double) -> Double {
        GSLLibrary.configure()
        return gsl_cdf_tdist_Pinv(p, degreesOfFreedom)
    }

    public var description: String {
        "\(mean) ± \(halfWidth) (\(Int((level * 100).rounded()))% CI, n=\(sampleCount))"
    }
}
