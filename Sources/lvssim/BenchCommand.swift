import ArgumentParser
import Dispatch
import Foundation
import LVSModel
import Schedulers

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

            Example:
              swift run -c release lvssim bench --servers 4,64,1024
            """
    )

    @Option(help: "Comma-separated real-server counts.")
    var servers: String = "4,64,1024"

    @Option(help: "Decisions timed per scheduler and server count.")
    var decisions: Int = 200_000

    @Option(help: "Comma-separated scheduler names (default: all).")
    var schedulers: String?

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
        writeOut("scheduler  servers    ns/decision    decisions/s\n")
        for kind in kinds {
            for count in counts {
                let nanoseconds = Self.measure(kind: kind, servers: count, decisions: decisions)
                let line = kind.name.padding(toLength: 9, withPad: " ", startingAt: 0)
                    + String(format: "  %7d  %13.1f  %13.0f\n", count, nanoseconds, 1e9 / nanoseconds)
                writeOut(line)
            }
        }
    }

    /// Mean wall-clock nanoseconds per decision.
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
        guard let serviceIndex = table.serviceIndex(key) else { return .nan }
        var random = SplitMix64RandomSource(seed: 42)
        var sink = 0
        let start = DispatchTime.now().uptimeNanoseconds
        var active = 0
        for decision in 0..<decisions {
            let client = Endpoint(address: .v4(0x1414_0000 &+ UInt32(truncatingIfNeeded: decision &* 2_654_435_761)), port: 10000)
            let flow = FlowKey(proto: .tcp, source: client, destination: vip)
            let now = Int64(decision) * 1_000
            if let chosen = set.select(flow: flow, service: table[serviceAt: serviceIndex], nowNanoseconds: now, random: &random) {
                sink &+= chosen
                table[serviceAt: serviceIndex].servers[chosen].activeConnections += 1
                active += 1
                if active >= 64 * count {
                    for server in table[serviceAt: serviceIndex].servers.indices {
                        table[serviceAt: serviceIndex].servers[server].activeConnections = 0
                    }
                    active = 0
                }
            }
        }
        let elapsed = DispatchTime.now().uptimeNanoseconds - start
        if sink == -1 { print("") }
        return Double(elapsed) / Double(decisions)
    }
}
