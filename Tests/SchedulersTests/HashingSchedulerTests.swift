import LVSModel
import Testing
@testable import Schedulers

/// sh, dh and mh, hand-worked from spec §7.12–§7.14 and §8.4.
@Suite struct HashingSchedulerTests {
    static func kernel<S: Scheduler>(_ f: Fixture, as type: S.Type) -> S {
        guard case .kernel(let k) = f.schedulers[Fixture.key]!, let s = k.base as? S else { fatalError("wrong scheduler") }
        return s
    }

    /// A(.1, w3), B(.2, w2), C(.3, w1) added in that order: list C B A.
    static func shFixture(flags: ServiceFlags = []) -> Fixture {
        var f = Fixture("sh", flags: flags)
        f.add(1, weight: 3)
        f.add(2, weight: 2)
        f.add(3, weight: 1)
        return f
    }

    @Test func shFillsByWeightCyclically() {
        let f = Self.shFixture()
        let buckets = Self.kernel(f, as: SourceHashingScheduler.self).buckets
        // C B B A A A repeating (indices 0 = C, 1 = B, 2 = A).
        #expect(Array(buckets.prefix(12)) == [0, 1, 1, 2, 2, 2, 0, 1, 1, 2, 2, 2])
        #expect(buckets[255] == [0, 1, 1, 2, 2, 2][255 % 6])
    }

    @Test func shLookupPortAndFallback() {
        var f = Self.shFixture()
        // 192.168.1.10 → bucket 248 → 248 mod 6 = 2 → B.
        #expect(f.pick(client: "192.168.1.10:40000") == 2)
        f.set(2, overloaded: true)
        #expect(f.pick(client: "192.168.1.10:40000") == nil)  // no fallback

        var fallback = Self.shFixture(flags: [.sched1])
        fallback.set(2, overloaded: true)
        // Probe starts at (0 + 2 × 248) mod 256 = 240 → 240 mod 6 = 0 → C.
        #expect(fallback.pick(client: "192.168.1.10:40000") == 3)

        var port = Self.shFixture(flags: [.sched2])
        // With sh-port: bucket 156 → 156 mod 6 = 0 → C.
        #expect(port.pick(client: "192.168.1.10:40000") == 3)
    }

    @Test func shRefillsOnEditAndWeightZeroKeepsOneBucket() {
        var f = Self.shFixture()
        f.edit(2, weight: 0)
        let buckets = Self.kernel(f, as: SourceHashingScheduler.self).buckets
        #expect(Array(buckets.prefix(10)) == [0, 1, 2, 2, 2, 0, 1, 2, 2, 2])
        // 248 mod 5 = 3 → A; a bucket owned by the weight-0 B fails.
        #expect(f.pick(client: "192.168.1.10:1") == 1)
    }

    @Test func shRefillsOnDelete() {
        var f = Self.shFixture()
        f.delete(3)  // list B A
        let buckets = Self.kernel(f, as: SourceHashingScheduler.self).buckets
        #expect(Array(buckets.prefix(5)) == [0, 0, 1, 1, 1])
        f.delete(2)
        f.delete(1)
        #expect(f.pick(client: "192.168.1.10:1") == nil)
    }

    @Test func dhMapsBucketsModuloListAndRefillsOnlyOnAddDelete() {
        var f = Fixture("dh")
        for last in 1...3 { f.add(last, weight: 2) }  // list 3 2 1
        let destination = Endpoint("10.0.0.100:80")!  // bucket 248
        #expect(f.pick(destination: destination) == 1)  // 248 mod 3 = 2 → .1
        f.add(4)  // list 4 3 2 1: 248 mod 4 = 0 → .4
        #expect(f.pick(destination: destination) == 4)
        f.edit(4, weight: 0)  // no refill, no fallback
        #expect(f.pick(destination: destination) == nil)
        f.edit(4, weight: 1)
        f.set(4, overloaded: true)
        #expect(f.pick(destination: destination) == nil)
        f.delete(3)  // list 4 2 1: 248 mod 3 = 2 → .1
        #expect(f.pick(destination: destination) == 1)
        // 10.0.0.1 → bucket 39 → 39 mod 3 = 0 → .4 (overloaded) → nil.
        #expect(f.pick(destination: Endpoint("10.0.0.1:80")!) == nil)
    }

    static func mhFixture(weights: [Int32] = [1, 1, 1], flags: ServiceFlags = []) -> Fixture {
        var f = Fixture("mh", flags: flags)
        for (i, weight) in weights.enumerated() { f.add(address: "10.0.0.\(i + 1)", weight: weight) }
        return f
    }

    static func slotCounts(_ f: Fixture) -> [Int] {
        let slots = Self.kernel(f, as: MaglevHashingScheduler.self).slots
        return (0..<3).map { index in slots.filter { $0 == index }.count }
    }

    @Test func mhTableMatchesSpec() {
        let f = Self.mhFixture()
        // List .3 .2 .1 → indices 0, 1, 2.
        #expect(Self.slotCounts(f) == [1365, 1364, 1364])
        let slots = Self.kernel(f, as: MaglevHashingScheduler.self).slots
        let names = slots.prefix(12).map { [3, 2, 1][Int($0)] }
        #expect(names == [1, 2, 2, 3, 3, 1, 2, 3, 3, 1, 1, 2])
    }

    @Test func mhLookups() {
        var f = Self.mhFixture()
        #expect(f.pickAddress(client: "192.168.1.10:5000") == "10.0.0.1")
        #expect(f.pickAddress(client: "192.168.1.11:5000") == "10.0.0.1")
        #expect(f.pickAddress(client: "192.168.1.12:5000") == "10.0.0.3")
        #expect(f.pickAddress(client: "203.0.113.7:5000") == "10.0.0.3")
        let address = IPAddress("192.168.1.10")!
        #expect(MaglevHashingScheduler.hash(address, port: 0, offset: 0, key: MaglevHashingScheduler.key1) == 0xD5E9_59B6)
        let probes = (0..<3).map { MaglevHashingScheduler.hash(address, port: 0, offset: UInt32((3323 + $0) % 4093), key: MaglevHashingScheduler.key1) % 4093 }
        #expect(probes == [2802, 1365, 1693])
    }

    @Test func mhWeightedCounts() {
        // Added .1, .2, .3 with weights 1, 2, 3 → list .3(3) .2(2) .1(1).
        #expect(Self.slotCounts(Self.mhFixture(weights: [1, 2, 3])) == [2047, 1364, 682])
        #expect(Self.slotCounts(Self.mhFixture(weights: [10, 100, 1000])) == [3655, 365, 73])
    }

    @Test func mhQuiesceKeepsTableAndFallbackRehashes() {
        var f = Self.mhFixture(flags: [.sched1])
        let before = Self.kernel(f, as: MaglevHashingScheduler.self).slots
        f.apply(try! f.table.editServer(RealServer(address: IPAddress("10.0.0.1")!, port: 80, weight: 0), in: Fixture.key))
        #expect(Self.kernel(f, as: MaglevHashingScheduler.self).slots == before)  // lastWeight kept
        // 192.168.1.10 → slot 3323 (.1, weight 0) → probes 2802, 1365, … → first available.
        let slots = before
        let expected = [2802, 1365, 1693].map { Int(slots[$0]) }.first { $0 != 2 }.map { ["10.0.0.3", "10.0.0.2"][$0] }
        #expect(f.pickAddress(client: "192.168.1.10:5000") == expected)

        var strict = Self.mhFixture()
        strict.apply(try! strict.table.editServer(RealServer(address: IPAddress("10.0.0.1")!, port: 80, weight: 0), in: Fixture.key))
        #expect(strict.pickAddress(client: "192.168.1.10:5000") == nil)
    }

    @Test func mhAddingWeightZeroGivesNoSlotsAndEmptyTableFails() {
        var f = Fixture("mh")
        f.add(address: "10.0.0.1", weight: 0)
        #expect(f.pickAddress(client: "192.168.1.10:5000") == nil)
        #expect(Self.kernel(f, as: MaglevHashingScheduler.self).slots.allSatisfy { $0 == -1 })
        f.add(address: "10.0.0.2", weight: 1)
        #expect(Self.kernel(f, as: MaglevHashingScheduler.self).slots.allSatisfy { $0 == 0 })
    }

    @Test func mhPortFlagChangesKey() {
        var f = Self.mhFixture(flags: [.sched2])
        let address = IPAddress("192.168.1.10")!
        let slot = Int(MaglevHashingScheduler.hash(address, port: 40000, offset: 0, key: MaglevHashingScheduler.key1) % 4093)
        let owner = Self.kernel(f, as: MaglevHashingScheduler.self).slots[slot]
        #expect(f.pickAddress(client: "192.168.1.10:40000") == ["10.0.0.3", "10.0.0.2", "10.0.0.1"][Int(owner)])
    }
}
