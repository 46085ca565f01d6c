/// The discrete-event engine: a clock, a 4-ary event heap, FIFO timer lists, ordered
/// lists of events scheduled in time order, and lazily-cancellable timers.
///
/// Events due at the same instant are delivered in scheduling order (one insertion
/// counter orders heap and timer-list entries alike), so a run is a deterministic
/// function of the model and its random streams.
///
/// The queues are written in place through pointers (no uniqueness check per operation),
/// so an engine is not meant to be copied: a copy would share its queued events.
public struct Engine {
    /// The current simulated time: the time of the event being (or last) delivered.
    public private(set) var now: SimTime
    /// Events delivered so far (cancelled timers not included).
    public private(set) var eventsProcessed = 0

    var heap: QuaternaryHeap
    /// The timer lists, written in place (a ``FlatArray``: the engine is never copied).
    var timerLists = FlatArray<TimerList>(capacity: 4)
    /// Whether `timerLists` is non-empty, kept as a plain flag for the hot path.
    var hasTimerLists = false
    /// Per timer list, a copy of its head, or ``Engine/noHead`` while it is empty: the
    /// earliest head is found by scanning this short contiguous array, not the rings.
    var listHeads = FlatArray<EventEntry>(capacity: 4)
    /// The list whose head is the earliest of all list heads (-1: every list is empty).
    /// A list's head changes only when it is popped or appended to while empty, so this
    /// is kept up to date there (a pop from a list scans ``listHeads``) instead of on
    /// every pop.
    var earliestList = -1
    /// The head of `earliestList` (``Engine/noHead`` while it is -1): compared with the
    /// heap's head on every pop without reading the list.
    var earliestHead = Engine.noHead
    var nextSequence: UInt64 = 0
    /// Per timer slot: generation << 1 | cancelled bit. Slot 0 is reserved for "not a timer".
    var slotStates: [UInt32] = [0]
    var freeSlots: [UInt32] = []
    var stopRequested = false
    /// The timer list the last popped entry came from (-1: the heap).
    var poppedList = -1

    /// A fresh engine whose clock reads `startTime`.
    public init(startTime: SimTime = .zero, expectedPendingEvents: Int = 1024) {
        now = startTime
        heap = QuaternaryHeap(minimumCapacity: expectedPendingEvents)
        freeSlots.reserveCapacity(64)
        slotStates.reserveCapacity(64)
    }

    /// Entries waiting in the heap and timer lists, including cancelled timers not yet reached.
    public var pendingCount: Int {
        timerLists.reduce(heap.count) { $0 + $1.count }
    }

    // MARK: Scheduling

    /// Schedules `event` at `time`. The cheapest path: the event cannot be cancelled.
    /// - Precondition: `time >= now`.
    public mutating func schedule(_ event: Event, at time: SimTime) {
        precondition(time >= now, "cannot schedule \(event) at \(time), before now (\(now))")
        heap.insert(EventEntry(time: time, sequence: takeSequence(), event: event))
    }

    /// Schedules `event` after `delay` (≥ 0) from now.
    public mutating func schedule(_ event: Event, after delay: SimDuration) {
        schedule(event, at: now + delay)
    }

    /// Schedules a cancellable `event` at `time`.
    @discardableResult
    public mutating func startTimer(_ event: Event, at time: SimTime) -> TimerToken {
        precondition(time >= now, "cannot start a timer at \(time), before now (\(now))")
        let token = allocateSlot()
        heap.insert(EventEntry(time: time, sequence: takeSequence(), event: event, timerSlot: token.slot))
        return token
    }

    /// Schedules a cancellable `event` after `delay` from now.
    @discardableResult
    public mutating func startTimer(_ event: Event, after delay: SimDuration) -> TimerToken {
        startTimer(event, at: now + delay)
    }

    /// Cancels the timer `token` if it is still pending. Returns whether it was.
    /// Lazy: the entry stays queued and is skipped when it comes up.
    @discardableResult
    public mutating func cancel(_ token: TimerToken) -> Bool {
        guard isPending(token) else { return false }
        slotStates[Int(token.slot)] |= 1
        return true
    }

    /// Whether `token`'s timer is scheduled, not yet fired and not cancelled.
    public func isPending(_ token: TimerToken) -> Bool {
        let index = Int(token.slot)
        return index > 0 && index < slotStates.count && slotStates[index] == token.generation << 1
    }

    // MARK: Timer lists

    /// Creates a FIFO list for timers of length `duration`; see ``TimerList``.
    public mutating func makeTimerList(duration: SimDuration) -> TimerListID {
        timerLists.append(TimerList(duration: duration))
        listHeads.append(Engine.noHead)
        hasTimerLists = true
        return TimerListID(index: timerLists.count - 1)
    }

    /// The duration of the timers in `list`.
    public func duration(of list: TimerListID) -> SimDuration {
        timerLists[list.index].duration
    }

    /// Schedules `event` at `now + duration(of: list)` without a heap operation. Not cancellable.
    @inline(__always)
    public mutating func schedule(_ event: Event, in list: TimerListID) {
        let time = now + timerLists[list.index].duration
        append(EventEntry(time: time, sequence: takeSequence(), event: event), to: list.index)
    }

    /// The head recorded for an empty list: every real entry precedes it (no entry is
    /// ever given the last sequence number).
    static let noHead = EventEntry(time: SimTime(nanoseconds: .max), sequence: .max, event: Event(kind: 0))

    /// Appends to list `index`, keeping ``listHeads`` and ``earliestList``. The caller
    /// guarantees the order: a fixed-duration list's entries are due at `now + duration`
    /// with `now` never going back, and ``schedule(_:at:inOrderIn:)`` checks its own.
    @inline(__always)
    private mutating func append(_ entry: EventEntry, to index: Int) {
        let wasEmpty = timerLists[index].isEmpty
        timerLists[index].appendInOrder(entry)
        if wasEmpty {
            listHeads[index] = entry
            if entry.precedes(earliestHead) {
                earliestList = index
                earliestHead = entry
            }
        }
    }

    /// Pops the head of list `index` (not empty) and recomputes ``earliestList``.
    @inline(__always)
    private mutating func removeFirst(ofList index: Int) {
        timerLists[index].removeFirst()
        listHeads[index] = timerLists[index].isEmpty ? Engine.noHead : timerLists[index].uncheckedFirst
        let heads = listHeads.storage.base
        var best = 0
        for candidate in 1..<listHeads.count where heads[candidate].precedes(heads[best]) {
            best = candidate
        }
        earliestHead = heads[best]
        earliestList = earliestHead.sequence == .max ? -1 : best
    }

    /// Creates a FIFO list for events that are scheduled in time order, such as the
    /// arrivals of a renewal process (each drawn when the previous one is delivered): see
    /// ``schedule(_:at:inOrderIn:)``. Its own ID type keeps the fixed-duration calls
    /// (``schedule(_:in:)``, ``startTimer(_:in:)``) away from it, and it from them.
    public mutating func makeOrderedList() -> OrderedListID {
        OrderedListID(index: makeTimerList(duration: .zero).index)
    }

    /// Schedules `event` at `time` (≥ now) in `list` when no entry of the list is due
    /// after `time` (an O(1) append, and an O(1) pop later), else in the event heap.
    /// Either way it is delivered in the same `(time, sequence)` order.
    @inline(__always)
    public mutating func schedule(_ event: Event, at time: SimTime, inOrderIn list: OrderedListID) {
        // A new entry's sequence is above every queued one's, so it precedes the list's
        // last entry exactly when it is due before it.
        if let last = timerLists[list.index].last, time < last.time {
            schedule(event, at: time)
        } else {
            precondition(time >= now, "cannot schedule \(event) at \(time), before now (\(now))")
            append(EventEntry(time: time, sequence: takeSequence(), event: event), to: list.index)
        }
    }

    /// Starts a cancellable timer in `list`, due at `now + duration(of: list)`.
    @discardableResult
    public mutating func startTimer(_ event: Event, in list: TimerListID) -> TimerToken {
        let token = allocateSlot()
        let time = now + timerLists[list.index].duration
        append(EventEntry(time: time, sequence: takeSequence(), event: event, timerSlot: token.slot), to: list.index)
        return token
    }

    // MARK: Running

    /// Asks a running ``run(until:handler:)`` to return after the current event.
    public mutating func stop() {
        stopRequested = true
    }

    /// Delivers the next live event, if any. Returns `false` when nothing is pending.
    @discardableResult
    public mutating func step<Handler: EventHandler>(_ handler: inout Handler) -> Bool {
        guard let entry = popNext(notAfter: .distantFuture) else { return false }
        deliver(entry, to: &handler)
        return true
    }

    /// Delivers events due at or before `limit` (all of them by default) until none remain
    /// or the handler calls ``stop()``; then, unless stopped, advances the clock to `limit`
    /// (when finite). Returns the number of events delivered.
    @discardableResult
    public mutating func run<Handler: EventHandler>(
        until limit: SimTime = .distantFuture, handler: inout Handler
    ) -> Int {
        stopRequested = false
        let before = eventsProcessed
        while !stopRequested, let entry = popNext(notAfter: limit) {
            if poppedList >= 0 { lookAhead(poppedList, handler: &handler) }
            deliver(entry, to: &handler)
        }
        if !stopRequested && limit != .distantFuture && limit > now {
            now = limit
        }
        return eventsProcessed - before
    }

    /// Removes and returns the next live entry due at or before `limit`, skipping cancelled timers.
    /// Does not move the clock.
    @inline(__always)
    mutating func popNext(notAfter limit: SimTime) -> EventEntry? {
        if hasTimerLists {
            return popNextMerged(notAfter: limit)
        }
        while let entry = heap.popFirst(notAfter: limit) {
            if entry.timerSlot == 0 || releaseSlot(entry.timerSlot) {
                return entry
            }
        }
        return nil
    }

    /// ``popNext(notAfter:)`` when timer lists exist: takes the earlier of the heap head and
    /// the earliest list head (``earliestList``). Inlined into the run loop (a call per
    /// event cost more than the loop's size); the heap-only path still reads no list state.
    @inline(__always)
    mutating func popNextMerged(notAfter limit: SimTime) -> EventEntry? {
        while true {
            let entry: EventEntry
            let list = earliestList
            poppedList = -1
            if list >= 0 {
                let head = earliestHead
                if let top = heap.first, top.precedes(head) {
                    guard top.time <= limit else { return nil }
                    heap.removeFirstKnownNonEmpty()
                    entry = top
                } else {
                    guard head.time <= limit else { return nil }
                    removeFirst(ofList: list)
                    poppedList = list
                    entry = head
                }
            } else {
                guard let top = heap.popFirst(notAfter: limit) else { return nil }
                entry = top
            }
            if entry.timerSlot == 0 || releaseSlot(entry.timerSlot) {
                return entry
            }
        }
    }

    /// Timer lists are consumed in order, so what they will deliver next is known: the
    /// handler hears of the event ``lookAheadDistance`` places behind the new head (it may
    /// prefetch the records that event will touch, which a 60–120 s old timer finds cold),
    /// and the ring's cache line further on is prefetched.
    @inline(__always)
    private func lookAhead<Handler: EventHandler>(_ list: Int, handler: inout Handler) {
        // The entry is read first and the handler called outside any closure (a closure
        // capturing it would copy it).
        if let ahead = timerLists[list].entry(behindHead: Engine.lookAheadDistance) {
            timerLists[list].prefetchRing(behindHead: Engine.lookAheadDistance + 8)
            handler.willHandle(ahead.event)
        }
    }

    /// How far behind a timer list's head ``EventHandler/willHandle(_:)`` looks.
    public static let lookAheadDistance = 12

    @inline(__always)
    private mutating func deliver<Handler: EventHandler>(_ entry: EventEntry, to handler: inout Handler) {
        now = entry.time
        eventsProcessed &+= 1
        handler.handle(entry.event, engine: &self)
    }

    private mutating func takeSequence() -> UInt64 {
        defer { nextSequence &+= 1 }
        return nextSequence
    }

    private mutating func allocateSlot() -> TimerToken {
        if let slot = freeSlots.popLast() {
            return TimerToken(slot: slot, generation: slotStates[Int(slot)] >> 1)
        }
        precondition(slotStates.count < Int(UInt32.max), "too many pending timers")
        slotStates.append(0)
        return TimerToken(slot: UInt32(slotStates.count - 1), generation: 0)
    }

    /// Frees `slot` as its entry leaves the queue; returns whether the timer was live.
    @inline(never)
    private mutating func releaseSlot(_ slot: UInt32) -> Bool {
        let state = slotStates[Int(slot)]
        slotStates[Int(slot)] = ((state >> 1) &+ 1) << 1
        freeSlots.append(slot)
        return state & 1 == 0
    }
}

/// Identifies a ``TimerList`` owned by an ``Engine``.
public struct TimerListID: Hashable, Sendable {
    let index: Int
}

/// Identifies an ordered list owned by an ``Engine`` (see ``Engine/makeOrderedList()``).
public struct OrderedListID: Hashable, Sendable {
    let index: Int
}
