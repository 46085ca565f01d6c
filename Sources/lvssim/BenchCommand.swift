import ArgumentParser
import Dispatch
import Foundation
import LVSModel
import Schedulers
import Simulation

/// `lvssim bench`: decision cost of every scheduler (and, as the engine
/// lands, events per second), measured in-process. Build in release mode.
struct BenchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure scheduler decisions per second (release builds only give meaningful figures).",
        discussion: """
            For each scheduler and each real-server count, builds a service of that many NAT \
            servers (weights 1..4), then times decisions for distinct clients, each decision \
            binding the connection to the chosen server as the director does.

            With --engine, also runs the engine's hold model (each delivered event schedules \
            one successor Exp(1 ms) later, drawn with gsl_ran_exponential) with 1,000 and \
            10,000 pending events, and prints events per second; "engine alone" cycles through \
            65,536 increments drawn up front instead, timing the engine without the generator.

            Example:
              swift run -c release lvssim bench --servers 4,64,1024
              swift run -c release lvssim bench --engine
              swift run -c release lvssim bench --packets
            """
    )

    @Option(help: "Comma-separated real-server counts.")
    var servers: String = "4,64,1024"

    @Option(help: "Decisions timed per scheduler and server count.")
    var decisions: Int = 200_000

    @Option(help: "Comma-separated scheduler names (default: all).")
    var schedulers: String?

    @Flag(help: "Also run the engine hold benchmark (events/s at 1,000 and 10,000 pending events).")
    var engine = false

    @Flag(help: "Only run the engine hold benchmark.")
    var engineOnly = false

    @Option(help: "Events delivered per engine hold run.")
    var events: Int = 2_000_000

    @Flag(help: "Only run a packet-level simulation (NAT, 4 servers) and print packet events per second.")
    var packets = false

    @Option(help: "Connections of the --packets run.")
    var packetConnections: Int = 20_000

    mutating func run() throws {
        let counts = servers.split(separator: ",").compactMap { Int($0) }
        guard !counts.isEmpty, counts.allSatisfy({ $0 > 0 && $0 <= 4093 }) else {
            throw ValidationError("--servers takes counts from 1 to 4093, e.g. 4,64,1024")
        }
        guard decisions > 0 else { throw ValidationError("--decisions must be positive") }
        let kinds: [SchedulerKind]
        if let schedulers {
            kinds = try schedulers.split(separator: ",").map { name in
                guard let kind = SchedulerKind(name: String(name)) else {
                    throw ValidationError("unknown scheduler \"\(name)\" (expected one of \(SchedulerKind.allCases.map(\.name).joined(separator: ", ")))")
                }
                return kind
            }
        } else {
            kinds = SchedulerKind.allCases
        }
        guard events > 0 else { throw ValidationError("--events must be positive") }
        if packets {
            guard packetConnections > 0 else { throw ValidationError("--packet-connections must be positive") }
            let scenario = try ClusterSimulation.packetBenchmarkScenario(connections: packetConnections)
            var simulation = try ClusterSimulation(scenario: scenario, replication: 0)
            let start = DispatchTime.now().uptimeNanoseconds
            let result = simulation.run()
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            var usage = rusage()
            #if os(Linux)
                getrusage(RUSAGE_SELF.rawValue, &usage)
                let maxRSSMB = Double(usage.ru_maxrss) / 1024  // KiB on Linux
            #else
                getrusage(RUSAGE_SELF, &usage)
                let maxRSSMB = Double(usage.ru_maxrss) / 1_048_576  // bytes on Darwin
            #endif
            writeOut("packet level  connections  completed  packet events  engine events  wall seconds  packet events/s  connections/s  max RSS MB\n")
            writeOut(String(format: "              %11d  %9d  %13d  %13d  %12.3f  %15.0f  %13.0f  %10.1f\n", packetConnections, result.completed,
                simulation.packetEvents, result.events, seconds, Double(simulation.packetEvents) / seconds,
                Double(result.completed) / seconds, maxRSSMB))
            return
        }
        if !engineOnly {
            writeOut("scheduler  servers    ns/decision    decisions/s\n")
        }
        for kind in engineOnly ? [] : kinds {
            for count in counts {
                let nanoseconds = Self.measure(kind: kind, servers: count, decisions: decisions)
                let line = kind.name.padding(toLength: 9, withPad: " ", startingAt: 0)
                    + String(format: "  %7d  %13.1f  %13.0f\n", count, nanoseconds, 1e9 / nanoseconds)
                writeOut(line)
            }
        }
        if engine || engineOnly {
            if !engineOnly { writeOut("\n") }
            writeOut("engine hold  pending       events/s     ns/event   engine alone: events/s     ns/event\n")
            for pending in [1_000, 10_000] {
                let rate = Self.measureEngine(pending: pending, events: events, increments: .drawnPerEvent)
                let alone = Self.measureEngine(pending: pending, events: events, increments: .precomputed)
                writeOut(String(format: "             %7d  %13.0f  %11.1f  %23.0f  %11.1f\n", pending, rate, 1e9 / rate, alone, 1e9 / alone))
            }
        }
    }

    /// Mean wall-clock nanoseconds per decision.
    ///
    /// The service lives in a local value, as the director's table slot does,
    /// and is passed to `select` by borrow; binding increments the chosen
    /// server's ActiveConn in place (all reset once 64 × N are bound).
    static func measure(kind: SchedulerKind, servers count: Int, decisions: Int) -> Double {
        var fixture = DecisionBenchmark(kind: kind, servers: count)
        fixture.decide(1_000)  // untimed warm-up (lblc/lblcr populate their entry)
        let start = DispatchTime.now().uptimeNanoseconds
        fixture.decide(decisions)
        let elapsed = DispatchTime.now().uptimeNanoseconds - start
        if fixture.sink == -1 { print("") }
        return Double(elapsed) / Double(decisions)
    }

    /// Events per second of the hold model. `.drawnPerEvent` is the classic benchmark (one
    /// `gsl_ran_exponential` per event); `.precomputed` cycles through increments drawn up
    /// front, timing the engine alone (heap, clock, dispatch) without the generator.
    static func measureEngine(pending: Int, events: Int, increments: HoldBenchmark.Increments) -> Double {
        _ = HoldBenchmark.runEngine(events: min(events, 100_000), pending: pending, seed: 1, increments: increments)  // warm-up
        let result = HoldBenchmark.runEngine(events: events, pending: pending, seed: 7, increments: increments)
        return Double(result.events) / result.seconds
    }
}
