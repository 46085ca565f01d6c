/// An array-backed 4-ary min-heap of ``EventEntry`` ordered by `(time, sequence)`.
///
/// Children of node i are 4i+1 … 4i+4. Compared with a binary heap it halves the depth,
/// and a node's four children (4 × 32 bytes) span two cache lines. The backing buffer is
/// kept at its full capacity (the slots past the live ones are left uninitialized and
/// never read) and the live count is tracked separately; it is a ``FlatArray``, written
/// through a pointer with no uniqueness check, so a heap has **reference semantics** for
/// its entries (copies share them: the engine owns its heap and never copies it).
public struct QuaternaryHeap: EventQueue {
    private var slots: FlatArray<EventEntry>
    /// The number of live entries (a prefix of `slots`).
    public private(set) var count = 0

    public init(minimumCapacity: Int = 0) {
        slots = FlatArray(uninitializedCount: Swift.max(minimumCapacity, 16))
    }

    public var first: EventEntry? { count > 0 ? slots.storage.base[0] : nil }

    /// O(log₄ n).
    public mutating func insert(_ entry: EventEntry) {
        if count == slots.count {
            slots.extendUninitialized(to: slots.count * 2)
        }
        let start = count
        count &+= 1
        QuaternaryHeap.siftUp(entry, from: start, in: slots.storage.base)
    }

    /// O(log₄ n). Bottom-up ("Wegener") deletion: the hole left by the minimum sinks along
    /// the path of smallest children to a leaf without comparing against the displaced last
    /// entry (three comparisons per level instead of four), then that entry sifts up from
    /// there, which is usually zero or one level because it came from the bottom.
    public mutating func popFirst() -> EventEntry? {
        guard count > 0 else { return nil }
        count &-= 1
        let remaining = count
        let heap = slots.storage.base
        let top = heap[0]
        if remaining > 0 {
            QuaternaryHeap.fillRoot(heap, count: remaining, with: heap[remaining])
        }
        return top
    }

    /// Removes the earliest entry, which the caller has already read through ``first``;
    /// the heap must not be empty.
    @inline(__always)
    mutating func removeFirstKnownNonEmpty() {
        count &-= 1
        let remaining = count
        if remaining > 0 {
            let heap = slots.storage.base
            QuaternaryHeap.fillRoot(heap, count: remaining, with: heap[remaining])
        }
    }

    /// Removes and returns the earliest entry if it is due at or before `limit`.
    public mutating func popFirst(notAfter limit: SimTime) -> EventEntry? {
        guard count > 0 else { return nil }
        let remaining = count &- 1
        let heap = slots.storage.base
        let top = heap[0]
        guard top.time <= limit else { return nil }
        if remaining > 0 {
            QuaternaryHeap.fillRoot(heap, count: remaining, with: heap[remaining])
        }
        count = remaining
        return top
    }

    /// Places `entry` into the `count`-entry heap at `heap` whose root slot is vacant.
    ///
    /// Keys `(time, sequence)` are unique (one sequence counter per engine), so the order is
    /// total and any correct choice of the smallest child gives the same pop order.
    @inline(__always)
    private static func fillRoot(_ heap: UnsafeMutablePointer<EventEntry>, count n: Int, with entry: EventEntry) {
        var hole = 0
        // Sink the hole along the smallest children. While a node has all four children,
        // pick the smallest by a two-round tournament (three comparisons, no loop).
        while true {
            let c0 = hole &* 4 &+ 1
            if c0 &+ 3 >= n { break }
            let c1 = c0 &+ 1, c2 = c0 &+ 2, c3 = c0 &+ 3
            let low = heap[c1].precedes(heap[c0]) ? c1 : c0
            let high = heap[c3].precedes(heap[c2]) ? c3 : c2
            let best = heap[high].precedes(heap[low]) ? high : low
            heap[hole] = heap[best]
            hole = best
        }
        // At most one node with one to three children remains; its children are leaves.
        let firstChild = hole &* 4 &+ 1
        if firstChild < n {
            var best = firstChild
            var child = firstChild &+ 1
            while child < n {
                if heap[child].precedes(heap[best]) { best = child }
                child &+= 1
            }
            heap[hole] = heap[best]
            hole = best
        }
        // Sift the displaced entry up from the leaf.
        siftUp(entry, from: hole, in: heap)
    }

    /// Places `entry` at the vacant slot `hole` or, moving parents down, above it.
    @inline(__always)
    private static func siftUp(_ entry: EventEntry, from hole: Int, in heap: UnsafeMutablePointer<EventEntry>) {
        var hole = hole
        while hole > 0 {
            let parent = (hole &- 1) >> 2
            let parentEntry = heap[parent]
            guard entry.precedes(parentEntry) else { break }
            heap[hole] = parentEntry
            hole = parent
        }
        heap[hole] = entry
    }

    /// Removes every entry, keeping the storage.
    public mutating func removeAll() {
        count = 0
    }
}
