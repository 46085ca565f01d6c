import Foundation
import Testing

@testable import Simulation

/// Arrival processes, checked against the expected number of arrivals in a
/// measured window: for a Poisson process the count has variance equal to
/// its mean, so a 5-sigma band cannot fail by chance in practice.
@Suite struct ArrivalProcessTests {
    static func arrived(_ arrivals: String, durationSeconds: Int) throws -> Int {
        let yaml = """
            name: arrivals
            seed: 11
            replications: 1
            duration_s: \(durationSeconds)
            director: {service: 10.10.0.100:80, scheduler: wlc, forwarding: dr}
            servers:
              - {address: 10.30.0.1:80, workers: 64, backlog: 100000}
            workload:
              arrivals: \(arrivals)
              demand: {distribution: exponential, mean_ms: 1}
            """
        let scenario = try ScenarioLoader(file: "arrivals.yaml").parse(yaml)
        let results = try Experiment.run(scenario: scenario, schedulers: [nil], replications: 1)
        return results[0].replications[0].arrived
    }

    static func withinFiveSigma(_ count: Int, mean: Double) -> Bool {
        abs(Double(count) - mean) < 5 * mean.squareRoot()
    }

    @Test func onOffSendsOnlyDuringOnPeriods() throws {
        // 200/s for 10 s, silent for 10 s, over 100 s: five on periods, 10,000 expected.
        let count = try Self.arrived("{process: onoff, on_rate: 200, on_s: 10, off_rate: 0, off_s: 10}", durationSeconds: 100)
        #expect(Self.withinFiveSigma(count, mean: 10_000), "\(count) arrivals")
    }

    @Test func piecewiseRateChangesAtTheGivenTime() throws {
        // 100/s until 50 s, then 300/s: 5,000 + 15,000 over 100 s.
        let count = try Self.arrived("{process: piecewise, segments: [{until_s: 50, rate: 100}, {rate: 300}]}", durationSeconds: 100)
        #expect(Self.withinFiveSigma(count, mean: 20_000), "\(count) arrivals")
        let early = try Self.arrived("{process: piecewise, segments: [{until_s: 50, rate: 100}, {rate: 300}]}", durationSeconds: 40)
        #expect(Self.withinFiveSigma(early, mean: 4_000), "\(early) arrivals in the first 40 s")
    }

    @Test func deterministicArrivalsAreExactlyEvenlySpaced() throws {
        // One arrival every 10 ms in the window [0 s, 10 s): 999 when the first
        // comes one interval in (10 ms, …, 9,990 ms), 1,000 when it comes at 0.
        // A Poisson process would scatter by ±100.
        let count = try Self.arrived("{process: deterministic, rate: 100}", durationSeconds: 10)
        #expect((999...1_000).contains(count), "\(count) arrivals")
    }
}
