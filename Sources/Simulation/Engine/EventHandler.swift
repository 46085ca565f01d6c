/// The model side of the engine: reacts to each event as the engine delivers it.
///
/// Delivery is synchronous: the engine pops the next event, sets ``Engine/now`` to its
/// time and calls `handle`, which may schedule or cancel further events through `engine`.
public protocol EventHandler {
    mutating func handle(_ event: Event, engine: inout Engine)
}
