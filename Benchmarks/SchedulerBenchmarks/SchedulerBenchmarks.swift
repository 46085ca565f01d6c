import Benchmark
import LVSModel
import Schedulers
import Simulation

/// Decision cost of every kernel scheduler, and the engine's hold model.
///
/// Each scheduler benchmark builds one NAT service with N real servers
/// (weights 1…4) through `IPVSTable` + `SchedulerSet`, exactly as the
/// director does, then times `SchedulerSet.select` for distinct clients; each
/// decision binds the connection to the chosen server (ActiveConn + 1, all
/// counters reset once 64 × N are bound) so the least-load schedulers see a
/// moving load. One benchmark iteration = 1,000 decisions (`scalingFactor:
/// .kilo`), so the scaled wall clock is ns per decision.
///
/// Threshold: `mallocCountTotal` must be 0 (a decision never allocates; an
/// lblc/lblcr hit does not either, and the fixture's destination is cached
/// after the warm-up). Checked by `swift package benchmark thresholds check`
/// against `Thresholds/*.p90.json` (all 0).
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        timeUnits: .nanoseconds,
        warmupIterations: 10,
        scalingFactor: .kilo,
        maxDuration: .seconds(1),
        maxIterations: 2_000,
        thresholds: [
            .mallocCountTotal: BenchmarkThresholds(absolute: [.p0: 0, .p25: 0, .p50: 0, .p75: 0, .p90: 0, .p99: 0, .p100: 0])
        ]
    )

    for kind in SchedulerKind.allCases {
        for servers in [4, 64, 1_024] {
            Benchmark("select \(kind.name) \(servers) servers") { benchmark in
                var fixture = DecisionBenchmark(kind: kind, servers: servers)
                fixture.decide(100)  // populate lblc/lblcr tables before measuring
                benchmark.startMeasurement()
                for _ in benchmark.scaledIterations {
                    fixture.decide()
                }
                benchmark.stopMeasurement()
                blackHole(fixture.sink)
            }
        }
    }

    for pending in [1_000, 10_000] {
        Benchmark(
            "engine hold \(pending) pending",
            configuration: .init(
                metrics: [.wallClock, .throughput, .mallocCountTotal],
                timeUnits: .nanoseconds,
                warmupIterations: 1,
                scalingFactor: .mega,
                maxDuration: .seconds(3),
                maxIterations: 20,
                thresholds: [:]
            )
        ) { benchmark in
            // One iteration = 1,000,000 delivered events (scaled figures are
            // per event); the queue fill (≤ 10,000 inserts) is included but
            // is ~1% of the work.
            let events = benchmark.scaledIterations.count
            let result = Engine.holdBenchmark(events: events, pending: pending, seed: 7)
            blackHole(result.events)
        }
    }
}
