/// What happens when a scheduled instant arrives: a small, model-defined code plus two IDs.
///
/// The engine never interprets an event; the model's ``EventHandler`` switches on `kind`
/// and uses `a`/`b` as indices into its own tables (connection slot, server index, …).
/// Keeping events to 12 bytes keeps queue entries at 32 bytes.
public struct Event: Hashable, Sendable, BitwiseCopyable {
    /// Model-defined event type.
    public var kind: UInt32
    /// First model-defined identifier.
    public var a: UInt32
    /// Second model-defined identifier.
    public var b: UInt32

    @inlinable
    public init(kind: UInt32, a: UInt32 = 0, b: UInt32 = 0) {
        self.kind = kind
        self.a = a
        self.b = b
    }
}

/// A scheduled event as stored in an ``EventQueue`` or ``TimerList``: 32 bytes.
///
/// Entries are ordered by `(time, sequence)`; `sequence` comes from one counter per engine,
/// so entries due at the same instant come out in the order they were scheduled.
public struct EventEntry: Sendable, BitwiseCopyable {
    /// When the event is due.
    public var time: SimTime
    /// Insertion counter: the FIFO tie-breaker.
    public var sequence: UInt64
    /// The payload.
    public var event: Event
    /// 0 for plain events; otherwise the engine's cancellation slot of a timer.
    public var timerSlot: UInt32

    @inlinable
    public init(time: SimTime, sequence: UInt64, event: Event, timerSlot: UInt32 = 0) {
        self.time = time
        self.sequence = sequence
        self.event = event
        self.timerSlot = timerSlot
    }

    /// Whether `self` is due strictly before `other` in `(time, sequence)` order.
    @inlinable
    public func precedes(_ other: EventEntry) -> Bool {
        time.nanoseconds < other.time.nanoseconds
            || (time.nanoseconds == other.time.nanoseconds && sequence < other.sequence)
    }
}

/// Identifies a cancellable timer; see ``Engine/startTimer(_:at:)`` and ``Engine/cancel(_:)``.
///
/// Stale tokens are harmless: a slot's generation changes when its timer fires or is
/// cancelled, so cancelling an old token is a no-op.
public struct TimerToken: Hashable, Sendable {
    let slot: UInt32
    let generation: UInt32
}
