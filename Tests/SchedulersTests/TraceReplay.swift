import Foundation
import LVSModel
@testable import Schedulers

/// A minimal replay of lvs-trace/1 recordings against the schedulers: just
/// enough ipvsadm parsing (`-A/-E/-a/-e/-d` with the options the recordings
/// use) to build the table, then every non-racy `connect` that reaches the
/// scheduler (no live persistence template) is checked.
struct TraceReplay {
    struct Outcome: CustomStringConvertible {
        var name: String
        var checked = 0
        var matched = 0
        var skipped = 0
        var failures: [String] = []
        var description: String {
            "\(name): \(matched)/\(checked) matched, \(skipped) skipped" + (failures.isEmpty ? "" : "; first: \(failures[0])")
        }
    }

    static var traceDirectory: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("shared/ipvs-traces/traces")
    }

    static func availableTraces() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: traceDirectory.path)) ?? []
        return names.filter { $0.hasSuffix(".jsonl") }.map { String($0.dropLast(6)) }.sorted()
    }

    var table = IPVSTable()
    var schedulers = SchedulerSet(registry: .allKernel)
    /// Total (active + inactive) of each server right after the last bind we modelled.
    var lastTotals: [Endpoint: Int64] = [:]
    var random = SplitMix64RandomSource(seed: 1)

    init() { table.knownSchedulers = IPVSTable.kernel612Schedulers }

    static func run(_ name: String) throws -> Outcome {
        var replay = TraceReplay()
        var outcome = Outcome(name: name)
        let text = try String(contentsOf: traceDirectory.appendingPathComponent(name + ".jsonl"), encoding: .utf8)
        for (lineNumber, line) in text.split(separator: "\n").enumerated() {
            guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                let op = object["op"] as? String
            else { continue }
            let now = Int64(object["t_ms"] as? Int ?? 0) * 1_000_000
            switch op {
            case "ipvsadm":
                let args = object["args"] as? [String] ?? []
                let succeeded = replay.ipvsadm(args, now: now)
                if succeeded != ((object["exit"] as? Int ?? 0) == 0) {
                    outcome.failures.append("line \(lineNumber + 1): exit status differs for \(args)")
                }
            case "connect":
                replay.connect(object, line: lineNumber + 1, now: now, outcome: &outcome)
            default:
                break
            }
        }
        return outcome
    }

    // MARK: ipvsadm subset

    static func serviceKey(_ args: [String]) -> ServiceKey? {
        for (i, arg) in args.enumerated() where i + 1 < args.count {
            switch arg {
            case "-t": return Endpoint(args[i + 1]).map { .address(.tcp, $0) }
            case "-u": return Endpoint(args[i + 1]).map { .address(.udp, $0) }
            case "-f": return UInt32(args[i + 1]).map { .fwmark($0, .inet) }
            default: continue
            }
        }
        return nil
    }

    static func value(_ option: String, in args: [String]) -> String? {
        guard let i = args.firstIndex(of: option), i + 1 < args.count else { return nil }
        return args[i + 1]
    }

    mutating func ipvsadm(_ args: [String], now: Int64) -> Bool {
        guard let command = args.first, let key = Self.serviceKey(args) else { return false }
        do {
            var changes: [TableChange] = []
            switch command {
            case "-A", "-E":
                var service = VirtualService(key: key, scheduler: Self.value("-s", in: args) ?? "wlc")
                if args.contains("-p") { service.flags.insert(.persistent); service.timeout = 300 }
                for flag in (Self.value("-b", in: args) ?? "").split(separator: ",") {
                    switch flag {
                    case "sh-fallback", "mh-fallback", "flag-1": service.flags.insert(.sched1)
                    case "sh-port", "mh-port", "flag-2": service.flags.insert(.sched2)
                    case "flag-3": service.flags.insert(.sched3)
                    default: return false
                    }
                }
                changes = command == "-A" ? try table.addService(service) : try table.editService(service)
            case "-a", "-e":
                guard let endpoint = Self.value("-r", in: args).flatMap({ Endpoint($0) }) else { return false }
                let server = RealServer(
                    address: endpoint.address, port: endpoint.port,
                    forwarding: args.contains("-m") ? .masquerade : .directRouting,
                    weight: Int32(Self.value("-w", in: args) ?? "1") ?? 1,
                    upperThreshold: UInt32(Self.value("-x", in: args) ?? "0") ?? 0,
                    lowerThreshold: UInt32(Self.value("-y", in: args) ?? "0") ?? 0)
                let previous = table.service(key)?.servers.first { $0.endpoint == endpoint }
                changes = command == "-a" ? try table.addServer(server, to: key) : try table.editServer(server, in: key)
                if command == "-e", let previous { applyPatchedEditOverload(key: key, previous: previous) }
            case "-d":
                guard let endpoint = Self.value("-r", in: args).flatMap({ Endpoint($0) }) else { return false }
                changes = try table.deleteServer(address: endpoint.address, port: endpoint.port, from: key)
            default:
                return false
            }
            schedulers.apply(changes, table: table, nowNanoseconds: now)
            return true
        } catch {
            return false
        }
    }

    /// The trace kernel (Debian 6.1.192) carries "ipvs: properly update the
    /// overload flag on dest edit": an edit that changes `-x`/`-y`
    /// re-evaluates OVERLOAD from the current counters (set at ≥ -x, clear
    /// below -y or ¾ of -x, else unchanged); unchanged thresholds leave it alone.
    /// LVSModel's `editServer` implements the older rule, so the harness corrects it.
    mutating func applyPatchedEditOverload(key: ServiceKey, previous: RealServer) {
        guard let serviceIndex = table.serviceIndex(key),
            let position = table[serviceAt: serviceIndex].serverIndex(address: previous.address, port: previous.port)
        else { return }
        var server = table[serviceAt: serviceIndex].servers[position]
        if server.upperThreshold == previous.upperThreshold && server.lowerThreshold == previous.lowerThreshold {
            server.isOverloaded = previous.isOverloaded
        } else if server.upperThreshold == 0 {
            server.isOverloaded = false
        } else {
            // Counters as the kernel saw them at the last modelled bind.
            let total = lastTotals[server.endpoint] ?? server.thresholdCount
            let upper = Int64(server.upperThreshold)
            let lower = server.lowerThreshold != 0 ? Int64(server.lowerThreshold) : upper - (upper >> 2)
            if total >= upper { server.isOverloaded = true } else if total < lower { server.isOverloaded = false }
        }
        table[serviceAt: serviceIndex].servers[position] = server
    }

    // MARK: connect

    mutating func connect(_ object: [String: Any], line: Int, now: Int64, outcome: inout Outcome) {
        let serviceText = object["service"] as? String ?? ""
        let proto = TransportProtocol(name: object["proto"] as? String ?? "tcp") ?? .tcp
        let key: ServiceKey
        let destination: Endpoint
        if serviceText.hasPrefix("fwmark:") {
            key = .fwmark(UInt32(serviceText.dropFirst(7)) ?? 0, .inet)
            destination = Endpoint(object["dest"] as? String ?? "") ?? Endpoint(address: .v4(0), port: 0)
        } else {
            destination = Endpoint(serviceText)!
            key = .address(proto, destination)
        }
        guard let serviceIndex = table.serviceIndex(key), let client = Endpoint(object["client"] as? String ?? "") else {
            outcome.failures.append("line \(line): unknown service \(serviceText)")
            return
        }
        let before = object["before"] as? [[String: Any]] ?? []
        var service = table[serviceAt: serviceIndex]
        guard before.count == service.servers.count else {
            outcome.failures.append("line \(line): \(before.count) servers recorded, model has \(service.servers.count)")
            return
        }
        for (i, recorded) in before.enumerated() {
            let endpoint = Endpoint(recorded["server"] as? String ?? "")
            if endpoint != service.servers[i].endpoint || Int32(recorded["weight"] as? Int ?? -1) != service.servers[i].weight {
                outcome.failures.append("line \(line): order/weight differs at \(i)")
                return
            }
            var server = service.servers[i]
            server.activeConnections = Int32(recorded["active"] as? Int ?? 0)
            server.inactiveConnections = Int32(recorded["inactive"] as? Int ?? 0)
            server.persistentConnections = Int32(recorded["persist"] as? Int ?? 0)
            // Expiries since the last bind may have cleared OVERLOAD.
            if server.thresholdCount < lastTotals[server.endpoint] ?? 0 { server.updateOverloadAfterUnbind() }
            service.servers[i] = server
        }
        table[serviceAt: serviceIndex] = service
        let chosen = (object["chosen"] as? String).flatMap { Endpoint($0) }
        let hasTemplate = object["template"].map { !($0 is NSNull) } ?? false
        let racy = object["racy"] as? Bool ?? false
        if hasTemplate {
            outcome.skipped += 1  // served by the template: the scheduler is not called
        } else if racy {
            // Counters moved under the snapshot: not checked, but the kernel did
            // call the scheduler, so its state (rr/wrr cursor, locality) advances.
            outcome.skipped += 1
            let flow = FlowKey(proto: proto, source: client, destination: destination)
            _ = schedulers.select(flow: flow, service: service, nowNanoseconds: now, random: &random)
        } else {
            let flow = FlowKey(proto: proto, source: client, destination: destination)
            if service.scheduler == "twos" {
                // Random: only eligibility can be checked.
                let eligible = service.servers.filter { !$0.isOverloaded && $0.weight > 0 }.map(\.endpoint)
                _ = schedulers.select(flow: flow, service: service, nowNanoseconds: now, random: &random)
                outcome.checked += 1
                if chosen.map({ eligible.contains($0) }) ?? eligible.isEmpty {
                    outcome.matched += 1
                } else {
                    outcome.failures.append("line \(line): \(chosen?.description ?? "nil") not eligible")
                }
            } else {
                let picked = schedulers.select(flow: flow, service: service, nowNanoseconds: now, random: &random)
                    .map { service.servers[$0].endpoint }
                outcome.checked += 1
                if picked == chosen {
                    outcome.matched += 1
                } else {
                    outcome.failures.append(
                        "line \(line): expected \(chosen?.description ?? "nil"), got \(picked?.description ?? "nil")")
                }
            }
        }
        // Bind the recorded connection to the kernel's choice (inactive + 1, OVERLOAD check).
        for i in service.servers.indices {
            if let chosen, service.servers[i].endpoint == chosen {
                service.servers[i].inactiveConnections += 1
                service.servers[i].updateOverloadAfterBind()
            }
            lastTotals[service.servers[i].endpoint] = service.servers[i].thresholdCount
        }
        table[serviceAt: serviceIndex] = service
    }
}
