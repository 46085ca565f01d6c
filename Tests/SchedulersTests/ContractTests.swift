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

    /// The in-place path a director takes for schedulers that decide from the server list
    /// alone dispatches each kind to its own algorithm: it gives what that kind's `select`
    /// gives over random lists (weights 0–3, counters 0–5, OVERLOAD on one server in five),
    /// where lc, wlc, sed, nq, fo and ovf disagree with one another; every other kind is
    /// left to `select`.
    @Test(arguments: SchedulerKind.allCases)
    func listOnlyChoiceEqualsSelect(_ kind: SchedulerKind) {
        let listOnly: Set<SchedulerKind> = [
            .leastConnection, .weightedLeastConnection, .shortestExpectedDelay, .neverQueue, .weightedFailover,
            .weightedOverflow,
        ]
        #expect(KernelScheduler.decidesFromListAlone(kind) == listOnly.contains(kind))
        #expect((ListOnlySchedulerKind(kind) != nil) == listOnly.contains(kind))
        guard let listKind = ListOnlySchedulerKind(kind) else { return }
        var random = SplitMix64RandomSource(seed: UInt64(kind.name.utf8.reduce(0) { $0 &* 31 &+ UInt64($1) }))
        var agreements = 0
        for round in 0..<500 {
            var service = VirtualService(key: .address(.tcp, Endpoint("10.10.0.100:80")!))
            for index in 0..<(1 + round % 7) {
                var server = RealServer(address: .v4(0x0A1E_0000 | UInt32(index + 1)), port: 80, weight: Int32(random.nextUInt32() % 4))
                server.activeConnections = Int32(random.nextUInt32() % 6)
                server.inactiveConnections = Int32(random.nextUInt32() % 6)
                server.isOverloaded = random.nextUInt32() % 5 == 0
                service.servers.append(server)
            }
            var scheduler = KernelScheduler(kind: kind, service: service)
            let flow = FlowKey(proto: .tcp, source: Endpoint("10.20.0.1:1000")!, destination: Endpoint("10.10.0.100:80")!)
            let selected = scheduler.select(flow: flow, service: service, nowNanoseconds: 0, random: &random)
            let chosen = service.servers.withUnsafeBufferPointer { KernelScheduler.choose(listKind, from: $0) }
            #expect(chosen == selected, "\(kind), round \(round)")
            if chosen == selected { agreements += 1 }
        }
        #expect(agreements == 500)
    }

    @Test func listOnlyKindsOfASchedulerSet() throws {
        var table = IPVSTable()
        for (port, name) in [(80, "wlc"), (81, "rr"), (82, "sed"), (83, "lblc")] {
            _ = try table.addService(VirtualService(key: .address(.tcp, Endpoint("10.10.0.100:\(port)")!), scheduler: name))
        }
        var set = SchedulerSet(registry: .allKernel)
        set.apply(table.services.map { .serviceAdded($0.key) }, table: table, nowNanoseconds: 0)
        let kinds = table.services.map { set.entryIndex(of: $0.key).flatMap { set.listOnlyKind(entry: $0) } }
        #expect(kinds == [.weightedLeastConnection, nil, .shortestExpectedDelay, nil])
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
