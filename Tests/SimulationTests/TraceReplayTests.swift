import Foundation
import LVSModel
import Schedulers
import Simulation
import Testing

/// Replaying real-kernel traces: every decision must match the kernel's.
@Suite struct TraceReplayTests {
    static let tracesFolder: String = {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.deletingLastPathComponent().appendingPathComponent("shared/ipvs-traces/traces").path
    }()

    static let traceFiles: [String] = {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: tracesFolder)) ?? []
        return names.filter { $0.hasSuffix(".jsonl") }.sorted()
    }()

    @Test(.enabled(if: !traceFiles.isEmpty, "../shared/ipvs-traces/traces not found"), arguments: traceFiles)
    func everyKernelDecisionIsReproduced(file: String) throws {
        let records = try LVSTrace.read(path: Self.tracesFolder + "/" + file)
        let result = TraceReplayer().replay(records, file: file)
        #expect(result.decisions > 0)
        #expect(result.matched == result.decisions, "first mismatch: \(String(describing: result.firstMismatch))")
        #expect(result.orderMismatches == 0)
        #expect(result.exitMismatches == 0)
    }

    static let meta = #"{"op":"meta","format":"lvs-trace/1","source":"linux 6.1.0 ip_vs","scenario":"t"}"#
    static let rules = [
        #"{"op":"ipvsadm","t_ms":0,"args":["-A","-t","10.10.0.100:80","-s","rr"],"exit":0,"stderr":""}"#,
        #"{"op":"ipvsadm","t_ms":1,"args":["-a","-t","10.10.0.100:80","-r","10.30.0.1:80","-m"],"exit":0,"stderr":""}"#,
        #"{"op":"ipvsadm","t_ms":2,"args":["-a","-t","10.10.0.100:80","-r","10.30.0.2:80","-m"],"exit":0,"stderr":""}"#,
    ]

    static func connect(id: Int, chosen: String) -> String {
        #"{"op":"connect","id":\#(id),"t_ms":\#(10 + id),"proto":"tcp","client":"10.20.0.\#(id):10000","service":"10.10.0.100:80","before":[{"server":"10.30.0.2:80","weight":1,"active":0,"inactive":0,"persist":0},{"server":"10.30.0.1:80","weight":1,"active":0,"inactive":0,"persist":0}],"chosen":\#(chosen)}"#
    }

    @Test func handWrittenRoundRobinTraceMatchesAndAWrongChoiceIsReportedWithItsLine() throws {
        // rr over the kernel list .2, .1 from HEAD: .2, then .1.
        let good = ([Self.meta] + Self.rules + [Self.connect(id: 1, chosen: #""10.30.0.2:80""#), Self.connect(id: 2, chosen: #""10.30.0.1:80""#)]).joined(separator: "\n")
        let result = TraceReplayer().replay(try LVSTrace.parse(good, file: "good.jsonl"), file: "good.jsonl")
        #expect(result.decisions == 2 && result.matched == 2)
        let bad = ([Self.meta] + Self.rules + [Self.connect(id: 1, chosen: #""10.30.0.1:80""#)]).joined(separator: "\n")
        let wrong = TraceReplayer().replay(try LVSTrace.parse(bad, file: "bad.jsonl"), file: "bad.jsonl")
        #expect(wrong.matched == 0)
        #expect(wrong.firstMismatch == ReplayMismatch(line: 5, id: 1, expected: "10.30.0.1:80", got: "10.30.0.2:80"))
    }

    @Test func exitStatusAndListOrderDisagreementsAreCounted() throws {
        let lines = [Self.meta] + Self.rules + [
            // The kernel refused this duplicate add; a model that accepted it would disagree.
            #"{"op":"ipvsadm","t_ms":3,"args":["-a","-t","10.10.0.100:80","-r","10.30.0.2:80","-m"],"exit":0,"stderr":""}"#,
            // Recorded in sorted (ipvsadm -Ln) order instead of kernel order.
            #"{"op":"connect","id":1,"t_ms":20,"proto":"tcp","client":"10.20.0.1:10000","service":"10.10.0.100:80","before":[{"server":"10.30.0.1:80","weight":1,"active":0,"inactive":0,"persist":0},{"server":"10.30.0.2:80","weight":1,"active":0,"inactive":0,"persist":0}],"chosen":"10.30.0.2:80"}"#,
        ]
        let result = TraceReplayer().replay(try LVSTrace.parse(lines.joined(separator: "\n"), file: "t.jsonl"), file: "t.jsonl")
        #expect(result.exitMismatches == 1)
        #expect(result.orderMismatches == 1)
        #expect(!result.isClean)
    }

    @Test(arguments: [
        ("{\"op\":\"connect\"", 2, "malformed JSON"),
        ("{\"op\":\"bogus\",\"t_ms\":1}", 2, "unknown op \"bogus\""),
        ("{\"op\":\"ipvsadm\",\"t_ms\":\"x\",\"args\":[],\"exit\":0}", 2, "\"t_ms\" is not a number"),
        ("{\"op\":\"connect\",\"id\":1,\"t_ms\":1,\"proto\":\"tcp\",\"client\":\"10.20.0.1:99999\",\"service\":\"10.10.0.100:80\",\"before\":[],\"chosen\":null}", 2, "bad address \"10.20.0.1:99999\" in \"client\""),
        ("{\"op\":\"connect\",\"id\":1,\"t_ms\":1,\"proto\":\"tcp\",\"client\":\"10.20.0.1:1\",\"service\":\"10.10.0.100:80\",\"before\":[]}", 2, "missing \"chosen\""),
        ("[1,2]", 2, "expected a JSON object"),
    ])
    func corruptLinesAreRejectedWithFileAndLine(line: String, number: Int, problem: String) {
        let text = Self.meta + "\n" + line + "\n"
        #expect(throws: TraceError(file: "x.jsonl", line: number, problem: problem)) {
            _ = try LVSTrace.parse(text, file: "x.jsonl")
        }
    }

    @Test func aTraceOfAnotherFormatIsRejected() {
        let text = #"{"op":"meta","format":"lvs-trace/9","source":"x","scenario":"y"}"#
        #expect(throws: TraceError(file: "f", line: 1, problem: "unsupported format \"lvs-trace/9\" (expected lvs-trace/1)")) {
            _ = try LVSTrace.parse(text, file: "f")
        }
    }
}
