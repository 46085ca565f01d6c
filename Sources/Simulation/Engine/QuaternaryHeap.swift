/// An array-backed 4-ary min-heap of ``EventEntry`` ordered by `(time, sequence)`.
///
/// Children of node i are 4i+1 … 4i+4. Compared with a binary heap it halves the depth,
/// and a node's four children (4 × 32 bytes) span two cache lines. Both operations move a
/// "hole" instead of swapping and work on the unsafe buffer, so they allocate nothing
/// once the array has grown to its working size.
public struct QuaternaryHeap: EventQueue {
    @usableFromInline
    var storage: [EventEntry]

    public init(minimumCapacity: Int = 0) {
        storage = []
        storage.reserveCapacity(minimumCapacity)
    }

    @inlinable public var count: Int { storage.count }

    @inlinable public var first: EventEntry? { storage.first }

    /// O(log₄ n).
    public mutating func insert(_ entry: EventEntry) {
        storage.append(entry)
        storage.withUnsafeMutableBufferPointer { heap in
            var hole = heap.count - 1
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

    /// O(log₄ n): up to four comparisons per level.
    public mutating func popFirst() -> EventEntry? {
        guard let last = storage.popLast() else { return nil }
        if storage.isEmpty { return last }
        return storage.withUnsafeMutableBufferPointer { heap in
            let top = heap[0]
            let n = heap.count
            var hole = 0
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
                guard bestEntry.precedes(last) else { break }
                heap[hole] = bestEntry
                hole = best
            }
            heap[hole] = last
            return top
        }
    }

    /// Removes every entry, keeping the storage.
    public mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
    }
}
