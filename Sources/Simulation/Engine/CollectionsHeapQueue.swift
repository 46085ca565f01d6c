import Collections

/// ``EventQueue`` over swift-collections' min-max `Heap`, kept as a benchmark baseline
/// for ``QuaternaryHeap``.
public struct CollectionsHeapQueue: EventQueue {
    struct Item: Comparable {
        let entry: EventEntry
        static func < (lhs: Item, rhs: Item) -> Bool { lhs.entry.precedes(rhs.entry) }
        static func == (lhs: Item, rhs: Item) -> Bool {
            lhs.entry.time == rhs.entry.time && lhs.entry.sequence == rhs.entry.sequence
        }
    }

    private var heap: Heap<Item>

    public init(minimumCapacity: Int = 0) {
        heap = Heap()
        heap.reserveCapacity(minimumCapacity)
    }

    public var count: Int { heap.count }

    public var first: EventEntry? { heap.min?.entry }

    public mutating func insert(_ entry: EventEntry) {
        heap.insert(Item(entry: entry))
    }

    public mutating func popFirst() -> EventEntry? {
        heap.popMin()?.entry
    }
}
