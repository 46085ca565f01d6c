@preconcurrency import CGSL

/// A FIFO of timers that all share one duration (TIME_WAIT, FIN_WAIT, persistence
/// timeouts, …), or of events scheduled in time order (an engine's ordered list, see
/// ``Engine/makeOrderedList()``; its `duration` is zero and unused).
///
/// Because every timer is armed at the engine's current time plus the same `duration`,
/// and the clock never goes back, deadlines arrive in insertion order: the list needs no
/// heap, only an O(1) ring-buffer deque. The engine compares the list's head with the
/// event heap's head. Cancellation is lazy, through the engine's timer slots.
///
/// The ring is a ``FlatArray`` written through a pointer with no uniqueness check, so the
/// queued entries have **reference semantics** (copies of a list share them; the engine
/// owns its lists and never copies one).
public struct TimerList {
    /// The delay shared by every timer in this list.
    public let duration: SimDuration
    private var ring: FlatArray<EventEntry>
    private var head = 0
    /// The number of timers queued (including cancelled ones not yet reached).
    public private(set) var count = 0

    /// An empty list for timers of length `duration`.
    public init(duration: SimDuration, minimumCapacity: Int = 16) {
        precondition(duration >= .zero, "a timer list's duration cannot be negative")
        self.duration = duration
        var capacity = 16
        while capacity < minimumCapacity { capacity <<= 1 }
        // Slots are written when a timer is queued, before any read.
        ring = FlatArray(uninitializedCount: capacity)
    }

    /// Whether no timer is queued.
    public var isEmpty: Bool { count == 0 }

    /// The earliest timer, if any.
    public var first: EventEntry? {
        count == 0 ? nil : ring[head]
    }

    /// The earliest timer. - Precondition: the list is not empty (unchecked).
    @inline(__always)
    var uncheckedFirst: EventEntry {
        ring.storage.base[head]
    }

    /// The timer `offset` places behind the head, if the list is that long (unchecked read).
    @inline(__always)
    func entry(behindHead offset: Int) -> EventEntry? {
        guard offset < count else { return nil }
        return ring.storage.base[(head &+ offset) & (ring.count &- 1)]
    }

    /// Prefetches the ring slot `offset` places behind the head (a hint only).
    @inline(__always)
    func prefetchRing(behindHead offset: Int) {
        lvssim_prefetch(ring.storage.base + ((head &+ offset) & (ring.count &- 1)))
    }

    /// Removes the earliest timer. - Precondition: the list is not empty (unchecked).
    @inline(__always)
    mutating func removeFirst() {
        head = (head &+ 1) & (ring.count &- 1)
        count &-= 1
    }

    /// The latest timer, if any.
    public var last: EventEntry? {
        count == 0 ? nil : ring[(head &+ count &- 1) & (ring.count &- 1)]
    }

    /// Appends a timer. O(1) amortised.
    /// - Precondition: `entry` is not due before the current last timer.
    public mutating func append(_ entry: EventEntry) {
        if let last {
            precondition(!entry.precedes(last), "TimerList entries must be appended in (time, sequence) order")
        }
        appendInOrder(entry)
    }

    /// ``append(_:)`` for a caller that guarantees the order: the engine, whose
    /// fixed-duration lists (``Engine/schedule(_:in:)``, ``Engine/startTimer(_:in:)``) are
    /// in order by construction and whose ordered lists are checked by
    /// ``Engine/schedule(_:at:inOrderIn:)``.
    @inline(__always)
    mutating func appendInOrder(_ entry: EventEntry) {
        if count == ring.count { grow() }
        let ring = ring.storage.base
        let mask = self.ring.count &- 1
        ring[(head &+ count) & mask] = entry
        // The slot a few appends ahead is last written a whole timeout ago: fetch it now.
        lvssim_prefetch(ring + ((head &+ count &+ 8) & mask))
        count &+= 1
    }

    /// Removes and returns the earliest timer. O(1).
    public mutating func popFirst() -> EventEntry? {
        guard count > 0 else { return nil }
        let entry = ring.storage.base[head]
        head = (head &+ 1) & (ring.count &- 1)
        count &-= 1
        return entry
    }

    private mutating func grow() {
        let capacity = ring.count * 2
        // The head's run to the end of the ring, then the wrapped part; the slots past
        // them are only ever written before being read.
        let bigger = FlatArray<EventEntry>(uninitializedCount: capacity)
        let firstRun = Swift.min(count, ring.count - head)
        let from = ring.storage.base, to = bigger.storage.base
        to.initialize(from: from + head, count: firstRun)
        (to + firstRun).initialize(from: from, count: count - firstRun)
        ring = bigger
        head = 0
    }
}
