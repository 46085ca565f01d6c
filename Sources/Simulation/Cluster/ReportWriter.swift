import Foundation

/// lvssim's version, recorded in every result's metadata.
public enum LVSSimVersion {
    public static let current = "0.4.0"
}

/// Writes `--out DIR`: tidy CSV files (see `notebooks-data/README.md`) and `metadata.json`.
public enum ReportWriter {
    public static func write(
        directory: String, scenario: Scenario, scenarioText: String, labels: [String], results: [SchedulerResult],
        commandLine: [String]
    ) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        func path(_ name: String) -> String { (directory as NSString).appendingPathComponent(name) }

        var summary = "scheduler,scope,server,metric,value,ci95_low,ci95_high,replications\n"
        var replications = "scheduler,replication,scope,server,metric,value\n"
        var connections = "scheduler,replication,id,arrival_s,client,server,demand_ms,response_ms,attempts,outcome\n"
        var series = "scheduler,replication,t_s,server,active,inactive,in_system,busy_workers,bound_connections\n"
        for (label, result) in zip(labels, results) {
            let n = result.replications.count
            for (name, _) in Figures.run(result.replications[0]) {
                summary += row([label, "run", "", name] + estimateFields(result.estimate(name)) + [String(n)])
            }
            for (index, server) in result.replications[0].servers.enumerated() {
                for (name, _) in Figures.server(server) {
                    summary += row([label, "server", server.address, name] + estimateFields(result.serverEstimate(index, name)) + [String(n)])
                }
            }
            for replication in result.replications {
                for (name, value) in Figures.run(replication) {
                    replications += row([label, String(replication.replication), "run", "", name, number(value)])
                }
                for server in replication.servers {
                    for (name, value) in Figures.server(server) {
                        replications += row([label, String(replication.replication), "server", server.address, name, number(value)])
                    }
                }
                for sample in replication.samples {
                    connections += row([
                        label, String(replication.replication), String(sample.id), number(sample.arrivalSeconds), sample.client,
                        sample.server, number(sample.demandMs), number(sample.responseMs), String(sample.attempts), sample.outcome,
                    ])
                }
                for point in replication.series {
                    series += row([
                        label, String(replication.replication), number(point.timeSeconds), point.server, String(point.active),
                        String(point.inactive), String(point.inSystem), String(point.busyWorkers), String(point.completed),
                    ])
                }
            }
        }
        try summary.write(toFile: path("summary.csv"), atomically: true, encoding: .utf8)
        try replications.write(toFile: path("replications.csv"), atomically: true, encoding: .utf8)
        try connections.write(toFile: path("connections.csv"), atomically: true, encoding: .utf8)
        try series.write(toFile: path("timeseries.csv"), atomically: true, encoding: .utf8)

        struct Metadata: Encodable {
            var lvssim_version: String
            var gsl_version: String
            var scenario: String
            var scenario_file: String
            var scenario_yaml: String
            var seed: UInt64
            var replications: Int
            var schedulers: [String]
            var command_line: [String]
            var files: [String: String]
        }
        let metadata = Metadata(
            lvssim_version: LVSSimVersion.current, gsl_version: GSLLibrary.version, scenario: scenario.name,
            scenario_file: scenario.file, scenario_yaml: scenarioText, seed: scenario.seed,
            replications: results.first?.replications.count ?? 0, schedulers: labels, command_line: commandLine,
            files: [
                "summary.csv": "mean and 95% CI over replications of every figure (run-level and per server)",
                "replications.csv": "every figure of every replication",
                "connections.csv": "per-connection sample: sample_connections measured connections of replication 0, a uniform (reservoir) sample over the whole run, in connection order",
                "timeseries.csv": "per-server director counters and server occupancy, sampled at series_interval_s (replication 0)",
            ])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        try encoder.encode(metadata).write(to: URL(fileURLWithPath: path("metadata.json")))
    }

    static func estimateFields(_ estimate: Estimate) -> [String] {
        [number(estimate.value), estimate.ci95.map { number($0[0]) } ?? "", estimate.ci95.map { number($0[1]) } ?? ""]
    }

    static func number(_ value: Double) -> String {
        value.isFinite ? String(value) : ""
    }

    static func row(_ fields: [String]) -> String {
        fields.map { field in
            field.contains(",") || field.contains("\"") ? "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : field
        }.joined(separator: ",") + "\n"
    }
}
