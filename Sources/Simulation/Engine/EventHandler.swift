/// The model side of the engine: reacts to each event as the engine delivers it.
///
/// Delivery is synchronous: the engine pops the next event, sets ``Engine/now`` to its
/// time and calls `handle`, which may schedule or cancel further events through `engine`.
public protocol EventHandler {
    mutating func handle(_ event: Event, engine: inout Engine)

    /// A hint that `event` will be delivered soon: it sits ``Engine/lookAheadDistance``
    /// places behind the head of a ``TimerList``, so a model may prefetch the records it
    /// will touch. It must not change any state. The default does nothing.
    func willHandle(_ event: Event)
}

extension EventHandler {
    @inline(__always)
    public func willHandle(_ event: Event) {}
}
