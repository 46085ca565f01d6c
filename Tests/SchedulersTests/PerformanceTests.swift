import Foundation
import LVSModel
import Testing
@testable import Schedulers

#if canImport(Glibc)
import Glibc
#endif

/// ns/decision for 4/64/1024 servers per kind. Opt-in (`LVSSIM_PERF=1`), best
/// run with `swift test -c release -Xswiftc -enable-testing --filter PerformanceTests`.
/// When the process is started with the malloc-counting shim
/// (`Scripts/malloccount.so` via LD_PRELOAD) it also reports allocations per decision.
@Suite(.serialized, .enabled(if: ProcessInfo.processInfo.environment["LVSSIM_PERF"] == "1"))
struct PerformanceTests {
    typealias Counter = @convention(c) () -> UInt64

    static func mallocCount() -> UInt64? {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "lvssim_malloc_count") else { return nil }
        return unsafeBitCast(symbol, to: Counter.self)()
        #else
        return nil
        #endif
    }

    static func service(_ kind: SchedulerKind, servers: Int) -> VirtualService {
        var service = VirtualService(key: Fixture.key, scheduler: kind.name)
        for i in 0..<servers {
            var server = RealServer(address: .v4(0x0A1E_0000 | UInt32(i + 1)), port: 80, weight: Int32(1 + i % 5))
            server.activeConnections = Int32((i * 7919) % 50)
            server.inactiveConnections = Int32((i * 104_729) % 30)
            service.servers.insert(server, at: 0)
        }
        return service
    }

    @Test(arguments: [4, 64, 1024])
    func nanosecondsPerDecision(_ count: Int) {
        let decisions = 200_000
        var lines: [String] = []
        for kind in SchedulerKind.allCases {
            let service = Self.service(kind, servers: count)
            var scheduler = KernelScheduler(kind: kind, service: service)
            var random = SplitMix64RandomSource(seed: 42)
            // Warm up (lblc/lblcr create their entries for the 256 destinations used).
            var flow = FlowKey(proto: .tcp, source: Endpoint(address: .v4(0x0A14_0000), port: 1), destination: Fixture.vip)
            for i in 0..<1024 {
                flow.destination.address = .v4(0x0A0B_0000 | UInt32(i & 0xFF))
                _ = scheduler.select(flow: flow, service: service, nowNanoseconds: 0, random: &random)
            }
            var checksum = 0
            let mallocsBefore = Self.mallocCount()
            let start = ContinuousClock.now
            for i in 0..<decisions {
                flow.source.address = .v4(0x0A14_0000 &+ UInt32(truncatingIfNeeded: i &* 2_654_435_761))
                flow.source.port = UInt16(truncatingIfNeeded: i)
                flow.destination.address = .v4(0x0A0B_0000 | UInt32(i & 0xFF))
                checksum &+= scheduler.select(flow: flow, service: service, nowNanoseconds: Int64(i), random: &random) ?? -1
            }
            let elapsed = ContinuousClock.now - start
            let mallocsAfter = Self.mallocCount()
            let nanoseconds = Double(elapsed.components.seconds) * 1e9 + Double(elapsed.components.attoseconds) / 1e9
            var line = "PERF \(kind.name) servers=\(count): \(String(format: "%.1f", nanoseconds / Double(decisions))) ns/decision"
            if let before = mallocsBefore, let after = mallocsAfter {
                line += String(format: ", %.4f mallocs/decision", Double(after - before) / Double(decisions))
            }
            lines.append(line + " (checksum \(checksum))")
        }
        print(lines.joined(separator: "\n"))
    }
}
