import Testing
@testable import Schedulers

/// Real-kernel decisions (lvs-trace/1 recordings) replayed through the schedulers.
@Suite struct TraceTests {
    @Test(arguments: TraceReplay.availableTraces())
    func traceMatches(_ name: String) throws {
        let outcome = try TraceReplay.run(name)
        print("TRACE \(outcome)")
        #expect(outcome.failures.isEmpty, "\(outcome)")
        #expect(outcome.checked > 0)
    }
}
