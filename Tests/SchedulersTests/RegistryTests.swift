import LVSModel
import Testing
@testable import Schedulers

/// A user scheduler: always the last server of the kernel list (the oldest).
struct OldestFirstScheduler: Scheduler {
    static let name = "oldest"
    var decisions = 0
    init(service: VirtualService) {}
    mutating func apply(_ change: TableChange, service: VirtualService) {}
    mutating func select<Random: SchedulerRandomSource>(
        flow: FlowKey, service: VirtualService, nowNanoseconds: Int64, random: inout Random
    ) -> Int? {
        decisions += 1
        return service.servers.indices.last
    }
}

/// Registry, SchedulerSet life cycle and user schedulers.
@Suite struct RegistryTests {
    @Test func userSchedulerRegisteredAndUsedByName() {
        var registry = SchedulerRegistry.linux61
        registry.register(OldestFirstScheduler.self)
        #expect(registry.names.contains("oldest"))
        #expect(!registry.names.contains("twos"))
        var f = Fixture("oldest", registry: registry)
        for last in 1...3 { f.add(last) }
        #expect(f.picks(3) == [1, 1, 1])
        guard case .custom(let scheduler) = f.schedulers[Fixture.key]! else {
            Issue.record("expected a custom scheduler")
            return
        }
        #expect((scheduler as? OldestFirstScheduler)?.decisions == 3)  // state kept in place
    }

    @Test func unknownAndNoneHaveNoScheduler() {
        let registry = SchedulerRegistry.linux61
        #expect(registry.makeScheduler(for: VirtualService(key: Fixture.key, scheduler: "none")) == nil)
        #expect(registry.makeScheduler(for: VirtualService(key: Fixture.key, scheduler: "twos")) == nil)
        var f = Fixture("none")
        f.add(1)
        #expect(f.pick() == nil)
    }

    @Test func editToSameSchedulerKeepsStateAndChangeReinitialises() {
        var f = Fixture("rr")
        for last in 1...3 { f.add(last) }
        #expect(f.picks(2) == [3, 2])
        f.apply(try! f.table.editService(VirtualService(key: Fixture.key, scheduler: "rr")))
        #expect(f.pick() == 1)  // cursor kept
        f.apply(try! f.table.editService(VirtualService(key: Fixture.key, scheduler: "wlc")))
        f.apply(try! f.table.editService(VirtualService(key: Fixture.key, scheduler: "rr")))
        #expect(f.pick() == 3)  // fresh cursor at the head
    }

    @Test func serviceDeletionDropsScheduler() {
        var f = Fixture("lblc")
        f.add(1)
        #expect(f.schedulers[Fixture.key] != nil)
        f.apply(try! f.table.deleteService(Fixture.key))
        #expect(f.schedulers[Fixture.key] == nil)
        f.apply(try! f.table.addService(VirtualService(key: Fixture.key, scheduler: "sh")))
        #expect(f.schedulers[Fixture.key]?.name == "sh")
    }
}
