@preconcurrency import CGSL

/// Welch's unequal-variance two-sample t-test (two-sided).
///
/// t = (x̄₁ − x̄₂) / √(s₁²/n₁ + s₂²/n₂); degrees of freedom by Welch–Satterthwaite,
/// ν = (s₁²/n₁ + s₂²/n₂)² / ((s₁²/n₁)²/(n₁ − 1) + (s₂²/n₂)²/(n₂ − 1));
/// p = 2·Q_t(|t|; ν) with `gsl_cdf_tdist_Q`.
public struct WelchTTest: Sendable, Equatable {
    /// x̄₁ − x̄₂.
    public let meanDifference: Double
    /// The t statistic.
    public let t: Double
    /// ν, the Welch–Satterthwaite degrees of freedom (fractional).
    public let degreesOfFreedom: Double
    /// The two-sided p-value.
    public let pValue: Double

    /// Compares `first` with `second` (each at least two observations).
    /// - Throws: ``StatisticsError/insufficientData(needed:got:)`` for a sample of fewer than two.
    public init(_ first: [Double], _ second: [Double]) throws(StatisticsError) {
        guard first.count >= 2 else { throw .insufficientData(needed: 2, got: first.count) }
        guard second.count >= 2 else { throw .insufficientData(needed: 2, got: second.count) }
        GSLLibrary.configure()
        let (m1, v1) = WelchTTest.meanAndVariance(first)
        let (m2, v2) = WelchTTest.meanAndVariance(second)
        let n1 = Double(first.count), n2 = Double(second.count)
        let a = v1 / n1, b = v2 / n2
        meanDifference = m1 - m2
        if a + b == 0 {
            // Both samples constant: the means either coincide exactly or differ surely.
            t = meanDifference == 0 ? 0 : meanDifference.sign == .minus ? -.infinity : .infinity
            degreesOfFreedom = n1 + n2 - 2
            pValue = meanDifference == 0 ? 1 : 0
            return
        }
        t = meanDifference / (a + b).squareRoot()
        degreesOfFreedom = (a + b) * (a + b) / (a * a / (n1 - 1) + b * b / (n2 - 1))
        pValue = Swift.min(1, 2 * gsl_cdf_tdist_Q(Swift.abs(t), degreesOfFreedom))
    }

    /// Whether the difference is significant at level `alpha` (default 5%).
    public func isSignificant(alpha: Double = 0.05) -> Bool {
        pValue < alpha
    }

    /// Sample mean and unbiased variance. Wraps `gsl_stats_mean` and `gsl_stats_variance_m`.
    private static func meanAndVariance(_ data: [Double]) -> (Double, Double) {
        data.withUnsafeBufferPointer { buffer in
            let mean = gsl_stats_mean(buffer.baseAddress, 1, buffer.count)
            return (mean, gsl_stats_variance_m(buffer.baseAddress, 1, buffer.count, mean))
        }
    }
}
