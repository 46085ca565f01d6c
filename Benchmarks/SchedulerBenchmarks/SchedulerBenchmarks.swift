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
                var fixture = DecisionFixture(kind: kind, servers: servers)
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

/// One service, its scheduler set and a stream of client flows.
struct DecisionFixture {
    let vip = Endpoint(address: .v4(0x0A0A_0064), port: 80)
    var service: VirtualService
    var set: SchedulerSet
    var random = SplitMix64RandomSource(seed: 42)
    var decision = 0
    var active = 0
    let limit: Int
    var sink = 0

    init(kind: SchedulerKind, servers count: Int) {
        let key = ServiceKey.address(.tcp, vip)
        var table = IPVSTable()
        table.knownSchedulers = Set(SchedulerKind.allCases.map(\.name))
        var set = SchedulerSet(registry: .allKernel)
        set.apply((try? table.addService(VirtualService(key: key, scheduler: kind.name))) ?? [], table: table, nowNanoseconds: 0)
        for index in 0..<count {
            let server = RealServer(
                address: .v4(0x0A1E_0000 + UInt32(index) + 1), port: 80, forwarding: .masquerade,
                weight: Int32(index % 4 + 1))
            set.apply((try? table.addServer(server, to: key)) ?? [], table: table, nowNanoseconds: 0)
        }
        self.service = table.service(key)!
        self.set = set
        self.limit = 64 * count
    }

    /// `count` decisions, each binding its connection.
    @inline(__always)
    mutating func decide(_ count: Int = 1) {
        for _ in 0..<count {
            let client = Endpoint(address: .v4(0x1414_0000 &+ UInt32(truncatingIfNeeded: decision &* 2_654_435_761)), port: 10000)
            let flow = FlowKey(proto: .tcp, source: client, destination: vip)
            let now = Int64(decision) * 1_000
            decision &+= 1
            if let chosen = set.select(flow: flow, service: service, nowNanoseconds: now, random: &random) {
                sink &+= chosen
                service.servers[chosen].activeConnections += 1
                active += 1
                if active >= limit {
                    for index in service.servers.indices { service.servers[index].activeConnections = 0 }
                    active = 0
                }
            }
        }
    }
}
