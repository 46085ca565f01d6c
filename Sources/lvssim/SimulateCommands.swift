import ArgumentParser
import Foundation
import Simulation

/// Options shared by `run` and `compare`.
struct SimulationOptions: ParsableArguments {
    @Argument(help: "Scenario file (YAML; see docs/scenarios.md).")
    var scenario: String

    @Option(help: "Replications (independent seeds; overrides the scenario).")
    var replications: Int?

    @Option(help: "Master seed (overrides the scenario).")
    var seed: UInt64?

    @Option(help: "Measured connections per replication, after the warm-up (overrides the scenario).")
    var connections: Int?

    @Option(help: "Simulate at this level (connection or packet; overrides the scenario's `level`; packet needs a network section).")
    var level: String?

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    @Option(help: "Write tidy CSV files and metadata.json to this folder.")
    var out: String?

    @Flag(help: "Leave wall-clock figures out of the JSON, so identical runs give identical bytes.")
    var deterministic = false

    @Flag(help: "No progress bar (it is only drawn when stderr is a terminal).")
    var noProgress = false

    func validate() throws {
        if let replications, replications < 1 { throw ValidationError("--replications must be at least 1") }
        if let connections, connections < 1 { throw ValidationError("--connections must be at least 1") }
        if let level, Scenario.Level(rawValue: level) == nil {
            throw ValidationError("--level must be connection or packet, not \"\(level)\"")
        }
    }

    /// Loads the scenario with the overrides; bad scenarios exit with 65.
    func load(command: String) throws -> (Scenario, String) {
        let text: String
        do {
            text = try String(contentsOfFile: scenario, encoding: .utf8)
        } catch {
            printError("lvssim \(command): \(scenario): cannot read file")
            throw ExitCode(66)
        }
        do {
            var loaded = try ScenarioLoader(file: scenario).parse(text)
            if let replications { loaded.replications = replications }
            if let seed { loaded.seed = seed }
            if let level, let chosen = Scenario.Level(rawValue: level) { loaded.level = chosen }
            if let connections {
                loaded.connections = connections
                loaded.durationSeconds = nil
            }
            if loaded.level == .packet && loaded.network == nil {
                printError("lvssim \(command): \(scenario): --level packet needs a network section (see docs/packet-level.md)")
                throw ExitCode(65)
            }
            return (loaded, text)
        } catch let exit as ExitCode {
            throw exit
        } catch {
            printError("lvssim \(command): \(error)")
            throw ExitCode(65)
        }
    }
}

/// A progress bar on stderr, drawn only when stderr is a terminal and the run is long (> 1 s).
final class ProgressBar: @unchecked Sendable {
    private let lock = NSLock()
    private var fractions: [Double]
    private let start = DispatchTime.now().uptimeNanoseconds
    private var lastDraw: UInt64 = 0
    private var drawn = false
    let enabled: Bool

    init(tasks: Int, enabled: Bool) {
        fractions = Array(repeating: 0, count: tasks)
        self.enabled = enabled && isatty(STDERR_FILENO) != 0
    }

    func report(task: Int, fraction: Double) {
        guard enabled else { return }
        lock.lock()
        defer { lock.unlock() }
        fractions[task] = fraction
        let now = DispatchTime.now().uptimeNanoseconds
        guard now - start > 1_000_000_000, now - lastDraw > 200_000_000 else { return }
        lastDraw = now
        let done = fractions.reduce(0, +) / Double(fractions.count)
        let width = 40
        let filled = Int(done * Double(width))
        let elapsed = Double(now - start) / 1e9
        let eta = done > 0.01 ? elapsed * (1 - done) / done : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled)
        FileHandle.standardError.write(Data(String(format: "\r[%@] %3.0f%%  %.0fs elapsed, ~%.0fs left ", bar, done * 100, elapsed, eta).utf8))
        drawn = true
    }

    func finish() {
        lock.lock()
        defer { lock.unlock() }
        if drawn { FileHandle.standardError.write(Data(("\r" + String(repeating: " ", count: 78) + "\r").utf8)) }
    }
}

enum SimulationCLI {
    static func execute(
        command: String, options: SimulationOptions, schedulers: [String?], labels: [String], recordTrace: String?
    ) throws {
        let (scenario, text) = try options.load(command: command)
        let recorder: TraceRecorder?
        if let recordTrace {
            do {
                recorder = try TraceRecorder(path: recordTrace, scenario: scenario.name, notes: "lvssim \(LVSSimVersion.current) seed \(scenario.seed) replication 0")
            } catch {
                printError("lvssim \(command): \(error)")
                throw ExitCode(73)
            }
        } else {
            recorder = nil
        }
        let bar = ProgressBar(tasks: schedulers.count * scenario.replications, enabled: !options.noProgress)
        let results: [SchedulerResult]
        var progress: (@Sendable (Int, Double) -> Void)?
        if bar.enabled { progress = { task, fraction in bar.report(task: task, fraction: fraction) } }
        do {
            results = try Experiment.run(
                scenario: scenario, schedulers: schedulers, replications: scenario.replications,
                collectDetails: options.out != nil, recorder: recorder,
                progress: progress)
        } catch {
            bar.finish()
            printError("lvssim \(command): \(scenario.file): \(error)")
            throw ExitCode(65)
        }
        bar.finish()
        recorder?.flush()
        let report = ExperimentReport(
            version: LVSSimVersion.current, scenario: scenario, results: results, labels: labels, compare: command == "compare",
            includeTiming: !options.deterministic)
        if let out = options.out {
            do {
                try ReportWriter.write(
                    directory: out, scenario: scenario, scenarioText: text, labels: labels, results: results,
                    commandLine: Array(CommandLine.arguments.dropFirst()))
                try Data((report.json() + "\n").utf8).write(to: URL(fileURLWithPath: (out as NSString).appendingPathComponent("result.json")))
            } catch {
                printError("lvssim \(command): cannot write \(out): \(error)")
                throw ExitCode(73)
            }
        }
        if options.json {
            writeOut(report.json() + "\n")
        } else {
            writeOut(TextReport.render(scenario: scenario, labels: labels, results: results, compare: command == "compare", report: report))
        }
    }
}

/// `lvssim run SCENARIO`.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Simulate a scenario: clients, the IPVS director and the real servers.",
        discussion: """
            Runs the scenario's replications concurrently over all cores and prints every figure \
            as a mean with its 95% confidence interval. Exit status: 0 ok, 64 usage, 65 bad scenario.

            Examples:
              lvssim run Scenarios/skewed-heavy-tail.yaml
              lvssim run Scenarios/mmc-validation.yaml --replications 10 --json
              lvssim run Scenarios/hetero-weights.yaml --out results/hetero --record-trace hetero.jsonl
            """)

    @OptionGroup var options: SimulationOptions

    @Option(name: .customLong("record-trace"), help: "Write replication 0's decisions as an lvs-trace/1 file.")
    var recordTrace: String?

    @Option(help: "Override the scheduler of the scenario's services.")
    var scheduler: String?

    mutating func run() throws {
        try SimulationCLI.execute(
            command: "run", options: options, schedulers: [scheduler], labels: [scheduler ?? ""], recordTrace: recordTrace)
    }
}

/// `lvssim compare SCENARIO --schedulers rr,wlc`.
struct CompareCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare schedulers on one scenario with common random numbers.",
        discussion: """
            Every scheduler sees the same arrivals, clients and service demands (replication i \
            uses the same seeds under every scheduler). Prints each figure with its 95% CI and, \
            for each pair, the difference in mean and p99 response time with a Welch p-value.

            Example:
              lvssim compare Scenarios/skewed-heavy-tail.yaml --schedulers rr,wlc --replications 5
            """)

    @OptionGroup var options: SimulationOptions

    @Option(help: "Comma-separated schedulers, e.g. rr,wlc,sed.")
    var schedulers: String

    func validate() throws {
        let names = schedulers.split(separator: ",").map(String.init)
        guard names.count >= 2 else { throw ValidationError("--schedulers needs at least two schedulers, e.g. rr,wlc") }
        guard Set(names).count == names.count else { throw ValidationError("--schedulers lists a scheduler twice") }
        let known = ["rr", "wrr", "lc", "wlc", "sed", "nq", "lblc", "lblcr", "dh", "sh", "mh", "fo", "ovf", "twos"]
        for name in names where !known.contains(name) {
            throw ValidationError("unknown scheduler \"\(name)\" (expected \(known.joined(separator: ", ")))")
        }
    }

    mutating func run() throws {
        let names = schedulers.split(separator: ",").map(String.init)
        try SimulationCLI.execute(command: "compare", options: options, schedulers: names, labels: names, recordTrace: nil)
    }
}

/// `lvssim validate SCENARIO…`.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check scenario files without running them: syntax, rules, and (with a network section) the hosts' LVS settings, each finding with its fix. Exit 65 when a file is unusable.")

    @Argument(help: "Scenario files.")
    var scenarios: [String]

    @Flag(help: "Exit 65 when a network finding is an error (misconfigured hosts), not only for unusable files.")
    var strict = false

    mutating func run() throws {
        var bad = false
        for path in scenarios {
            do {
                let scenario = try ScenarioLoader.load(path: path)
                // Network findings first: they explain a setup that may not even build.
                var findings: [NetworkFinding] = []
                if scenario.network != nil {
                    let topology = try NetworkTopology(scenario: scenario)
                    findings = NetworkLint.check(try NetworkLint.Input(scenario: scenario, topology: topology))
                    for finding in findings { writeOut("\(path): \(finding)\n") }
                    if strict && findings.contains(where: { $0.severity == .error }) { bad = true }
                }
                _ = try ClusterSimulation(scenario: scenario, replication: 0)
                let summary = findings.isEmpty ? "ok" : "runs, with \(findings.count) network finding\(findings.count == 1 ? "" : "s")"
                writeOut("\(path): \(summary) (\(scenario.level.rawValue) level, \(scenario.servers.count) servers, \(scenario.ipvsadm.count) ipvsadm lines, \(String(format: "%.1f", scenario.arrivals.meanRate)) conn/s)\n")
            } catch let error as SimulationSetupError {
                // Setup errors (rules, topology) do not carry the file: name it.
                printError("\(path): \(error)")
                bad = true
            } catch {
                printError("\(error)")
                bad = true
            }
        }
        if bad { throw ExitCode(65) }
    }
}

/// The human-readable tables of `run` and `compare`.
enum TextReport {
    static func fmt(_ value: Double, _ digits: Int = 3) -> String {
        value.isFinite ? String(format: "%.\(digits)f", value) : "-"
    }

    static func cell(_ e: Estimate, _ digits: Int = 3) -> String {
        guard let ci = e.ci95 else { return fmt(e.value, digits) }
        return "\(fmt(e.value, digits)) ±\(fmt((ci[1] - ci[0]) / 2, digits))"
    }

    static func pad(_ text: String, _ width: Int, left: Bool = false) -> String {
        let gap = max(0, width - text.count)
        return left ? text + String(repeating: " ", count: gap) : String(repeating: " ", count: gap) + text
    }

    static func render(scenario: Scenario, labels: [String], results: [SchedulerResult], compare: Bool, report: ExperimentReport) -> String {
        var text = "scenario \(scenario.name) (\(scenario.file)), seed \(scenario.seed), \(scenario.replications) replications"
        if let n = scenario.connections {
            text += ", \(n) measured connections each after \(scenario.warmupConnections) warm-up\n"
        } else {
            text += ", \(fmt(scenario.durationSeconds ?? 0, 1)) s measured after \(fmt(scenario.warmupSeconds, 1)) s warm-up\n"
        }
        text += "figures: mean ± half-width of the 95% Student-t CI over replications\n\n"
        let names = results.map(\.scheduler)
        let rows: [(String, String, Int)] = [
            ("response mean (ms)", "latency_mean_ms", 3), ("response p50 (ms)", "latency_p50_ms", 3),
            ("response p90 (ms)", "latency_p90_ms", 3), ("response p95 (ms)", "latency_p95_ms", 3),
            ("response p99 (ms)", "latency_p99_ms", 3), ("response p99.9 (ms)", "latency_p999_ms", 3),
            ("response max (ms)", "latency_max_ms", 1), ("throughput (conn/s)", "throughput_cps", 1),
            ("SYN drops", "syn_drops", 1), ("SYN retransmissions", "retries", 1), ("failed (timeout)", "failed", 1),
            ("refused (ICMP)", "refused", 1), ("Jain(utilization)", "jain_utilization", 4),
            ("Jain(share/weight)", "jain_weighted_share", 4), ("max/mean utilization", "max_over_mean_utilization", 4),
        ]
        let width = 26
        text += pad("", 22, left: true) + names.map { pad($0, width) }.joined() + "\n"
        for (label, key, digits) in rows {
            text += pad(label, 22, left: true) + results.map { pad(cell($0.estimate(key), digits), width) }.joined() + "\n"
        }
        for (index, result) in results.enumerated() {
            text += "\nservers under \(names[index]):\n"
            text += pad("real server", 18, left: true) + pad("weight", 7) + pad("share", 18) + pad("utilization", 18)
                + pad("mean active", 18) + pad("max active", 12) + pad("drops", 10) + "\n"
            for (i, server) in result.replications[0].servers.enumerated() {
                text += pad(server.address, 18, left: true) + pad(String(server.weight), 7)
                    + pad(cell(result.serverEstimate(i, "share"), 4), 18) + pad(cell(result.serverEstimate(i, "utilization"), 4), 18)
                    + pad(cell(result.serverEstimate(i, "mean_active"), 2), 18)
                    + pad(fmt(result.serverEstimate(i, "max_active").value, 1), 12)
                    + pad(fmt(result.serverEstimate(i, "syn_drops").value, 1), 10) + "\n"
            }
        }
        if compare, let pairs = report.comparisons {
            text += "\npairwise (a − b), Welch t-test over replication figures:\n"
            for pair in pairs {
                text += "  \(pair.a) − \(pair.b): mean \(cell(pair.mean_diff_ms)) ms (p = \(String(format: "%.3g", pair.mean_p_value)))"
                text += ", p99 \(cell(pair.p99_diff_ms)) ms (p = \(String(format: "%.3g", pair.p99_p_value)))\n"
            }
        }
        let events = results.reduce(0) { $0 + $1.events }
        let wall = results.first?.wallSeconds ?? 0
        text += "\n\(events) events in \(fmt(wall, 2)) s wall (\(fmt(Double(events) / max(wall, 1e-9) / 1e6, 2)) M events/s over all cores)\n"
        return text
    }
}
