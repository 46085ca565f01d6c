/// A priority queue of ``EventEntry`` values ordered by `(time, sequence)`.
///
/// The engine uses ``QuaternaryHeap``; the protocol exists so alternatives
/// (e.g. ``CollectionsHeapQueue``) can be compared in ``HoldBenchmark``.
public protocol EventQueue {
    /// An empty queue with room for `minimumCapacity` entries.
    init(minimumCapacity: Int)
    /// The number of entries.
    var count: Int { get }
    /// The earliest entry, if any.
    var first: EventEntry? { get }
    /// Adds an entry.
    mutating func insert(_ entry: EventEntry)
    /// Removes and returns the earliest entry, if any.
    mutating func popFirst() -> EventEntry?
}

extension EventQueue {
    /// Whether the queue holds no entries.
    public var isEmpty: Bool { count == 0 }
}
