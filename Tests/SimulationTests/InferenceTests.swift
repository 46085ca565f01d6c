import Foundation
import Testing
@testable import Simulation

@Suite("Inference, fairness and queueing formulas")
struct InferenceTests {
    @Test("t quantile matches the table value t(0.975, 9) = 2.262157")
    func tQuantile() {
        #expect(abs(ConfidenceInterval.studentTQuantile(0.975, degreesOfFreedom: 9) - 2.262157) < 1e-6)
        #expect(abs(ConfidenceInterval.studentTQuantile(0.975, degreesOfFreedom: 1e9) - 1.959964) < 1e-6)
    }

    @Test("95% CI of 1…10 by hand")
    func confidenceInterval() throws {
        // mean 5.5, s = √(82.5/9) = 3.0276504, half-width = 2.2621572 · s / √10 = 2.1658506.
        let ci = try ConfidenceInterval(replicationMeans: (1...10).map(Double.init))
        #expect(ci.mean == 5.5)
        #expect(abs(ci.halfWidth - 2.1658506) < 1e-6)
        #expect(ci.contains(4) && !ci.contains(8))
        #expect(throws: StatisticsError.self) { try ConfidenceInterval(replicationMeans: [1]) }
    }

    @Test("Welch t-test on a hand-computed example")
    func welch() throws {
        // a = 1…5: mean 3, s² = 2.5; b = 2,4,…,10: mean 6, s² = 10; n = 5 each.
        // s²/n: 0.5 and 2 → t = −3/√2.5 = −1.8973666,
        // ν = 2.5² / (0.5²/4 + 2²/4) = 6.25/1.0625 = 5.8823529,
        // p = 2·Q_t(1.8973666; 5.8823529) = 0.1075312 (cross-checked with SciPy's ttest_ind(equal_var=False)).
        let test = try WelchTTest([1, 2, 3, 4, 5], [2, 4, 6, 8, 10])
        #expect(abs(test.t + 1.8973666) < 1e-6)
        #expect(abs(test.degreesOfFreedom - 5.8823529) < 1e-6)
        #expect(abs(test.pValue - 0.1075312) < 1e-6)
        #expect(!test.isSignificant())
        let clear = try WelchTTest([10.1, 9.8, 10.4, 10.0, 9.9, 10.3], [10.6, 10.9, 10.5, 11.2, 10.7])
        #expect(clear.isSignificant(alpha: 0.01))
        #expect(try WelchTTest([1, 1], [1, 1]).pValue == 1)
    }

    @Test("Jain's fairness index hand cases")
    func jain() {
        #expect(FairnessIndex.jain([1, 1, 1, 1]) == 1)
        #expect(FairnessIndex.jain([1, 0, 0, 0]) == 0.25)
        // (1+2+3)² / (3·(1+4+9)) = 36/42.
        #expect(abs(FairnessIndex.jain([1, 2, 3]) - 36.0 / 42) < 1e-15)
        #expect(FairnessIndex.jain([0, 0]) == 1)
        #expect(FairnessIndex.jain([2, 4], weights: [1, 2]) == 1)
    }

    @Test("Erlang C and M/M/c response times against hand values")
    func erlang() {
        // M/M/1, ρ = 0.8: T = 1/(μ − λ) = 5 service times; C(1, a) = a.
        #expect(abs(QueueingTheory.erlangC(servers: 1, offeredLoad: 0.8) - 0.8) < 1e-12)
        #expect(abs(QueueingTheory.mmcMeanResponseTime(arrivalRate: 0.8, serviceRate: 1, servers: 1) - 5) < 1e-12)
        // M/M/4, λ = 3, μ = 1 (a = 3, ρ = 0.75):
        // Σ_{k<4} a^k/k! = 1 + 3 + 4.5 + 4.5 = 13; (a⁴/4!)·c/(c − a) = 3.375·4 = 13.5;
        // C = 13.5 / (13 + 13.5) = 27/53 = 0.509434; W_q = C/(cμ − λ) = 27/53; T = 80/53 = 1.509434.
        #expect(abs(QueueingTheory.erlangC(servers: 4, offeredLoad: 3) - 27.0 / 53) < 1e-12)
        #expect(abs(QueueingTheory.mmcMeanResponseTime(arrivalRate: 3, serviceRate: 1, servers: 4) - 80.0 / 53) < 1e-12)
    }
}
