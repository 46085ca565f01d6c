import LVSModel
import Testing
@testable import Schedulers

/// Rules every kernel scheduler obeys, checked over all fourteen kinds.
@Suite struct ContractTests {
    @Test(arguments: SchedulerKind.allCases)
    func nilWithoutServers(_ kind: SchedulerKind) {
        var f = Fixture(kind.name)
        #expect(f.pick() == nil)
        f.add(1)
        f.delete(1)
        #expect(f.pick() == nil)
    }

    @Test(arguments: SchedulerKind.allCases)
    func neverPicksWeightZeroOrOverloadedOnAFreshDecision(_ kind: SchedulerKind) {
        var f = Fixture(kind.name, flags: [.sched1])  // fallback on for sh/mh
        for last in 1...6 { f.add(last, weight: Int32(last % 3)) }  // weights 1 2 0 1 2 0
        f.set(2, overloaded: true)
        f.set(4, overloaded: true)
        // Every decision comes from a fresh client and destination, so no
        // locality entry exists (lblc/lblcr hits are allowed to ignore OVERLOAD).
        for client in 0..<64 {
            f.now += 1_000_000
            let destination = Endpoint(address: .v4(0x0A0B_0000 | UInt32(client)), port: 80)
            let pick = f.pick(client: "10.20.\(client).\(client * 3 % 256):\(10_000 + client)", destination: destination)
            if let pick { #expect([1, 5].contains(pick), "\(kind) picked \(pick)") }
        }
    }

    @Test(arguments: SchedulerKind.allCases)
    func usesEveryEligibleServerEventuallyOrIsDeterministic(_ kind: SchedulerKind) {
        var f = Fixture(kind.name)
        for last in 1...3 { f.add(last) }
        var seen = Set<Int>()
        for client in 0..<200 {
            let destination = Endpoint(address: .v4(0x0A0B_0000 | UInt32(client)), port: 80)
            if let pick = f.pick(client: "10.20.\(client % 256).\(client / 2):\(client)", destination: destination, bind: true) {
                seen.insert(pick)
            }
        }
        // Load-based, round-robin, random and hashing schedulers spread new
        // clients over all three equal servers; fo sticks to the first.
        #expect(seen.isSubset(of: [1, 2, 3]) && !seen.isEmpty)
        if kind != .weightedFailover && kind != .weightedOverflow { #expect(seen.count == 3, "\(kind): \(seen)") }
    }

    @Test func kindsAndRegistryNames() {
        #expect(SchedulerKind.allCases.count == 14)
        #expect(Set(SchedulerKind.linux61.map(\.name)).union(["none"]) == IPVSTable.kernel61Schedulers)
        #expect(SchedulerRegistry.allKernel.names == IPVSTable.kernel612Schedulers)
        for kind in SchedulerKind.allCases {
            #expect(kind.implementation.name == kind.name)
            #expect(SchedulerKind(name: kind.name) == kind)
        }
    }
}
