import Testing
@testable import Simulation

/// Records every delivery as (time, event); optionally reacts to kinds.
private struct Recorder: EventHandler {
    var log: [(SimTime, Event)] = []
    var onHandle: ((Event, inout Engine) -> Void)?

    mutating func handle(_ event: Event, engine: inout Engine) {
        log.append((engine.now, event))
        onHandle?(event, &engine)
    }

    var tags: [UInt32] { log.map(\.1.a) }
}

@Suite("Simulation time")
struct SimTimeTests {
    @Test func arithmeticAndUnits() {
        let t = SimTime.seconds(1.5) + .milliseconds(250)
        #expect(t.nanoseconds == 1_750_000_000)
        #expect(t - SimTime.seconds(1) == .milliseconds(750))
        #expect(SimDuration.seconds(2) / SimDuration.milliseconds(500) == 4)
        #expect(SimDuration.milliseconds(3) * 2 == .microseconds(6000))
        #expect(SimTime.milliseconds(2) < SimTime.milliseconds(3))
        #expect(SimDuration.seconds(0.25).inMilliseconds == 250)
    }

    @Test func descriptions() {
        #expect(SimDuration.milliseconds(250).description == "250ms")
        #expect(SimDuration.milliseconds(1500).description == "1.5s")
        #expect(SimDuration.nanoseconds(42).description == "42ns")
        #expect(SimDuration.nanoseconds(-1_000_500).description == "-1.0005ms")
        #expect(SimTime.seconds(2).description == "t=2s")
    }
}

@Suite("Event queues and engine")
struct EngineTests {
    @Test("Queue entries are 32 bytes")
    func layout() {
        #expect(MemoryLayout<Event>.stride == 12)
        #expect(MemoryLayout<EventEntry>.stride == 32)
    }

    func checkQueue<Q: EventQueue>(_ type: Q.Type) {
        var q = Q(minimumCapacity: 4)
        let stream = RandomStream(seed: 5, stream: .scheduler)
        var reference: [(Int64, UInt64)] = []
        for seq in 0..<5_000 as Range<UInt64> {
            // Few distinct times so ties are frequent.
            let time = Int64(stream.uniformInt(below: 50))
            q.insert(EventEntry(time: SimTime(nanoseconds: time), sequence: seq, event: Event(kind: 0)))
            reference.append((time, seq))
        }
        reference.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        var popped: [(Int64, UInt64)] = []
        while let e = q.popFirst() { popped.append((e.time.nanoseconds, e.sequence)) }
        #expect(popped.count == reference.count)
        #expect(popped.elementsEqual(reference) { $0 == $1 })
        #expect(q.isEmpty && q.first == nil)
    }

    @Test("QuaternaryHeap pops in (time, sequence) order")
    func quaternaryOrder() { checkQueue(QuaternaryHeap.self) }

    @Test("CollectionsHeapQueue pops in (time, sequence) order")
    func collectionsOrder() { checkQueue(CollectionsHeapQueue.self) }

    @Test("Equal-time events are delivered in scheduling order")
    func fifoTies() {
        var engine = Engine()
        for tag in 0..<10 as Range<UInt32> {
            engine.schedule(Event(kind: 1, a: tag), at: .milliseconds(tag.isMultiple(of: 2) ? 5 : 3))
        }
        var recorder = Recorder()
        let delivered = engine.run(handler: &recorder)
        #expect(delivered == 10)
        #expect(recorder.tags == [1, 3, 5, 7, 9, 0, 2, 4, 6, 8])
        #expect(engine.now == .milliseconds(5))
    }

    @Test("Handlers schedule follow-ups; run(until:) stops at the limit and advances the clock")
    func runUntil() {
        var engine = Engine()
        engine.schedule(Event(kind: 1, a: 0), at: .zero)
        var recorder = Recorder()
        recorder.onHandle = { event, engine in
            engine.schedule(Event(kind: 1, a: event.a + 1), after: .milliseconds(10))
        }
        let delivered = engine.run(until: .milliseconds(35), handler: &recorder)
        #expect(delivered == 4) // t = 0, 10, 20, 30
        #expect(recorder.log.map(\.0) == [.zero, .milliseconds(10), .milliseconds(20), .milliseconds(30)])
        #expect(engine.now == .milliseconds(35))
        #expect(engine.pendingCount == 1)
        let stepped = engine.step(&recorder)
        #expect(stepped)
        #expect(engine.now == .milliseconds(40))
    }

    @Test("stop() ends run after the current event")
    func stop() {
        var engine = Engine()
        for i in 0..<5 as Range<UInt32> { engine.schedule(Event(kind: 1, a: i), at: .milliseconds(Int(i))) }
        var recorder = Recorder()
        recorder.onHandle = { event, engine in if event.a == 2 { engine.stop() } }
        let firstRun = engine.run(handler: &recorder)
        #expect(firstRun == 3)
        #expect(engine.now == .milliseconds(2))
        let secondRun = engine.run(handler: &recorder)
        #expect(secondRun == 2)
    }

    @Test("Cancelled timers are skipped; stale tokens are harmless")
    func cancellation() {
        var engine = Engine()
        let a = engine.startTimer(Event(kind: 2, a: 1), at: .milliseconds(1))
        let b = engine.startTimer(Event(kind: 2, a: 2), after: .milliseconds(2))
        engine.schedule(Event(kind: 1, a: 3), at: .milliseconds(3))
        #expect(engine.isPending(a))
        let first = engine.cancel(a)
        let second = engine.cancel(a)
        #expect(first && !second)
        #expect(!engine.isPending(a))
        var recorder = Recorder()
        engine.run(handler: &recorder)
        #expect(recorder.tags == [2, 3])
        #expect(!engine.isPending(b)) // fired
        let late = engine.cancel(b)
        #expect(!late)
        // Slots are reused with a new generation: the old tokens do not touch the new timer.
        let c = engine.startTimer(Event(kind: 2, a: 4), after: .milliseconds(1))
        let staleA = engine.cancel(a), staleB = engine.cancel(b)
        #expect(!staleA && !staleB)
        #expect(engine.isPending(c))
        recorder.log.removeAll()
        engine.run(handler: &recorder)
        #expect(recorder.tags == [4])
    }

    @Test("Re-arming a timer = cancel + start; only the latest fires")
    func rearm() {
        var engine = Engine()
        var token = engine.startTimer(Event(kind: 2, a: 1), after: .seconds(1))
        var recorder = Recorder()
        for step in 1...5 as ClosedRange<UInt32> {
            engine.schedule(Event(kind: 9, a: 100 + step), at: .milliseconds(Int(step) * 100))
            engine.run(until: .milliseconds(Int(step) * 100), handler: &recorder)
            engine.cancel(token)
            token = engine.startTimer(Event(kind: 2, a: 1 + step), after: .seconds(1))
        }
        recorder.log.removeAll()
        engine.run(handler: &recorder)
        #expect(recorder.tags == [6])
        #expect(engine.now == .milliseconds(1500))
    }

    @Test("TimerList is FIFO and rejects out-of-order appends only by precondition")
    func timerList() {
        var list = TimerList(duration: .seconds(60), minimumCapacity: 2)
        for i in 0..<100 as Range<UInt64> {
            list.append(EventEntry(time: SimTime(nanoseconds: Int64(i / 3)), sequence: i, event: Event(kind: 0, a: UInt32(i))))
            if i.isMultiple(of: 4) { _ = list.popFirst() }
        }
        var previous: EventEntry?
        var popped = 0
        while let e = list.popFirst() {
            if let p = previous { #expect(p.precedes(e)) }
            previous = e
            popped += 1
        }
        #expect(popped == 75 && list.isEmpty)
    }

    @Test("Timer lists interleave with the heap in (time, sequence) order, with cancellation")
    func timerListsInterleave() {
        var engine = Engine()
        let timeWait = engine.makeTimerList(duration: .milliseconds(60))
        let finWait = engine.makeTimerList(duration: .milliseconds(20))
        #expect(engine.duration(of: timeWait) == .milliseconds(60))
        var recorder = Recorder()
        // t=0: TIME_WAIT(a=1) due 60, FIN_WAIT(a=2) due 20, heap(a=3) due 20 (after a=2 in FIFO order).
        engine.schedule(Event(kind: 3, a: 1), in: timeWait)
        let cancelled = engine.startTimer(Event(kind: 4, a: 2), in: finWait)
        engine.schedule(Event(kind: 4, a: 22), in: finWait)
        engine.schedule(Event(kind: 1, a: 3), at: .milliseconds(20))
        engine.schedule(Event(kind: 1, a: 4), at: .milliseconds(10))
        engine.cancel(cancelled)
        engine.run(until: .milliseconds(10), handler: &recorder)
        // t=10: more list timers, due 70 and 30.
        engine.startTimer(Event(kind: 3, a: 5), in: timeWait)
        engine.schedule(Event(kind: 4, a: 6), in: finWait)
        engine.schedule(Event(kind: 1, a: 7), at: .milliseconds(60))
        engine.run(handler: &recorder)
        #expect(recorder.tags == [4, 22, 3, 6, 1, 7, 5])
        #expect(recorder.log.map(\.0.nanoseconds) == [10, 20, 20, 30, 60, 60, 70].map { $0 * 1_000_000 })
    }

    @Test("An ordered list keeps in-order events out of the heap and hands the rest to it, in (time, sequence) order")
    func orderedListFallsBackToTheHeap() {
        var engine = Engine()
        let arrivals = engine.makeOrderedList()
        let timeWait = engine.makeTimerList(duration: .milliseconds(50))
        var recorder = Recorder()
        // In order: 10, 30, 30 (same instant: scheduling order), 40. Out of order: 20 (before 40,
        // the list's last) goes to the heap. Heap events at 30 and 5; a list timer due at 50.
        engine.schedule(Event(kind: 1, a: 1), at: .milliseconds(10), inOrderIn: arrivals)
        engine.schedule(Event(kind: 1, a: 2), at: .milliseconds(30), inOrderIn: arrivals)
        engine.schedule(Event(kind: 2, a: 3), at: .milliseconds(30))
        engine.schedule(Event(kind: 1, a: 4), at: .milliseconds(30), inOrderIn: arrivals)
        engine.schedule(Event(kind: 1, a: 5), at: .milliseconds(40), inOrderIn: arrivals)
        engine.schedule(Event(kind: 1, a: 6), at: .milliseconds(20), inOrderIn: arrivals)
        engine.schedule(Event(kind: 2, a: 7), at: .milliseconds(5))
        engine.schedule(Event(kind: 3, a: 8), in: timeWait)
        // Only the in-order four and the timer wait in lists; 20, 30 and 5 in the heap.
        #expect(engine.heap.count == 3)
        #expect(engine.pendingCount == 8)
        // Delivered at 30, a=2 schedules at 35 (before the list's last, 40: the heap) and
        // at 45 (after it: the list).
        recorder.onHandle = { event, engine in
            if event.a == 2 {
                engine.schedule(Event(kind: 1, a: 9), at: .milliseconds(35), inOrderIn: arrivals)
                engine.schedule(Event(kind: 1, a: 10), at: .milliseconds(45), inOrderIn: arrivals)
            }
        }
        engine.run(handler: &recorder)
        #expect(recorder.tags == [7, 1, 6, 2, 3, 4, 9, 5, 10, 8])
        #expect(recorder.log.map(\.0.nanoseconds) == [5, 10, 20, 30, 30, 30, 35, 40, 45, 50].map { $0 * 1_000_000 })
        #expect(engine.pendingCount == 0)
    }

    @Test("The engine tells the handler which list timer comes lookAheadDistance pops later, and only list timers")
    func lookAheadNamesTheRightTimer() {
        final class Hints { var told: [UInt32] = [] }
        struct Hinted: EventHandler {
            let hints: Hints
            var delivered: [UInt32] = []
            var toldBeforeDelivery: [UInt32: Int] = [:]
            mutating func handle(_ event: Event, engine: inout Engine) {
                delivered.append(event.a)
                if let index = hints.told.firstIndex(of: event.a) { toldBeforeDelivery[event.a] = index }
            }
            func willHandle(_ event: Event) { hints.told.append(event.a) }
        }
        var engine = Engine()
        let list = engine.makeTimerList(duration: .seconds(1))
        let distance = Engine.lookAheadDistance
        // 40 list timers (a = 100…139) armed 1 ms apart, and heap events in between.
        var arm = Recorder()
        arm.onHandle = { event, engine in
            if event.kind == 9 { engine.schedule(Event(kind: 1, a: event.a + 100), in: list) }
        }
        for i in 0..<40 as Range<UInt32> {
            engine.schedule(Event(kind: 9, a: i), at: .milliseconds(Int(i)))
            engine.schedule(Event(kind: 2, a: 1_000 + i), at: .milliseconds(Int(i)))
        }
        engine.run(until: .milliseconds(100), handler: &arm)
        var model = Hinted(hints: Hints())
        engine.schedule(Event(kind: 2, a: 5_000), at: .milliseconds(1_010))
        engine.run(handler: &model)
        #expect(model.delivered.count == 41)
        // Popping timer 100 + k leaves 101 + k at the head; the hint names the timer
        // `distance` places behind that head, while the list is that long.
        let expected: [UInt32] = (0..<(40 - 1 - distance)).map { k in UInt32(100 + k + 1 + distance) }
        #expect(model.hints.told == expected)
        // Every hinted timer was hinted before it was delivered; heap events never are.
        let hintedAhead = model.toldBeforeDelivery.count
        #expect(hintedAhead == expected.count)
        let heapHinted = model.hints.told.contains(5_000)
        #expect(!heapHinted)
    }

    @Test("Hold benchmark delivers the requested number of events")
    func holdBenchmarkRuns() {
        let first = Engine.holdBenchmark(events: 10_000, pending: 100, seed: 3)
        #expect(first.events == 10_000)
        #expect(first.seconds > 0)
        let queued = HoldBenchmark.runQueue(QuaternaryHeap.self, events: 10_000, pending: 100, seed: 3)
        #expect(queued.events == 10_000)
    }
}
