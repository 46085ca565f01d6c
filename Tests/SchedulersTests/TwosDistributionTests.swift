import LVSModel
import Testing

@testable import Schedulers

/// twos draws at random, so its decisions can only be checked as a
/// distribution: worked out here from spec §7.9.
@Suite struct TwosDistributionTests {
    /// Servers added .1 (w1), .2 (w2), .3 (w3), .4 (w4): kernel list .4, .3, .2, .1.
    static func fixture() -> Fixture {
        var f = Fixture("twos")
        for (last, weight) in [(1, Int32(1)), (2, 2), (3, 3), (4, 4)] { f.add(last, weight: weight) }
        return f
    }

    @Test func idleServersFollowTheRunningSumOfTheFirstDraw() {
        // All overheads 0: the comparison never prefers choice 2, so the pick
        // is choice 1, r uniform on [0, W] with W = 10 (11 outcomes): the first
        // server in list order (.4, weight 4) owns r ∈ [0, 4] (5 outcomes),
        // .3 owns (4, 7] (3), .2 owns (7, 9] (2), .1 owns (9, 10] (1).
        var f = Self.fixture()
        let draws = 110_000
        var counts: [Int: Int] = [:]
        for pick in f.picks(draws) { counts[pick ?? 0, default: 0] += 1 }
        let expected: [Int: Double] = [4: 5.0 / 11, 3: 3.0 / 11, 2: 2.0 / 11, 1: 1.0 / 11]
        for (server, probability) in expected {
            let share = Double(counts[server] ?? 0) / Double(draws)
            // 6 standard errors of a binomial proportion.
            let tolerance = 6 * (probability * (1 - probability) / Double(draws)).squareRoot()
            #expect(abs(share - probability) < tolerance, "server .\(server): share \(share), expected \(probability)")
        }
    }

    @Test func overALongRunPicksFollowTheWeights() {
        // Every pick holds its connection (active + 1). twos keeps choosing the
        // less loaded of two candidates per unit of weight, so active/weight
        // stays balanced and each server's share tends to weight / 10.
        var f = Self.fixture()
        let draws = 40_000
        var counts: [Int: Int] = [:]
        for pick in f.picks(draws, bind: true) { counts[pick ?? 0, default: 0] += 1 }
        for (server, weight) in [(1, 1.0), (2, 2.0), (3, 3.0), (4, 4.0)] {
            let share = Double(counts[server] ?? 0) / Double(draws)
            #expect(abs(share - weight / 10) < 0.01, "server .\(server): share \(share), expected \(weight / 10)")
        }
    }
}
