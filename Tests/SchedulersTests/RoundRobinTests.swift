import LVSModel
import Testing
@testable import Schedulers

/// rr and wrr, hand-worked from spec §7.1, §7.2 and §1.4.
@Suite struct RoundRobinTests {
    @Test func rrCyclesNewestFirst() {
        var f = Fixture("rr")
        for last in 1...4 { f.add(last) }
        #expect(f.picks(6) == [4, 3, 2, 1, 4, 3])
    }

    @Test func rrSkipsWeightZeroAndOverload() {
        var f = Fixture("rr")
        for last in 1...4 { f.add(last) }  // list 4 3 2 1
        f.edit(3, weight: 0)
        f.set(2, overloaded: true)
        #expect(f.picks(4) == [4, 1, 4, 1])
    }

    @Test func rrCursorSurvivesAddAndMovesToPredecessorOnDelete() {
        var f = Fixture("rr")
        for last in 1...3 { f.add(last) }  // 3 2 1
        #expect(f.picks(2) == [3, 2])  // cursor on 2
        f.add(4)  // 4 3 2 1, cursor still on 2
        #expect(f.pick() == 1)
        #expect(f.pick() == 4)  // cursor on 4 (index 0)
        #expect(f.pick() == 3)  // cursor on 3
        f.delete(3)  // cursor → predecessor 4
        #expect(f.pick() == 2)
        f.delete(2)  // cursor was on 2 → 4
        #expect(f.pick() == 1)
        f.delete(4)  // cursor on 1 unaffected (index shifts)
        #expect(f.pick() == 1)
    }

    @Test func rrDeleteOfFirstMovesCursorToHead() {
        var f = Fixture("rr")
        for last in 1...3 { f.add(last) }  // 3 2 1
        #expect(f.pick() == 3)
        f.delete(3)  // cursor → head
        #expect(f.picks(3) == [2, 1, 2])
    }

    @Test func rrFailsWithoutEligibleAndKeepsCursor() {
        var f = Fixture("rr")
        f.add(1)
        f.add(2)
        #expect(f.pick() == 2)
        f.set(1, overloaded: true)
        f.set(2, overloaded: true)
        #expect(f.pick() == nil)
        f.set(1, overloaded: false)
        f.set(2, overloaded: false)
        #expect(f.pick() == 1)
    }

    /// Adds servers so the kernel list is `weights` in order (first = head),
    /// under wlc, then `-E` switches to wrr: init sees the whole list, as in
    /// the spec's worked sequences.
    static func wrr(_ weights: [(Int, Int32)]) -> Fixture {
        var f = Fixture("wlc")
        for (last, weight) in weights.reversed() { f.add(last, weight: weight) }
        f.apply(try! f.table.editService(VirtualService(key: Fixture.key, scheduler: "wrr")))
        return f
    }

    @Test func wrrSequences() {
        // A=1, B=2, C=3 in list order.
        var f = Self.wrr([(1, 4), (2, 3), (3, 2)])
        #expect(f.picks(18) == [1, 1, 2, 1, 2, 3, 1, 2, 3, 1, 1, 2, 1, 2, 3, 1, 2, 3])
        var g = Self.wrr([(1, 2), (2, 4), (3, 6)])
        #expect(g.picks(12) == [3, 2, 3, 1, 2, 3, 3, 2, 3, 1, 2, 3])
        var h = Self.wrr([(1, 5), (2, 1)])
        #expect(h.picks(12) == [1, 1, 1, 1, 1, 2, 1, 1, 1, 1, 1, 2])
    }

    /// Built by additions from an empty service, `cw` starts at the first
    /// server's `mw` (cw 0 → mw on the first add) and is then kept, so the
    /// first pass is at cw = 1 (A4 B3 C2: first add C2 gives di 2, mw 1, cw 1).
    @Test func wrrBuiltByAdditionsStartsWithWeightOnePass() {
        var f = Fixture("wrr")
        for (last, weight) in [(3, Int32(2)), (2, 3), (1, 4)] { f.add(last, weight: weight) }
        #expect(f.picks(12) == [1, 2, 3, 1, 1, 2, 1, 2, 3, 1, 2, 3])
    }

    @Test func wrrEditResetsState() {
        var f = Self.wrr([(1, 4), (2, 3), (3, 2)])
        #expect(f.picks(4) == [1, 1, 2, 1])
        f.edit(2, weight: 1)
        #expect(f.picks(10) == [1, 3, 1, 2, 3, 1, 1, 1, 3, 1])
    }

    @Test func wrrOverloadedServerSkipped() {
        var f = Self.wrr([(1, 4), (2, 3), (3, 2)])
        f.set(1, overloaded: true)
        #expect(f.picks(10) == [2, 2, 3, 2, 3, 2, 2, 3, 2, 3])
    }

    @Test func wrrAllWeightZeroFails() {
        var f = Fixture("wrr")
        f.add(1, weight: 0)
        f.add(2, weight: 0)
        #expect(f.pick() == nil)
        f.edit(2, weight: 2)
        #expect(f.picks(3) == [2, 2, 2])
    }

    @Test func wrrResetArithmetic() {
        // Weights 2/4/6: di 2, mw 5, cw 5.
        var f = Self.wrr([(1, 2), (2, 4), (3, 6)])
        #expect(f.pick() == 3)  // cw 5
        f.edit(3, weight: 8)  // weights 2,4,8: di 2, mw 7; cw 5 → (5/2)*2+1 = 5
        guard case .kernel(let k) = f.schedulers[Fixture.key]!, let wrr = k.base as? WeightedRoundRobinScheduler else {
            Issue.record("no wrr")
            return
        }
        #expect(wrr.step == 2 && wrr.maxWeight == 7 && wrr.currentWeight == 5)
    }
}
