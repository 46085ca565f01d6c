import Foundation
import Testing

@testable import lvssim

/// `lvssim ipvsadm`: a guide's commands typed one after another against a
/// persisted table, and the state file's failure modes.
@Suite struct IPVSAdmCommandTests {
    /// A fresh state path in a fresh folder.
    static func statePath() -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lvssim-test-\(UUID().uuidString)")
        return folder.appendingPathComponent("director.json").path
    }

    static func run(_ arguments: [String], state: String, stdin: String? = nil, environment: [String: String] = [:])
        -> IPVSAdmCommand.Output
    {
        IPVSAdmCommand.execute(["--state", state] + arguments, environment: environment, stdin: stdin)
    }

    @Test func tableSurvivesBetweenInvocations() {
        let state = Self.statePath()
        #expect(Self.run(["-A", "-t", "202.99.59.110:80", "-s", "rr"], state: state).exitCode == 0)
        #expect(Self.run(["-a", "-t", "202.99.59.110:80", "-r", "192.168.10.1:80", "-m", "-w", "1"], state: state).exitCode == 0)
        #expect(Self.run(["-a", "-t", "202.99.59.110:80", "-r", "192.168.10.2:80", "-m", "-w", "2"], state: state).exitCode == 0)
        let listing = Self.run(["-Ln"], state: state)
        // Layout of ipvsadm 1.31 (columns 28/7/6/10/10, trailing spaces kept), servers sorted by address.
        #expect(
            listing.stdout == """
                IP Virtual Server version 1.2.1 (size=4096)
                Prot LocalAddress:Port Scheduler Flags
                  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn
                TCP  202.99.59.110:80 rr
                  -> 192.168.10.1:80              Masq    1      0          0         
                  -> 192.168.10.2:80              Masq    2      0          0         

                """)
        #expect(listing.exitCode == 0)
    }

    @Test func failedCommandLeavesTheStoredTableAlone() throws {
        let state = Self.statePath()
        #expect(Self.run(["-A", "-t", "10.0.0.1:80", "-s", "wlc"], state: state).exitCode == 0)
        let before = try String(contentsOfFile: state, encoding: .utf8)
        let duplicate = Self.run(["-A", "-t", "10.0.0.1:80", "-s", "rr"], state: state)
        #expect(duplicate.exitCode == 255)
        #expect(duplicate.stderr == "Service already exists\n")
        #expect(try String(contentsOfFile: state, encoding: .utf8) == before)
    }

    @Test func restoreThenSaveRoundTripsTheExampleRules() throws {
        let rules = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("Scenarios/example-director.rules"), encoding: .utf8)
        let state = Self.statePath()
        #expect(Self.run(["-R"], state: state, stdin: rules).exitCode == 0)
        let saved = Self.run(["-Sn"], state: state)
        // -S sorts services and servers by address: 172.16.254.200 before 202.99.59.110.
        #expect(
            saved.stdout == """
                -A -t 172.16.254.200:80 -s wrr
                -a -t 172.16.254.200:80 -r 192.168.0.18:80 -g -w 3
                -a -t 172.16.254.200:80 -r 192.168.0.28:80 -g -w 1
                -A -t 202.99.59.110:80 -s rr
                -a -t 202.99.59.110:80 -r 192.168.10.1:80 -m -w 1
                -a -t 202.99.59.110:80 -r 192.168.10.2:80 -m -w 1
                -a -t 202.99.59.110:80 -r 192.168.10.3:80 -m -w 1

                """)
        // Restoring the saved form into a fresh director gives the same save.
        let other = Self.statePath()
        #expect(Self.run(["-R"], state: other, stdin: saved.stdout).exitCode == 0)
        #expect(Self.run(["-Sn"], state: other).stdout == saved.stdout)
    }

    @Test func corruptStateFileIsReportedWithItsPathAndNeverCrashes() throws {
        let state = Self.statePath()
        try FileManager.default.createDirectory(
            atPath: (state as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        for garbage in ["{not json", "{\"format\":\"lvssim-director-state\",\"version\":1,\"table\":{\"services\":7}}", ""] {
            try garbage.write(toFile: state, atomically: true, encoding: .utf8)
            let output = Self.run(["-Ln"], state: state)
            #expect(output.exitCode == 65)
            #expect(output.stderr.hasPrefix("lvssim ipvsadm: \(state): corrupt state file"))
            #expect(output.stderr.filter { $0 == "\n" }.count == 1)
        }
    }

    @Test func writesLeaveNoTemporaryFilesBehind() throws {
        let state = Self.statePath()
        #expect(Self.run(["-A", "-u", "10.0.0.1:53", "-s", "rr"], state: state).exitCode == 0)
        let folder = (state as NSString).deletingLastPathComponent
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["director.json"])
    }

    @Test func stateLocationComesFromOptionThenEnvironmentThenXDG() {
        #expect(StateFile.resolvePath(explicit: "/a", environment: ["LVSSIM_STATE": "/b"]) == "/a")
        #expect(StateFile.resolvePath(explicit: nil, environment: ["LVSSIM_STATE": "/b", "HOME": "/h"]) == "/b")
        #expect(StateFile.resolvePath(explicit: nil, environment: ["XDG_STATE_HOME": "/x", "HOME": "/h"]) == "/x/lvssim/director.json")
        #expect(StateFile.resolvePath(explicit: nil, environment: ["HOME": "/h"]) == "/h/.local/state/lvssim/director.json")
    }

    @Test func twosExistsOnlyWhenEmulatingALaterKernel() {
        let state = Self.statePath()
        let refused = Self.run(["-A", "-t", "10.0.0.1:80", "-s", "twos"], state: state)
        #expect(refused.exitCode == 255)
        #expect(refused.stderr == "Scheduler or persistence engine not found\n")
        #expect(Self.run(["--kernel", "6.12", "-A", "-t", "10.0.0.1:80", "-s", "twos"], state: state).exitCode == 0)
        #expect(Self.run(["-A", "-t", "10.0.0.2:80", "-s", "twos"], state: state, environment: ["LVSSIM_KERNEL": "6.12"]).exitCode == 0)
        let bad = Self.run(["--kernel", "5.4", "-Ln"], state: state)
        #expect(bad.exitCode == 64)
        #expect(bad.stderr == "lvssim ipvsadm: unknown --kernel \"5.4\" (expected 6.1 or 6.12)\n")
    }

    @Test func helpAndVersionPassThroughToIPVSAdm() {
        let state = Self.statePath()
        let version = Self.run(["--version"], state: state)
        #expect(version.stdout == "ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\n")
        let help = Self.run(["-h"], state: state)
        #expect(help.exitCode == 0)
        #expect(help.stdout.hasPrefix("ipvsadm v1.31 2019/12/24 (compiled with popt and IPVS v1.2.1)\nUsage:\n"))
    }
}

@Suite struct ReplayCommandTests {
    static let traces = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("shared/ipvs-traces/traces").path

    @Test(.enabled(if: FileManager.default.fileExists(atPath: traces)))
    func jsonSummaryHasTheDocumentedShape() throws {
        let output = ReplayCommand.execute(paths: [Self.traces + "/rr-equal.jsonl"], json: true)
        #expect(output.exitCode == 0)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any])
        let files = try #require(object["files"] as? [[String: Any]])
        #expect(files.count == 1)
        let file = files[0]
        #expect(file["scheduler"] as? String == "rr")
        #expect(file["decisions"] as? Int == 150)
        #expect(file["matched"] as? Int == 150)
        #expect(file["order_mismatches"] as? Int == 0)
        #expect(file["exit_mismatches"] as? Int == 0)
        #expect(file["first_mismatch"] is NSNull)
        #expect(object["decisions"] as? Int == 150 && object["matched"] as? Int == 150)
    }

    @Test func missingPathAndCorruptTraceFailWithOneLine() throws {
        let missing = ReplayCommand.execute(paths: ["/nonexistent/trace.jsonl"], json: false)
        #expect(missing.exitCode == 66)
        #expect(missing.stderr == "lvssim replay: /nonexistent/trace.jsonl: no such file or folder\n")
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("bad-\(UUID().uuidString).jsonl").path
        try "{\"op\":\"meta\",\"format\":\"lvs-trace/1\",\"source\":\"s\",\"scenario\":\"x\"}\n{oops\n".write(
            toFile: path, atomically: true, encoding: .utf8)
        let corrupt = ReplayCommand.execute(paths: [path], json: false)
        #expect(corrupt.exitCode == 65)
        #expect(corrupt.stderr == "lvssim replay: \(path):2: malformed JSON\n")
    }
}
