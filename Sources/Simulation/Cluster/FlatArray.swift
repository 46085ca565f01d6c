/// A growable array of plain records read and written in place through a pointer: the
/// cluster model's hot state (connection slots, entry timers, per-server counters) and
/// the engine's heap and timer-list rings.
///
/// Unlike `Array` it has **reference semantics**: copies share one buffer, so a write
/// needs no uniqueness check (a Swift array pays one runtime call per mutation, which
/// the connection path did some forty times per connection). Its owners (a model, an
/// engine) are never copied to keep an old state.
struct FlatArray<Element>: RandomAccessCollection {
    /// Owns the buffer; the records are read through `storage.base` on every access,
    /// so growth (which moves the buffer) is seen by every copy.
    final class Storage {
        @exclusivity(unchecked) var base: UnsafeMutablePointer<Element>
        @exclusivity(unchecked) var count = 0
        @exclusivity(unchecked) var capacity: Int

        init(capacity: Int) {
            self.capacity = Swift.max(capacity, 4)
            base = .allocate(capacity: self.capacity)
        }

        deinit {
            base.deinitialize(count: count)
            base.deallocate()
        }

        func grow(to minimum: Int) {
            var newCapacity = capacity
            while newCapacity < minimum { newCapacity *= 2 }
            let bigger = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
            bigger.moveInitialize(from: base, count: count)
            base.deallocate()
            base = bigger
            capacity = newCapacity
        }
    }

    let storage: Storage

    /// An empty array with room for `capacity` records.
    init(capacity: Int = 16) {
        storage = Storage(capacity: capacity)
    }

    /// `count` copies of `value`.
    init(repeating value: Element, count: Int) {
        storage = Storage(capacity: count)
        storage.base.initialize(repeating: value, count: count)
        storage.count = count
    }

    /// `count` records left uninitialized, for plain records that are always written
    /// before they are read (the engine's ring and heap slots past the live ones): no
    /// pass over the memory to fill it, which would also touch every page at once.
    init(uninitializedCount count: Int) where Element: BitwiseCopyable {
        storage = Storage(capacity: count)
        storage.count = count
    }

    /// The elements of `array`.
    init(_ array: [Element]) {
        storage = Storage(capacity: array.count)
        array.withUnsafeBufferPointer { source in
            if let from = source.baseAddress { storage.base.initialize(from: from, count: source.count) }
        }
        storage.count = array.count
    }

    var startIndex: Int { 0 }
    var endIndex: Int { storage.count }

    @inline(__always)
    func index(after i: Int) -> Int { i + 1 }

    @inline(__always)
    func index(before i: Int) -> Int { i - 1 }

    /// The record at `index` (checked in debug builds only, like an unsafe buffer).
    subscript(index: Int) -> Element {
        @inline(__always) unsafeAddress {
            assert(index >= 0 && index < storage.count, "FlatArray index out of range")
            return UnsafePointer(storage.base + index)
        }
        @inline(__always) nonmutating unsafeMutableAddress {
            assert(index >= 0 && index < storage.count, "FlatArray index out of range")
            return storage.base + index
        }
    }

    /// Appends a record (amortised O(1)).
    @inline(__always)
    func append(_ element: Element) {
        let count = storage.count
        if count == storage.capacity { storage.grow(to: count + 1) }
        (storage.base + count).initialize(to: element)
        storage.count = count + 1
    }

    /// Removes and returns the last record, if any.
    @inline(__always)
    func popLast() -> Element? {
        let count = storage.count
        guard count > 0 else { return nil }
        storage.count = count - 1
        return (storage.base + count - 1).move()
    }

    /// Grows the count to `newCount` (at least the current one), the new records left
    /// uninitialized like ``init(uninitializedCount:)``'s.
    func extendUninitialized(to newCount: Int) where Element: BitwiseCopyable {
        reserveCapacity(newCount)
        if newCount > storage.count { storage.count = newCount }
    }

    /// Makes room for `capacity` records without changing the contents.
    func reserveCapacity(_ capacity: Int) {
        if capacity > storage.capacity { storage.grow(to: capacity) }
    }
}
