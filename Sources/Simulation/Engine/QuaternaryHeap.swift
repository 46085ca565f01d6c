/// An array-backed 4-ary min-heap of ``EventEntry`` ordered by `(time, sequence)`.
///
/// Children of node i are 4i+1 … 4i+4. Compared with a binary heap it halves the depth,
/// and a node's four children (4 × 32 bytes) span two cache lines. The backing array is
/// kept at its full capacity (unused slots hold a filler) and the live count is tracked
/// separately, so each operation makes exactly one uniqueness check (one
/// `withUnsafeMutableBufferPointer`) and allocates nothing once grown.
public struct QuaternaryHeap: EventQueue {
    private var slots: [EventEntry]
    /// The number of live entries (a prefix of `slots`).
    public private(set) var count = 0

    private static let filler = EventEntry(time: .zero, sequence: 0, event: Event(kind: 0))

    public init(minimumCapacity: Int = 0) {
        slots = Array(repeating: QuaternaryHeap.filler, count: Swift.max(minimumCapacity, 16))
    }

    public var first: EventEntry? { count > 0 ? slots[0] : nil }

    /// O(log₄ n).
    public mutating func insert(_ entry: EventEntry) {
        if count == slots.count {
            slots.append(contentsOf: repeatElement(QuaternaryHeap.filler, count: slots.count))
        }
        let start = count
        count &+= 1
        slots.withUnsafeMutableBufferPointer { heap in
            var hole = start
            while hole > 0 {
                let parent = (hole &- 1) >> 2
                let parentEntry = heap[parent]
                guard entry.precedes(parentEntry) else { break }
                heap[hole] = parentEntry
                hole = parent
            }
            heap[hole] = entry
        }
    }

    /// O(log₄ n). Bottom-up ("Wegener") deletion: the hole left by the minimum sinks along
    /// the path of smallest children to a leaf without comparing against the displaced last
    /// entry (three comparisons per level instead of four), then that entry sifts up from
    /// there, which is usually zero or one level because it came from the bottom.
    public mutating func popFirst() -> EventEntry? {
        guard count > 0 else { return nil }
        count &-= 1
        let remaining = count
        return slots.withUnsafeMutableBufferPointer { heap in
            let top = heap[0]
            if remaining > 0 {
                QuaternaryHeap.fillRoot(heap.baseAddress.unsafelyUnwrapped, count: remaining, with: heap[remaining])
            }
            return top
        }
    }

    /// Removes and returns the earliest entry if it is due at or before `limit`.
    public mutating func popFirst(notAfter limit: SimTime) -> EventEntry? {
        guard count > 0 else { return nil }
        let remaining = count &- 1
        let top: EventEntry? = slots.withUnsafeMutableBufferPointer { heap in
            let top = heap[0]
            guard top.time <= limit else { return nil }
            if remaining > 0 {
                QuaternaryHeap.fillRoot(heap.baseAddress.unsafelyUnwrapped, count: remaining, with: heap[remaining])
            }
            return top
        }
        if top != nil { count = remaining }
        return top
    }

    /// Places `entry` into the `count`-entry heap at `heap` whose root slot is vacant.
    @inline(__always)
    private static func fillRoot(_ heap: UnsafeMutablePointer<EventEntry>, count n: Int, with entry: EventEntry) {
        var hole = 0
        // Sink the hole to a leaf along the smallest children.
        while true {
            let firstChild = hole &* 4 &+ 1
            if firstChild >= n { break }
            var best = firstChild
            var bestEntry = heap[firstChild]
            let end = Swift.min(firstChild &+ 4, n)
            var child = firstChild &+ 1
            while child < end {
                let candidate = heap[child]
                if candidate.precedes(bestEntry) {
                    best = child
                    bestEntry = candidate
                }
                child &+= 1
            }
            heap[hole] = bestEntry
            hole = best
        }
        // Sift the displaced entry up from the leaf.
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
