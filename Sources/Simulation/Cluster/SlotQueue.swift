/// First-in first-out queues of connection slots, one per server: FCFS servers'
/// waiting lines.
///
/// Each line is a ring buffer (capacity a power of two, doubled when full). The lines'
/// bookkeeping sits in one flat buffer owned by this object, so a push or pop is a few
/// loads and stores: no uniqueness check, no call into the array runtime, no reference
/// count traffic, and nothing is ever shifted down. Like ``FlatArray`` it has
/// **reference semantics**.
final class SlotQueues {
    /// One line: its buffer, the position of its oldest slot, its length, and its
    /// capacity − 1.
    struct Ring {
        var base: UnsafeMutablePointer<Int32>
        var head: Int
        var count: Int
        var mask: Int
    }

    private let rings: UnsafeMutablePointer<Ring>
    /// How many lines.
    let lineCount: Int

    /// `lines` empty lines, each with room for `capacity` slots (rounded up to a power of
    /// two, at least 16) before it grows.
    init(lines: Int, capacity: Int = 16) {
        var rounded = 16
        while rounded < capacity { rounded *= 2 }
        lineCount = lines
        rings = .allocate(capacity: Swift.max(lines, 1))
        for line in 0..<lines {
            (rings + line).initialize(to: Ring(base: .allocate(capacity: rounded), head: 0, count: 0, mask: rounded - 1))
        }
    }

    deinit {
        for line in 0..<lineCount { rings[line].base.deallocate() }
        rings.deallocate()
    }

    /// The length of line `line`.
    func count(_ line: Int) -> Int { rings[line].count }

    /// Adds `slot` at the back of line `line`.
    @inline(__always)
    func push(_ slot: Int32, to line: Int) {
        let ring = rings + line
        if ring.pointee.count > ring.pointee.mask { grow(line) }
        ring.pointee.base[(ring.pointee.head + ring.pointee.count) & ring.pointee.mask] = slot
        ring.pointee.count += 1
    }

    /// Removes and returns the slot at the front of line `line` (nil when empty).
    @inline(__always)
    func popFirst(_ line: Int) -> Int32? {
        let ring = rings + line
        let count = ring.pointee.count
        guard count > 0 else { return nil }
        let head = ring.pointee.head
        ring.pointee.head = (head + 1) & ring.pointee.mask
        ring.pointee.count = count - 1
        return ring.pointee.base[head]
    }

    /// Doubles a full line's buffer, unrolling it so that the oldest slot comes first.
    private func grow(_ line: Int) {
        let ring = rings[line]
        let capacity = ring.mask + 1
        let bigger = UnsafeMutablePointer<Int32>.allocate(capacity: capacity * 2)
        for i in 0..<ring.count { bigger[i] = ring.base[(ring.head + i) & ring.mask] }
        ring.base.deallocate()
        rings[line] = Ring(base: bigger, head: 0, count: ring.count, mask: capacity * 2 - 1)
    }
}
