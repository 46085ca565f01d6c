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
            10,000 pending events, and prints events per second.

            Example:
              swift run -c release lvssim bench --servers 4,64,1024
              swift run -c release lvssim bench --engine
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
            writeOut("engine hold  pending       events/s     ns/event\n")
            for pending in [1_000, 10_000] {
                let rate = Self.measureEngine(pending: pending, events: events)
                writeOut(String(format: "             %7d  %13.0f  %11.1f\n", pending, rate, 1e9 / rate))
            }
        }
    }

    /// Mean wall-clock nanoseconds per decision.
    ///
    /// The service lives in a local value, as the director's table slot does,
    /// and is passed to `select` by borrow; binding increments the chosen
    /// server's ActiveConn in place (all reset once 64 × N are bound).
    static func measure(kind: SchedulerKind, servers count: Int, decisions: Int) -> Double {
        let vip = Endpoint(address: .v4(0x0A0A_0064), port: 80)
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
        guard var service = table.service(key) else { return .nan }
        table = IPVSTable()  // drop the table's reference so `service.servers` is unique
        var random = SplitMix64RandomSource(seed: 42)
        var sink = 0
        var active = 0
        let limit = 64 * count
        var start: UInt64 = 0
        // 1,000 untimed warm-up decisions (lblc/lblcr populate their entry).
        for decision in -1_000..<decisions {
            if decision == 0 { start = DispatchTime.now().uptimeNanoseconds }
            let client = Endpoint(address: .v4(0x1414_0000 &+ UInt32(truncatingIfNeeded: decision &* 2_654_435_761)), port: 10000)
            let flow = FlowKey(proto: .tcp, source: client, destination: vip)
            let now = Int64(decision + 1_000) * 1_000
            if let chosen = set.select(flow: flow, service: service, nowNanoseconds: now, random: &random) {
                sink &+= chosen
                service.servers[chosen].activeConnections += 1
                active += 1
                if active >= limit {
                    for server in service.servers.indices { service.servers[server].activeConnections = 0 }
                    active = 0
                }
            }
        }
        let elapsed = DispatchTime.now().uptimeNanoseconds - start
        if sink == -1 { print("") }
        return Double(elapsed) / Double(decisions)
    }

    /// The engine's hold model: events per second with `pending` events queued.
    static func measureEngine(pending: Int, events: Int) -> Double {
        _ = Engine.holdBenchmark(events: min(events, 100_000), pending: pending, seed: 1)  // warm-up
        let result = Engine.holdBenchmark(events: events, pending: pending, seed: 7)
        return Double(result.events) / result.seconds
    }
}
