import Foundation
import Testing
@testable import Simulation

@Suite("Streaming statistics and quantiles")
struct StatisticsTests {
    @Test("Welford RunningStats agrees with GSL's gsl_rstat")
    func runningStatsMatchesGSL() throws {
        let stream = RandomStream(seed: 2, stream: .requests)
        let d = try LognormalDistribution(mean: 10, coefficientOfVariation: 2)
        var welford = RunningStats()
        let gsl = GSLRunningStats()
        for _ in 0..<100_000 {
            let x = d.sample(using: stream)
            welford.add(x)
            gsl.add(x)
        }
        #expect(welford.count == gsl.count)
        #expect(abs(welford.mean - gsl.mean) <= 1e-12 * abs(gsl.mean))
        #expect(abs(welford.variance - gsl.variance) <= 1e-9 * gsl.variance)
        #expect(abs(welford.standardDeviation - gsl.standardDeviation) <= 1e-9 * gsl.standardDeviation)
        #expect(welford.min == gsl.min && welford.max == gsl.max)
    }

    @Test("RunningStats hand case and merge")
    func runningStatsHandCase() {
        var s = RunningStats()
        for x in [2.0, 4, 4, 4, 5, 5, 7, 9] { s.add(x) }
        #expect(s.mean == 5)
        #expect(abs(s.variance - 32.0 / 7) < 1e-12)
        var a = RunningStats(), b = RunningStats()
        for x in [2.0, 4, 4] { a.add(x) }
        for x in [4.0, 5, 5, 7, 9] { b.add(x) }
        a.merge(b)
        #expect(a.count == 8 && abs(a.mean - 5) < 1e-12 && abs(a.variance - 32.0 / 7) < 1e-12)
        #expect(a.min == 2 && a.max == 9)
    }

    @Test("GSL running median of a small sample is exact")
    func gslMedian() {
        let s = GSLRunningStats()
        for x in [5.0, 1, 3] { s.add(x) }
        #expect(s.median == 3)
        s.reset()
        #expect(s.count == 0)
    }

    @Test("Exact quantiles wrap gsl_stats_quantile_from_sorted_data (interpolating)")
    func exactQuantiles() throws {
        #expect(QuantileEstimator.quantile(sorted: [1, 2, 3, 4], 0.5) == 2.5)
        #expect(QuantileEstimator.quantile(sorted: [1, 2, 3, 4], 1) == 4)
        var q = try QuantileEstimator(exactCapacity: 100)
        for x in stride(from: 10.0, through: 1, by: -1) { q.record(x) }
        #expect(q.isExact)
        #expect(q.quantiles([0, 0.5, 0.9]) == [1, 5.5, 9.1])
    }

    @Test("LogHistogram quantiles stay within the stated relative error of exact ones",
          arguments: [0.01, 0.001])
    func sketchErrorBound(accuracy: Double) throws {
        let stream = RandomStream(seed: 4, stream: .requests)
        let d = try BoundedParetoDistribution(shape: 1.2, lower: 1e-4, upper: 10)
        var sketch = try LogHistogram(relativeAccuracy: accuracy)
        var values: [Double] = []
        for _ in 0..<50_000 {
            let x = d.sample(using: stream)
            values.append(x)
            sketch.record(x)
        }
        values.sort()
        for q in [0, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1] {
            let exact = values[Int((q * Double(values.count - 1)).rounded(.down))]
            let estimate = sketch.quantile(q)
            #expect(abs(estimate - exact) <= accuracy * exact * (1 + 1e-9), "q=\(q): \(estimate) vs \(exact)")
        }
        #expect(sketch.min == values.first && sketch.max == values.last)
        // Memory is bounded by the value range, not the sample count.
        // At most 2^m counters per binade spanned by [1e-4, 10] (17 binades → at most 18).
        #expect(sketch.bucketCount <= (1 << sketch.subBucketBits) * (Int(log2(10 / 1e-4).rounded(.up)) + 1))
        #expect(sketch.subBucketBits == (accuracy == 0.01 ? 6 : 9))
    }

    @Test("QuantileEstimator switches to the sketch past its capacity and keeps the bound")
    func estimatorSwitches() throws {
        let stream = RandomStream(seed: 6, stream: .requests)
        let d = try ExponentialDistribution(mean: 0.01)
        var estimator = try QuantileEstimator(exactCapacity: 1_000, relativeAccuracy: 0.001)
        var values: [Double] = []
        for _ in 0..<20_000 {
            let x = d.sample(using: stream)
            values.append(x)
            estimator.record(x)
        }
        #expect(!estimator.isExact)
        #expect(estimator.count == 20_000)
        values.sort()
        for q in [0.5, 0.9, 0.99] {
            let low = values[Int((q * Double(values.count - 1)).rounded(.down))]
            #expect(abs(estimator.quantile(q) - low) <= 0.001 * low * (1 + 1e-9))
        }
    }

    @Test("LogHistogram merge equals recording everything into one")
    func sketchMerge() throws {
        var a = try LogHistogram(), b = try LogHistogram(), all = try LogHistogram()
        for i in 1...1000 {
            let x = Double(i) * 0.37
            if i.isMultiple(of: 3) { a.record(x) } else { b.record(x) }
            all.record(x)
        }
        a.merge(b)
        for q in [0.1, 0.5, 0.95] { #expect(a.quantile(q) == all.quantile(q)) }
        #expect(a.count == all.count)
    }

    @Test("Invalid sketch parameters throw")
    func invalidSketch() {
        #expect(throws: StatisticsError.self) { try LogHistogram(relativeAccuracy: 0) }
        #expect(throws: StatisticsError.self) { try LogHistogram(relativeAccuracy: 0.01, minimumTrackableValue: 0) }
    }
}
