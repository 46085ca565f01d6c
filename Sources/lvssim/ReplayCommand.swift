import ArgumentParser
import Foundation
import Schedulers
import Simulation

/// `lvssim replay PATH…`: replays real-kernel decision traces.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Replay lvs-trace/1 decision traces against lvssim's schedulers.",
        discussion: """
            Each file is replayed from an empty director: its ipvsadm lines must succeed or fail \
            as they did on the kernel, and every connect line must get the server the kernel \
            chose, given the same counters (twos: a server twos could choose). A folder means \
            every *.jsonl file in it. Exit status 0 only when everything matched.

            Examples:
              lvssim replay ../shared/ipvs-traces/traces
              lvssim replay --json wlc-equal.jsonl
            """
    )

    @Argument(help: "Trace files or folders of *.jsonl traces.")
    var paths: [String]

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    mutating func run() throws {
        let output = Self.execute(paths: paths, json: json)
        writeOut(output.stdout)
        if !output.stderr.isEmpty { FileHandle.standardError.write(Data(output.stderr.utf8)) }
        if output.exitCode != 0 { throw ExitCode(output.exitCode) }
    }

    /// Replays the traces in-process and returns what the command prints.
    static func execute(paths: [String], json: Bool, replayer: TraceReplayer = TraceReplayer()) -> IPVSAdmCommand.Output {
        var output = IPVSAdmCommand.Output()
        var files: [String] = []
        for path in paths {
            var isFolder: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
                output.stderr = "lvssim replay: \(path): no such file or folder\n"
                output.exitCode = 66
                return output
            }
            if isFolder.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                let traces = names.filter { $0.hasSuffix(".jsonl") }.sorted()
                if traces.isEmpty {
                    output.stderr = "lvssim replay: \(path): no *.jsonl traces in the folder\n"
                    output.exitCode = 66
                    return output
                }
                files += traces.map { (path as NSString).appendingPathComponent($0) }
            } else {
                files.append(path)
            }
        }
        var results: [ReplayFileResult] = []
        for file in files {
            do {
                results.append(replayer.replay(try LVSTrace.read(path: file), file: file))
            } catch {
                output.stderr = "lvssim replay: \(error)\n"
                output.exitCode = 65
                return output
            }
        }
        let decisions = results.reduce(0) { $0 + $1.decisions }
        let matched = results.reduce(0) { $0 + $1.matched }
        if json {
            struct Summary: Encodable {
                var files: [ReplayFileResult]
                var decisions: Int
                var matched: Int
            }
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
            let data = (try? encoder.encode(Summary(files: results, decisions: decisions, matched: matched))) ?? Data()
            output.stdout = String(decoding: data, as: UTF8.self) + "\n"
        } else {
            output.stdout = table(results, decisions: decisions, matched: matched)
        }
        output.exitCode = results.allSatisfy(\.isClean) ? 0 : 1
        return output
    }

    static func table(_ results: [ReplayFileResult], decisions: Int, matched: Int) -> String {
        var text = ""
        let width = max(20, results.map { ($0.file as NSString).lastPathComponent.count }.max() ?? 0)
        text += "trace".padding(toLength: width, withPad: " ", startingAt: 0)
            + "  sched  decisions  matched  skipped  order-mm  exit-mm\n"
        for result in results {
            let name = (result.file as NSString).lastPathComponent
            text += name.padding(toLength: width, withPad: " ", startingAt: 0) + "  "
            text += result.scheduler.padding(toLength: 5, withPad: " ", startingAt: 0)
            text += pad(result.decisions, 11) + pad(result.matched, 9) + pad(result.skipped, 9)
            text += pad(result.orderMismatches, 10) + pad(result.exitMismatches, 9) + "\n"
            if let mismatch = result.firstMismatch {
                text += "    first divergence: line \(mismatch.line) (connection \(mismatch.id)): expected "
                text += "\(mismatch.expected ?? "none"), chose \(mismatch.got ?? "none")\n"
            }
            if let line = result.firstOrderMismatchLine { text += "    first list order/weight mismatch: line \(line)\n" }
            if let line = result.firstExitMismatchLine { text += "    first ipvsadm exit-status mismatch: line \(line)\n" }
        }
        let percent = decisions == 0 ? 100.0 : Double(matched) * 100 / Double(decisions)
        text += "total: \(matched)/\(decisions) decisions matched (\(String(format: "%.2f", percent))%) in \(results.count) files\n"
        return text
    }

    static func pad(_ value: Int, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: " ", count: max(0, width - text.count)) + text
    }
}
