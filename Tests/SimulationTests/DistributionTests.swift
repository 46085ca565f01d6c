import Foundation
import Testing
@testable import Simulation

@Suite("Distributions")
struct DistributionTests {
    /// Checks that the mean of `n` draws lies within 5 standard errors of the analytic mean.
    func expectMean(_ d: some RandomDistribution, variance: Double, n: Int = 200_000, seed: UInt64 = 11,
                    sourceLocation: SourceLocation = #_sourceLocation) {
        let stream = RandomStream(seed: seed, stream: .requests)
        var sum = 0.0
        for _ in 0..<n { sum += d.sample(using: stream) }
        let tolerance = 5 * (variance / Double(n)).squareRoot()
        #expect(abs(sum / Double(n) - d.mean) <= tolerance, "mean \(sum / Double(n)) vs \(d.mean) ± \(tolerance)",
                sourceLocation: sourceLocation)
    }

    @Test func exponential() throws {
        let d = try ExponentialDistribution(mean: 2.5)
        expectMean(d, variance: d.variance)
        #expect(d.rate == 0.4)
    }

    @Test func lognormal() throws {
        let d = try LognormalDistribution(mean: 3, coefficientOfVariation: 0.5)
        expectMean(d, variance: d.variance)
        // Analytic identities of the derived parameters.
        #expect(abs(exp(d.logMean + d.logStandardDeviation * d.logStandardDeviation / 2) - 3) < 1e-12)
    }

    @Test("lognormal: ln X is normal with mean μ and variance σ² (moments, median, tails)")
    func lognormalLogMoments() throws {
        // CV 4 as in the skewed scenario: σ² = ln 17, μ = ln 10 − σ²/2.
        let d = try LognormalDistribution(mean: 10, coefficientOfVariation: 4)
        let sigma = d.logStandardDeviation
        #expect(abs(sigma * sigma - log(17)) < 1e-12)
        let stream = RandomStream(seed: 5, stream: .serviceDemand)
        let n = 400_000
        var sum = 0.0, sumSquares = 0.0
        var belowMedian = 0, beyondTwoSigma = 0, nonPositive = 0
        for _ in 0..<n {
            let x = d.sample(using: stream)
            if !(x > 0) { nonPositive += 1 }
            let z = Foundation.log(x)
            sum += z
            sumSquares += z * z
            if z < d.logMean { belowMedian += 1 }
            if abs(z - d.logMean) > 2 * sigma { beyondTwoSigma += 1 }
        }
        #expect(nonPositive == 0)
        let mean = sum / Double(n)
        let variance = (sumSquares - Double(n) * mean * mean) / Double(n - 1)
        // Standard errors: σ/√n for the mean, σ²·√(2/(n−1)) for the variance, √(p(1−p)/n) for a share.
        #expect(abs(mean - d.logMean) <= 5 * sigma / Double(n).squareRoot())
        #expect(abs(variance - sigma * sigma) <= 5 * sigma * sigma * (2 / Double(n - 1)).squareRoot())
        #expect(abs(Double(belowMedian) / Double(n) - 0.5) <= 5 * (0.25 / Double(n)).squareRoot())
        // P(|Z| > 2) = 0.0455003 for a standard normal.
        let tail = 0.0455003
        #expect(abs(Double(beyondTwoSigma) / Double(n) - tail) <= 5 * (tail * (1 - tail) / Double(n)).squareRoot())
    }

    @Test func pareto() throws {
        let d = try ParetoDistribution(shape: 3, scale: 2)
        #expect(d.mean == 3)
        expectMean(d, variance: d.variance, n: 400_000)
        #expect(try ParetoDistribution(shape: 1, scale: 1).mean == .infinity)
    }

    @Test func boundedPareto() throws {
        let d = try BoundedParetoDistribution(shape: 1.1, lower: 1, upper: 1000)
        expectMean(d, variance: d.variance)
        // α = 1 closed form: H L ln(H/L) / (H − L).
        let one = try BoundedParetoDistribution(shape: 1, lower: 1, upper: 100)
        #expect(abs(one.mean - 100 * log(100.0) / 99) < 1e-9)
        let stream = RandomStream(seed: 3, stream: .requests)
        for _ in 0..<10_000 {
            let x = d.sample(using: stream)
            #expect(x >= 1 && x <= 1000)
        }
    }

    @Test func weibull() throws {
        let d = try WeibullDistribution(shape: 1.5, scale: 2)
        expectMean(d, variance: d.variance)
        // Shape 1 is the exponential with mean = scale.
        #expect(abs(try WeibullDistribution(shape: 1, scale: 2).mean - 2) < 1e-12)
    }

    @Test func deterministic() throws {
        let d = try DeterministicDistribution(value: 4)
        #expect(d.sample(using: RandomStream(seed: 0, stream: .requests)) == 4)
    }

    @Test func empirical() throws {
        let d = try EmpiricalDistribution(samples: [5, 1, 3, 2, 4])
        #expect(d.mean == 3)
        #expect(d.quantile(0.5) == 3)
        #expect(d.quantile(0) == 1 && d.quantile(1) == 5)
        expectMean(d, variance: 2)
    }

    @Test func zipf() throws {
        let d = try ZipfDistribution(itemCount: 100, exponent: 1)
        let harmonic = (1...100).reduce(0.0) { $0 + 1 / Double($1) }
        #expect(abs(d.probability(ofRank: 0) - 1 / harmonic) < 1e-12)
        #expect(abs(d.mean - 100 / harmonic) < 1e-9)
        let variance = (1...100).reduce(0.0) { $0 + Double($1) / harmonic } - d.mean * d.mean
        expectMean(d, variance: variance)
        // Rank-0 frequency close to 1/H_100.
        let stream = RandomStream(seed: 5, stream: .clientChoice)
        var hits = 0
        for _ in 0..<100_000 where d.rank(using: stream) == 0 { hits += 1 }
        let p = 1 / harmonic
        #expect(abs(Double(hits) / 1e5 - p) < 5 * (p * (1 - p) / 1e5).squareRoot())
    }

    /// The two-step draw (uniform, prefetch, index) the simulation uses for client choice
    /// gives exactly `gsl_ran_discrete`'s outcomes for the same stream state: two streams
    /// with one seed, one sampled by GSL, one in two steps (and one draw ahead, as the
    /// model does), over skewed and near-uniform tables and a table with alias rows.
    @Test func twoStepDrawMatchesGSL() throws {
        let tables = [
            try ZipfDistribution(itemCount: 60_000, exponent: 0.8),
            try ZipfDistribution(itemCount: 7, exponent: 0),
            try ZipfDistribution(itemCount: 1_000, exponent: 2.5),
        ]
        for d in tables {
            let gsl = RandomStream(seed: 11, stream: .clientChoice)
            let split = RandomStream(seed: 11, stream: .clientChoice)
            let rows = d.aliasRows
            var ahead = split.uniformHalfOpen()
            var aliased = 0
            for _ in 0..<50_000 {
                let u = ahead
                ahead = split.uniformHalfOpen()
                rows.prefetch(forUniform: ahead)
                let expected = d.rank(using: gsl)
                #expect(rows.index(forUniform: u) == expected)
                if expected != Int(u * Double(d.itemCount)) { aliased += 1 }
            }
            // Skewed tables send many draws to a row's alias; equal weights never do.
            #expect(d.exponent == 0 ? aliased == 0 : aliased > 1_000)
        }
    }

    @Test func poisson() throws {
        let d = try PoissonDistribution(mean: 4.2)
        expectMean(d, variance: d.variance)
    }

    @Test func enumWrapsAndDispatches() throws {
        let d = Distribution.exponential(try ExponentialDistribution(mean: 2))
        #expect(d.mean == 2)
        let a = RandomStream(seed: 9, stream: .network), b = RandomStream(seed: 9, stream: .network)
        let e = try ExponentialDistribution(mean: 2)
        #expect(d.sample(using: a) == e.sample(using: b))
    }

    @Test func invalidParametersThrowDescriptiveErrors() {
        #expect(throws: DistributionError.self) { try ExponentialDistribution(mean: 0) }
        #expect(throws: DistributionError.self) { try LognormalDistribution(mean: 1, coefficientOfVariation: -1) }
        #expect(throws: DistributionError.self) { try BoundedParetoDistribution(shape: 1, lower: 5, upper: 5) }
        #expect(throws: DistributionError.self) { try ZipfDistribution(itemCount: 0, exponent: 1) }
        #expect(throws: DistributionError.self) { try EmpiricalDistribution(samples: []) }
        #expect(throws: DistributionError.self) { try DiscreteDistribution(weights: [0, 0]) }
        do {
            _ = try WeibullDistribution(shape: .nan, scale: 1)
            Issue.record("expected a throw")
        } catch {
            #expect(error.description.contains("weibull"))
            #expect(error.description.contains("shape"))
        }
    }
}
