import LVSModel
import Testing
@testable import Schedulers

/// lc, wlc, sed, nq, fo, ovf and twos, hand-worked from spec §6–§7.9.
@Suite struct LoadSchedulerTests {
    /// List order 4 3 2 1 with the given weights (by last octet).
    static func fixture(_ scheduler: String, weights: [Int: Int32] = [:]) -> Fixture {
        var f = Fixture(scheduler)
        for last in 1...4 { f.add(last, weight: weights[last] ?? 1) }
        return f
    }

    @Test func wlcSpecExample() {
        var f = Self.fixture("wlc")
        #expect(f.picks(5, bind: true) == [4, 3, 2, 1, 4])
        // .3's connection closes (inactive 1, overhead 1) while the others stay at 256.
        f.set(4, active: 1)
        f.set(3, active: 0, inactive: 1)
        #expect(f.pick() == 3)
    }

    @Test func wlcCrossMultipliesAndKeepsTies() {
        var f = Self.fixture("wlc", weights: [4: 1, 3: 2, 2: 4, 1: 0])
        f.set(4, active: 1)  // 256/1
        f.set(3, active: 2)  // 512/2 = 256 (tie with 4 → 4 kept)
        f.set(2, active: 5)  // 1280/4 = 320
        #expect(f.pick() == 4)
        f.set(2, active: 3)  // 768/4 = 192
        #expect(f.pick() == 2)
        // Weight 0 never becomes the candidate; OVERLOAD is skipped.
        f.set(2, overloaded: true)
        f.set(1, active: 0)
        #expect(f.pick() == 4)
    }

    @Test func wlcFailsWhenAllWeightZeroOrOverloaded() {
        var f = Self.fixture("wlc", weights: [4: 0, 3: 0])
        f.set(2, overloaded: true)
        f.set(1, overloaded: true)
        #expect(f.pick() == nil)
    }

    @Test func lcIgnoresWeightsUsesOverhead() {
        var f = Self.fixture("lc", weights: [4: 1, 3: 100, 2: 1, 1: 1])
        f.set(4, inactive: 3)
        f.set(3, active: 1)  // 256
        f.set(2, inactive: 2)
        f.set(1, inactive: 2)  // tie with 2 → 2 (first)
        #expect(f.pick() == 2)
        f.edit(2, weight: 0)
        #expect(f.pick() == 1)
    }

    @Test func sedUsesActivePlusOne() {
        var f = Self.fixture("sed", weights: [4: 1, 3: 3, 2: 1, 1: 1])
        f.set(4, active: 0, inactive: 50)  // (0+1)/1 = 1
        f.set(3, active: 2)  // 3/3 = 1: tie → 4 kept
        f.set(2, active: 1)
        f.set(1, active: 1)
        #expect(f.pick() == 4)
        f.set(4, active: 1)  // 2/1
        #expect(f.pick() == 3)
    }

    @Test func nqReturnsFirstIdleElseSed() {
        var f = Self.fixture("nq", weights: [4: 4, 3: 1, 2: 1, 1: 1])
        f.set(4, active: 1)  // (2)/4 — candidate
        f.set(3, active: 2)
        f.set(2, active: 0, inactive: 9)  // idle: wins at once
        #expect(f.pick() == 2)
        f.set(2, active: 3)
        f.set(1, active: 1)
        #expect(f.pick() == 4)  // 2/4 < 2/1
        f.set(2, active: 0, overloaded: true)
        #expect(f.pick() == 4)
    }

    @Test func foHighestWeightFirstOnTies() {
        var f = Self.fixture("fo", weights: [4: 2, 3: 5, 2: 5, 1: 1])
        #expect(f.pick() == 3)
        f.set(3, overloaded: true)
        #expect(f.pick() == 2)
        for last in 1...4 { f.edit(last, weight: 0) }
        #expect(f.pick() == nil)
    }

    @Test func ovfAllowsActiveEqualToWeight() {
        var f = Self.fixture("ovf", weights: [4: 1, 3: 3, 2: 3, 1: 2])
        f.set(3, active: 3)  // = weight: still eligible
        #expect(f.pick() == 3)
        f.set(3, active: 4)
        #expect(f.pick() == 2)
        f.set(2, active: 4, inactive: 0)
        f.set(1, active: 3)
        #expect(f.pick() == 4)
        f.set(4, active: 2)
        #expect(f.pick() == nil)
    }

    /// A source replaying fixed 32-bit values.
    struct Scripted: SchedulerRandomSource {
        var values: [UInt32]
        mutating func nextUInt32() -> UInt32 { values.removeFirst() }
    }

    @Test func twosPicksByRunningSumAndComparesLoads() {
        // List 4 3 2 1 with weights 1, 2, 3, 4: W = 10, draws in 0...10.
        let f = Self.fixture("twos", weights: [4: 1, 3: 2, 2: 3, 1: 4])
        var service = f.service
        service.servers[0].activeConnections = 5  // .4 busy
        var scheduler = TwoChoicesScheduler(service: service)
        let flow = FlowKey(proto: .tcp, source: Fixture.vip, destination: Fixture.vip)
        // Draw value v maps to (v × 11) >> 32: choose r1 = 0 (.4, [0,1]) and r2 = 3 (.3, (1,3]).
        func raw(_ r: UInt32) -> UInt32 { UInt32((UInt64(r) << 32) / 11 + 1) }
        var random = Scripted(values: [raw(0), raw(3)])
        // weight2 × overhead1 = 2 × 1280 > weight1 × overhead2 = 0 → choice 2.
        #expect(scheduler.select(flow: flow, service: service, nowNanoseconds: 0, random: &random) == 1)
        random = Scripted(values: [raw(1), raw(1)])  // both .4 (r ≤ w1 = 1)
        #expect(scheduler.select(flow: flow, service: service, nowNanoseconds: 0, random: &random) == 0)
        random = Scripted(values: [raw(10), raw(0)])  // .1 vs .4: .4 busier → stays .1
        #expect(scheduler.select(flow: flow, service: service, nowNanoseconds: 0, random: &random) == 3)
    }

    @Test func twosOnlyPicksEligible() {
        var f = Self.fixture("twos", weights: [4: 0, 3: 2, 2: 3, 1: 4])
        f.set(2, overloaded: true)
        for _ in 0..<200 {
            let pick = f.pick()
            #expect(pick == 3 || pick == 1)
        }
    }
}
