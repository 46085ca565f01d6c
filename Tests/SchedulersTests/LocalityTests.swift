import LVSModel
import Testing
@testable import Schedulers

/// lblc and lblcr, hand-worked from spec §7.10–§7.11.
@Suite struct LocalityTests {
    static let d1 = Endpoint("10.11.0.1:80")!
    static let d2 = Endpoint("10.11.0.2:80")!
    static let second: Int64 = 1_000_000_000

    /// List 4 3 2 1, weights 1.
    static func fixture(_ scheduler: String) -> Fixture {
        var f = Fixture(scheduler)
        for last in 1...4 { f.add(last) }
        return f
    }

    @Test func lblcCachesPerDestinationAndIgnoresOverloadFlag() {
        var f = Self.fixture("lblc")
        #expect(f.pick(destination: Self.d1, bind: true) == 4)  // wlc, entry d1 → 4
        #expect(f.pick(destination: Self.d1) == 4)  // cache hit although 3 is idler
        #expect(f.pick(destination: Self.d2) == 3)  // new destination: wlc
        f.set(4, overloaded: true)
        #expect(f.pick(destination: Self.d1) == 4)  // the OVERLOAD flag is not checked on a hit
    }

    @Test func lblcHalfLoadRule() {
        var f = Self.fixture("lblc")
        #expect(f.pick(destination: Self.d1) == 4)
        // 4: active 2 > weight 1, but nobody is below half load (2·1 < 1 is false).
        for last in 1...3 { f.set(last, active: 1) }
        f.set(4, active: 2)
        #expect(f.pick(destination: Self.d1) == 4)
        // Server 3 idle: 2·0 < 1 → 4 counts as overloaded → wlc picks 3 and re-points d1.
        f.set(3, active: 0)
        #expect(f.pick(destination: Self.d1) == 3)
        f.set(4, active: 0)
        f.set(3, active: 1)
        #expect(f.pick(destination: Self.d1) == 3)  // the entry now points to 3
    }

    @Test func lblcWeightZeroOrDeletedFallsBackAndRevivalRestores() {
        var f = Self.fixture("lblc")
        #expect(f.pick(destination: Self.d1, bind: true) == 4)
        f.edit(4, weight: 0)
        #expect(f.pick(destination: Self.d1, bind: true) == 3)  // entry → 3
        f.delete(3)
        #expect(f.pick(destination: Self.d1) == 2)  // not AVAILABLE → wlc (4 has weight 0); entry → 2
        f.delete(2)
        f.add(2)  // the same server object comes back (the entry kept it referenced)
        f.set(2, active: 1)
        #expect(f.pick(destination: Self.d1) == 2)  // hit again, although wlc would pick 1
    }

    @Test func lblcGarbageCollection() {
        var f = Self.fixture("lblc")
        _ = f.pick(destination: Self.d1)  // lastuse 0; timer armed at 0 (service creation)
        var scheduler = HashingSchedulerTests.kernel(f, as: LocalityLeastConnectionScheduler.self)
        #expect(scheduler.entryCount == 1)
        scheduler.advance(to: 86_399 * Self.second)
        #expect(scheduler.entryCount == 1)  // full checks every 30 min; not yet idle a day
        scheduler.advance(to: 86_400 * Self.second)  // the 48th full check: idle ≥ 86400 s
        #expect(scheduler.entryCount == 0)
    }

    @Test func lblcOverCapacityPass() {
        var configuration = LocalityConfiguration()
        configuration.maximumEntries = 2
        let f = Self.fixture("lblc")
        var scheduler = LocalityLeastConnectionScheduler(service: f.service, configuration: configuration)
        scheduler.advance(to: 0)
        var random = SplitMix64RandomSource(seed: 1)
        for last in 1...5 {
            let flow = FlowKey(proto: .tcp, source: Fixture.vip, destination: Endpoint(address: .v4(0x0A0B_0000 | UInt32(last) << 8), port: 80))
            _ = scheduler.select(flow: flow, service: f.service, nowNanoseconds: 0, random: &random)
        }
        #expect(scheduler.entryCount == 5)
        scheduler.advance(to: 300 * Self.second)
        #expect(scheduler.entryCount == 5)  // nothing idle 360 s yet
        scheduler.advance(to: 360 * Self.second)  // goal min(3·4/3, 1) = 1
        #expect(scheduler.entryCount == 4)
        scheduler.advance(to: 480 * Self.second)
        #expect(scheduler.entryCount == 2)
        scheduler.advance(to: 600 * Self.second)
        #expect(scheduler.entryCount == 2)  // at max_size: counter advances instead
    }

    static func members(_ f: Fixture, _ destination: Endpoint) -> [Int] {
        let scheduler = HashingSchedulerTests.kernel(f, as: LocalityReplicationScheduler.self)
        guard let (bucket, position) = scheduler.table.find(destination.address) else { return [] }
        return scheduler.table.buckets[bucket][position].payload.members.map {
            guard case .v4(let value) = $0.endpoint.address else { return -1 }
            return Int(value & 0xFF)
        }
    }

    @Test func lblcrReplicatesUnderHalfLoad() {
        var f = Self.fixture("lblcr")
        #expect(f.pick(destination: Self.d1) == 4)
        #expect(Self.members(f, Self.d1) == [4])
        f.set(4, active: 2)  // > weight, and 3 is idle → overloaded by the half-load rule
        #expect(f.pick(destination: Self.d1) == 3)  // wlc; 3 joins the set at the front
        #expect(Self.members(f, Self.d1) == [3, 4])
        f.set(3, active: 1)
        #expect(f.pick(destination: Self.d1) == 3)  // set_min: 3 (256) < 4 (512)
        // set_min skips the OVERLOADed 3 → 4, which is half-load overloaded (2 idle)
        // → wlc over the service: 2 (idle, ahead of 1); it joins the set.
        f.set(3, overloaded: true)
        #expect(f.pick(destination: Self.d1) == 2)
        #expect(Self.members(f, Self.d1) == [2, 3, 4])
    }

    @Test func lblcrShrinksStaleSetByItsMostLoadedMember() {
        var f = Self.fixture("lblcr")
        #expect(f.pick(destination: Self.d1) == 4)
        f.set(4, active: 2)
        #expect(f.pick(destination: Self.d1) == 3)  // set [3, 4], lastmod 0
        f.set(4, active: 0)
        f.set(3, active: 1)
        f.now = 50_000 * Self.second
        #expect(f.pick(destination: Self.d1) == 4)  // keeps the entry in use; set_min = 4 now
        f.set(4, active: 1)
        f.set(3, active: 0)
        f.now = 86_401 * Self.second  // > lastmod + 86400 s with two members
        #expect(f.pick(destination: Self.d1) == 3)  // m chosen first (3), then set_max (4) removed
        #expect(Self.members(f, Self.d1) == [3])
    }
}
