@preconcurrency import CGSL

/// A FIFO of timers that all share one duration (TIME_WAIT, FIN_WAIT, persistence
/// timeouts, …).
///
/// Because every timer is armed at the engine's current time plus the same `duration`,
/// and the clock never goes back, deadlines arrive in insertion order: the list needs no
/// heap, only an O(1) ring-buffer deque. The engine compares the list's head with the
/// event heap's head. Cancellation is lazy, through the engine's timer slots.
public struct TimerList {
    /// The delay shared by every timer in this list.
    public let duration: SimDuration
    private var ring: [EventEntry]
    private var head = 0
    /// The number of timers queued (including cancelled ones not yet reached).
    public private(set) var count = 0

    /// An empty list for timers of length `duration`.
    public init(duration: SimDuration, minimumCapacity: Int = 16) {
        precondition(duration >= .zero, "a timer list's duration cannot be negative")
        self.duration = duration
        var capacity = 16
        while capacity < minimumCapacity { capacity <<= 1 }
        ring = Array(repeating: EventEntry(time: .zero, sequence: 0, event: Event(kind: 0)), count: capacity)
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
        ring.withUnsafeBufferPointer { $0[head] }
    }

    /// The timer `offset` places behind the head, if the list is that long (unchecked read).
    @inline(__always)
    func entry(behindHead offset: Int) -> EventEntry? {
        guard offset < count else { return nil }
        return ring.withUnsafeBufferPointer { $0[(head &+ offset) & ($0.count &- 1)] }
    }

    /// Prefetches the ring slot `offset` places behind the head (a hint only).
    @inline(__always)
    func prefetchRing(behindHead offset: Int) {
        ring.withUnsafeBufferPointer { ring in
            lvssim_prefetch(ring.baseAddress.unsafelyUnwrapped + ((head &+ offset) & (ring.count &- 1)))
        }
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
        if count == ring.count { grow() }
        let head = head
        let count = count
        ring.withUnsafeMutableBufferPointer { ring in
            let mask = ring.count &- 1
            if count > 0 {
                precondition(
                    !entry.precedes(ring[(head &+ count &- 1) & mask]),
                    "TimerList entries must be appended in (time, sequence) order")
            }
            ring[(head &+ count) & mask] = entry
        }
        self.count = count &+ 1
    }

    /// Removes and returns the earliest timer. O(1).
    public mutating func popFirst() -> EventEntry? {
        guard count > 0 else { return nil }
        let entry = ring.withUnsafeBufferPointer { $0[head] }
        head = (head &+ 1) & (ring.count &- 1)
        count &-= 1
        return entry
    }

    private mutating func grow() {
        let capacity = ring.count * 2
        // Two block copies: the head's run to the end of the ring, then the wrapped part.
        // The slots past them are only ever written before being read (EventEntry is a
        // trivial type), so they are left as they come instead of being filled.
        let firstRun = Swift.min(count, ring.count - head)
        let bigger = ring.withUnsafeBufferPointer { source in
            [EventEntry](unsafeUninitializedCapacity: capacity) { target, initialized in
                let to = target.baseAddress.unsafelyUnwrapped
                let from = source.baseAddress.unsafelyUnwrapped
                to.initialize(from: from + head, count: firstRun)
                (to + firstRun).initialize(from: from, count: count - firstRun)
                initialized = capacity
            }
        }
        ring = bigger
        head = 0
    }
}
