import Foundation

/// A figure's mean over replications with its 95% Student-t confidence interval.
public struct Estimate: Encodable, Sendable, Equatable {
    public var value: Double
    /// nil with fewer than two replications (or a non-finite figure).
    public var ci95: [Double]?

    public init(_ samples: [Double]) {
        let finite = samples.filter(\.isFinite)
        guard !finite.isEmpty else {
            value = .nan
            ci95 = nil
            return
        }
        value = finite.reduce(0, +) / Double(finite.count)
        if finite.count >= 2, let interval = try? ConfidenceInterval(replicationMeans: finite), interval.halfWidth.isFinite {
            value = interval.mean
            ci95 = [interval.lower, interval.upper]
        } else {
            ci95 = nil
        }
    }

    public func encode(to encoder: Encoder) throws {
        enum Keys: String, CodingKey { case value, ci95 }
        var container = encoder.container(keyedBy: Keys.self)
        try container.encode(value.isFinite ? value : 0, forKey: .value)
        if let ci95 { try container.encode(ci95, forKey: .ci95) } else { try container.encodeNil(forKey: .ci95) }
    }
}

/// The named figures of one replication, in a fixed order (JSON, CSV and CIs share it).
public enum Figures {
    public static func run(_ r: ReplicationResult) -> [(String, Double)] {
        let q = r.latencyQuantilesMs
        return [
            ("latency_mean_ms", r.latencyMs.count > 0 ? r.latencyMs.mean : .nan),
            ("latency_p50_ms", q[0]), ("latency_p90_ms", q[1]), ("latency_p95_ms", q[2]), ("latency_p99_ms", q[3]),
            ("latency_p999_ms", q[4]), ("latency_max_ms", r.latencyMs.count > 0 ? r.latencyMs.max : .nan),
            ("throughput_cps", r.throughput),
            ("measured", Double(r.measured)), ("completed", Double(r.measuredCompleted)), ("failed", Double(r.measuredFailed)),
            ("refused", Double(r.measuredRefused)), ("syn_drops", Double(r.synDrops)), ("retries", Double(r.retries)),
            ("jain_utilization", r.jainUtilization), ("jain_weighted_share", r.jainWeightedShare),
            ("max_over_mean_utilization", r.maxOverMeanUtilization),
            ("window_s", r.windowSeconds), ("simulated_s", r.simulatedSeconds), ("events", Double(r.events)),
        ]
    }

    public static func server(_ s: ServerResult) -> [(String, Double)] {
        [
            ("share", s.share), ("connections", Double(s.connections)), ("utilization", s.utilization),
            ("mean_active", s.meanActive), ("max_active", Double(s.maxActive)), ("mean_inactive", s.meanInactive),
            ("mean_in_system", s.meanInSystem), ("departure_rate_cps", s.departureRate),
            ("mean_sojourn_ms", s.meanSojournSeconds * 1e3), ("syn_drops", Double(s.synDrops)),
        ]
    }
}

/// All replications of one scheduler on one scenario.
public struct SchedulerResult: Sendable {
    public var scheduler: String
    public var replications: [ReplicationResult]
    /// Wall-clock seconds of the batch that ran these replications.
    public var wallSeconds: Double

    public func estimate(_ name: String) -> Estimate {
        Estimate(replications.map { r in Figures.run(r).first { $0.0 == name }!.1 })
    }

    public func values(_ name: String) -> [Double] {
        replications.map { r in Figures.run(r).first { $0.0 == name }!.1 }
    }

    public func serverEstimate(_ index: Int, _ name: String) -> Estimate {
        Estimate(replications.map { r in Figures.server(r.servers[index]).first { $0.0 == name }!.1 })
    }

    public var events: Int { replications.reduce(0) { $0 + $1.events } }
}

/// Runs replications of scenarios, concurrently over all cores, combined in
/// replication order (so results do not depend on thread timing).
public enum Experiment {
    /// Runs `replications` replications of `scenario` under each scheduler in
    /// `schedulers` (nil: the scenario's own rules). Replication i uses the same
    /// seeds under every scheduler (common random numbers).
    public static func run(
        scenario: Scenario, schedulers: [String?], replications: Int, collectDetails: Bool = false,
        recorder: TraceRecorder? = nil, progress: (@Sendable (Int, Double) -> Void)? = nil
    ) throws(SimulationSetupError) -> [SchedulerResult] {
        let variants = schedulers.map { name in name.map { scenario.withScheduler($0) } ?? scenario }
        // Fail fast on setup problems (bad rules) before going parallel: with several
        // variants, one could fail while the others run to the end. With one, a setup
        // problem fails every task at once, before anything runs, so the check would only
        // build a simulation (its Zipf table, ~10 ms for 60,000 clients) for nothing.
        if variants.count > 1 {
            for variant in variants { _ = try ClusterSimulation(scenario: variant, replication: 0) }
        }
        let tasks = variants.count * replications
        // The error reported is that of the first failing task, whatever the order the
        // threads finish in.
        final class Box: @unchecked Sendable {
            var results: [ReplicationResult?]
            var failures: [SimulationSetupError?]
            let lock = NSLock()
            init(_ count: Int) {
                results = Array(repeating: nil, count: count)
                failures = Array(repeating: nil, count: count)
            }
        }
        let box = Box(tasks)
        let unsafeRecorder = UnsafeSendable(recorder)
        let start = DispatchTime.now().uptimeNanoseconds
        DispatchQueue.concurrentPerform(iterations: tasks) { task in
            let variant = variants[task / replications]
            let replication = task % replications
            let options = RunOptions(
                collectDetails: collectDetails && replication == 0,
                progress: progress.map { report in { @Sendable fraction in report(task, fraction) } })
            do {
                var simulation = try ClusterSimulation(
                    scenario: variant, replication: replication, options: options,
                    recorder: task == 0 ? unsafeRecorder.value : nil)
                let result = simulation.run()
                progress?(task, 1)
                box.lock.lock()
                box.results[task] = result
                box.lock.unlock()
            } catch {
                box.lock.lock()
                box.failures[task] = (error as? SimulationSetupError) ?? SimulationSetupError("\(error)")
                box.lock.unlock()
            }
        }
        let wall = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if let failure = box.failures.lazy.compactMap({ $0 }).first { throw failure }
        return variants.indices.map { v in
            let reps = (0..<replications).map { box.results[v * replications + $0]! }
            return SchedulerResult(scheduler: reps[0].scheduler, replications: reps, wallSeconds: wall)
        }
    }
}

struct UnsafeSendable<T>: @unchecked Sendable {
    let value: T
    init(_ value: T) { self.value = value }
}

// MARK: - JSON documents

/// `lvssim run --json` / one entry of `compare --json`.
public struct RunReport: Encodable, Sendable {
    public struct Latency: Encodable, Sendable {
        public var mean, p50, p90, p95, p99, p999, max: Estimate
    }
    public struct Fairness: Encodable, Sendable {
        public var jain: Estimate
        public var jain_weighted_share: Estimate
        public var max_over_mean_utilization: Estimate
    }
    public struct Server: Encodable, Sendable {
        public var address: String
        public var weight: Int32
        public var workers: Int
        public var speed: Double
        public var share: Estimate
        public var connections: Estimate
        public var utilization: Estimate
        public var mean_active: Estimate
        public var max_active: Estimate
        public var mean_inactive: Estimate
        public var mean_in_system: Estimate
        public var departure_rate_cps: Estimate
        public var mean_sojourn_ms: Estimate
        public var syn_drops: Estimate
    }
    public var scheduler: String
    public var replications: Int
    public var latency_ms: Latency
    public var throughput_cps: Estimate
    public var measured: Estimate
    public var completed: Estimate
    public var failed: Estimate
    public var refused: Estimate
    public var syn_drops: Estimate
    public var retries: Estimate
    public var fairness: Fairness
    public var servers: [Server]
    public var window_s: Estimate
    public var events: Int
    /// Omitted by `--deterministic` (the only figure that varies between identical runs).
    public var wall_s: Double?
    public var events_per_s: Double?

    public init(_ result: SchedulerResult, includeTiming: Bool) {
        scheduler = result.scheduler
        replications = result.replications.count
        latency_ms = Latency(
            mean: result.estimate("latency_mean_ms"), p50: result.estimate("latency_p50_ms"),
            p90: result.estimate("latency_p90_ms"), p95: result.estimate("latency_p95_ms"),
            p99: result.estimate("latency_p99_ms"), p999: result.estimate("latency_p999_ms"),
            max: result.estimate("latency_max_ms"))
        throughput_cps = result.estimate("throughput_cps")
        measured = result.estimate("measured")
        completed = result.estimate("completed")
        failed = result.estimate("failed")
        refused = result.estimate("refused")
        syn_drops = result.estimate("syn_drops")
        retries = result.estimate("retries")
        fairness = Fairness(
            jain: result.estimate("jain_utilization"), jain_weighted_share: result.estimate("jain_weighted_share"),
            max_over_mean_utilization: result.estimate("max_over_mean_utilization"))
        let first = result.replications[0]
        servers = first.servers.indices.map { i in
            let s = first.servers[i]
            return Server(
                address: s.address, weight: s.weight, workers: s.workers, speed: s.speed,
                share: result.serverEstimate(i, "share"), connections: result.serverEstimate(i, "connections"),
                utilization: result.serverEstimate(i, "utilization"), mean_active: result.serverEstimate(i, "mean_active"),
                max_active: result.serverEstimate(i, "max_active"), mean_inactive: result.serverEstimate(i, "mean_inactive"),
                mean_in_system: result.serverEstimate(i, "mean_in_system"),
                departure_rate_cps: result.serverEstimate(i, "departure_rate_cps"),
                mean_sojourn_ms: result.serverEstimate(i, "mean_sojourn_ms"), syn_drops: result.serverEstimate(i, "syn_drops"))
        }
        window_s = result.estimate("window_s")
        events = result.events
        if includeTiming {
            wall_s = result.wallSeconds
            events_per_s = result.wallSeconds > 0 ? Double(result.events) / result.wallSeconds : nil
        }
    }
}

/// One pair of schedulers in `compare`: differences of replication means, Welch tests.
public struct PairComparison: Encodable, Sendable {
    public var a: String
    public var b: String
    /// mean(a) − mean(b) of the mean response time, ms, with a Welch 95% CI.
    public var mean_diff_ms: Estimate
    public var mean_p_value: Double
    public var p99_diff_ms: Estimate
    public var p99_p_value: Double

    public init(_ first: SchedulerResult, _ second: SchedulerResult, label a: String, _ b: String) {
        self.a = a
        self.b = b
        (mean_diff_ms, mean_p_value) = PairComparison.welch(first.values("latency_mean_ms"), second.values("latency_mean_ms"))
        (p99_diff_ms, p99_p_value) = PairComparison.welch(first.values("latency_p99_ms"), second.values("latency_p99_ms"))
    }

    static func welch(_ x: [Double], _ y: [Double]) -> (Estimate, Double) {
        let mx = x.reduce(0, +) / Double(max(1, x.count)), my = y.reduce(0, +) / Double(max(1, y.count))
        var estimate = Estimate([mx - my])
        guard let test = try? WelchTTest(x, y) else { return (estimate, .nan) }
        if test.t.isFinite && test.t != 0 {
            let se = test.meanDifference / test.t
            let t = ConfidenceInterval.studentTQuantile(0.975, degreesOfFreedom: test.degreesOfFreedom)
            estimate.ci95 = [test.meanDifference - t * abs(se), test.meanDifference + t * abs(se)]
        } else {
            estimate.ci95 = [test.meanDifference, test.meanDifference]
        }
        return (estimate, test.pValue)
    }

    public func encode(to encoder: Encoder) throws {
        enum Keys: String, CodingKey { case a, b, mean_diff_ms, mean_p_value, p99_diff_ms, p99_p_value }
        var c = encoder.container(keyedBy: Keys.self)
        try c.encode(a, forKey: .a)
        try c.encode(b, forKey: .b)
        try c.encode(mean_diff_ms, forKey: .mean_diff_ms)
        try c.encode(mean_p_value.isFinite ? mean_p_value : 1, forKey: .mean_p_value)
        try c.encode(p99_diff_ms, forKey: .p99_diff_ms)
        try c.encode(p99_p_value.isFinite ? p99_p_value : 1, forKey: .p99_p_value)
    }
}

/// The JSON document of `lvssim run` (one scheduler) or `lvssim compare`.
public struct ExperimentReport: Encodable, Sendable {
    public var version: String
    public var scenario: String
    public var file: String
    public var seed: UInt64
    public var replications: Int
    public var gsl_version: String
    public var run: RunReport?
    public var schedulers: [String: RunReport]?
    public var order: [String]?
    public var comparisons: [PairComparison]?
    public var wall_s: Double?

    public init(
        version: String, scenario: Scenario, results: [SchedulerResult], labels: [String], compare: Bool, includeTiming: Bool
    ) {
        self.version = version
        self.scenario = scenario.name
        self.file = scenario.file
        seed = scenario.seed
        replications = results.first?.replications.count ?? 0
        gsl_version = GSLLibrary.version
        if compare {
            var map: [String: RunReport] = [:]
            for (label, result) in zip(labels, results) { map[label] = RunReport(result, includeTiming: includeTiming) }
            schedulers = map
            order = labels
            var pairs: [PairComparison] = []
            for i in results.indices {
                for j in results.indices where j > i {
                    pairs.append(PairComparison(results[i], results[j], label: labels[i], labels[j]))
                }
            }
            comparisons = pairs
            if includeTiming { wall_s = results.first?.wallSeconds }
        } else {
            run = results.first.map { RunReport($0, includeTiming: includeTiming) }
        }
    }

    /// Sorted keys, no escaped slashes: byte-identical for identical inputs.
    public func json() -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(self)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self)
    }
}
