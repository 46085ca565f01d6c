import Foundation
import LVSModel
import Testing

/// Replays every recorded real-ipvsadm invocation through ``IPVSAdm/run``.
@Suite("Golden recordings of real ipvsadm 1.31")
struct GoldenTests {
    enum Outcome: Equatable {
        case exact
        case layoutOnly
        case failed(String)
    }

    static let goldens = GoldenSupport.loadAll()

    /// Output whose numbers depend on live traffic: compared by layout.
    static func isTrafficDependent(_ golden: GoldenSupport.Golden) -> Bool {
        guard !golden.traffic.isEmpty else { return false }
        let joined = golden.args.joined(separator: " ")
        return joined.contains("--stats") || joined.contains("--rate") || isConnectionListing(golden.args)
    }

    static func isConnectionListing(_ args: [String]) -> Bool {
        args.contains { $0 == "--connection" || (!$0.hasPrefix("--") && $0.hasPrefix("-") && $0.contains("c")) }
    }

    static func evaluate(_ golden: GoldenSupport.Golden) -> Outcome {
        let resolver = GoldenSupport.guestResolver
        var table = IPVSTable()
        for (index, step) in golden.setup.enumerated() {
            var stdin: String?
            if step.args == ["-R"] {
                stdin = GoldenSupport.stdinForSetupRestore(at: index, of: golden, in: goldens)
                // An unrecorded failing restore input: its failure left the table as is.
                if stdin == nil && step.exit != 0 { continue }
            }
            let result = IPVSAdm.run(step.args, table: &table, stdin: stdin, resolver: resolver)
            if (result.exitCode == 0) != (step.exit == 0) || result.stderr != step.stderr {
                return .failed("setup \(step.args) gave exit \(result.exitCode) \(result.stderr.debugDescription), recorded \(step.exit) \(step.stderr.debugDescription)")
            }
        }
        let connections = GoldenSupport.inject(golden.traffic, into: &table, timeouts: table.timeouts)
        let result = IPVSAdm.run(golden.args, table: &table, connections: connections, stdin: golden.stdin, resolver: resolver)
        if result.exitCode != golden.exit || result.stderr != golden.stderr {
            return .failed("exit \(result.exitCode) \(result.stderr.debugDescription), recorded \(golden.exit) \(golden.stderr.debugDescription)")
        }
        if result.stdout == golden.stdout { return .exact }
        if isTrafficDependent(golden) {
            if sameLayout(result.stdout, golden.stdout, connectionListing: isConnectionListing(golden.args)) {
                return .layoutOnly
            }
        }
        return .failed("stdout differs:\n--- got\n\(result.stdout)--- recorded\n\(golden.stdout)")
    }

    /// Same lines, headers and address columns; counters and expiry ignored.
    static func sameLayout(_ got: String, _ recorded: String, connectionListing: Bool) -> Bool {
        let a = got.split(separator: "\n", omittingEmptySubsequences: false)
        let b = recorded.split(separator: "\n", omittingEmptySubsequences: false)
        guard a.count == b.count else { return false }
        if connectionListing {
            func rows(_ lines: [Substring]) -> [String] {
                lines.dropFirst(2).map { line in
                    let chars = Array(line)
                    return chars.count > 11 ? String(chars[0..<4]) + String(chars[11...]) : String(line)
                }.sorted()
            }
            return a.prefix(2) == b.prefix(2) && rows(a) == rows(b)
        }
        return zip(a, b).allSatisfy { lineA, lineB in
            lineA.count == lineB.count && lineA.prefix(33) == lineB.prefix(33)
                && (lineA.hasPrefix("Prot") || lineA.hasPrefix("IP ") || lineA.hasPrefix("  -> Remote") ? lineA == lineB : true)
        }
    }

    @Test("every golden invocation reproduces the recorded exit status, stderr and stdout",
          arguments: GoldenTests.goldens.map(\.name))
    func goldenReproduces(_ name: String) throws {
        let golden = try #require(Self.goldens.first { $0.name == name })
        let outcome = Self.evaluate(golden)
        if case .failed(let reason) = outcome {
            Issue.record("\(name): \(reason)")
        }
    }

    @Test("goldens are present and the summary of exact and layout-only matches is reported")
    func summary() {
        if Self.goldens.isEmpty {
            print("golden recordings not found at \(GoldenSupport.goldensDirectory.path); skipping")
            return
        }
        var exact: [String] = []
        var layout: [String] = []
        var failed: [String] = []
        for golden in Self.goldens {
            switch Self.evaluate(golden) {
            case .exact: exact.append(golden.name)
            case .layoutOnly: layout.append(golden.name)
            case .failed: failed.append(golden.name)
            }
        }
        print("GOLDEN SUMMARY: \(exact.count) byte-exact, \(layout.count) layout-only (\(layout.joined(separator: ", "))), \(failed.count) failed (\(failed.joined(separator: ", ")))")
        #expect(Self.goldens.count >= 100)
        #expect(failed.isEmpty)
    }
}
