import Testing
@testable import Simulation

@Suite("FlatArray (the model's in-place records)")
struct FlatArrayTests {
    @Test func appendGrowPopAndWriteInPlace() {
        let array = FlatArray<Int>(capacity: 2)
        for i in 0..<1_000 { array.append(i * 3) }
        #expect(array.count == 1_000)
        #expect(array[999] == 2_997 && array[0] == 0)
        array[500] += 1
        #expect(array[500] == 1_501)
        #expect(array.popLast() == 2_997)
        #expect(array.count == 999)
        let sum = array.reduce(0, +)
        // 3·(0 + … + 998) + the one increment.
        #expect(sum == 3 * 998 * 999 / 2 + 1)
        array.reserveCapacity(5_000)
        #expect(array.count == 999 && array[998] == 2_994)
        while array.popLast() != nil {}
        #expect(array.isEmpty && array.popLast() == nil)
    }

    /// Plain records can be counted before they are written (the engine's ring and heap
    /// slots): written ones survive growth, and the count never shrinks.
    @Test func uninitializedRecordsAreCountedAndKeptAcrossGrowth() {
        let array = FlatArray<Int64>(uninitializedCount: 5)
        #expect(array.count == 5)
        for i in 0..<5 { array[i] = Int64(i * 7) }
        array.extendUninitialized(to: 40)
        #expect(array.count == 40 && array[4] == 28 && array[0] == 0)
        array[39] = -1
        array.extendUninitialized(to: 10)
        #expect(array.count == 40 && array[39] == -1)
    }

    @Test func copiesShareTheRecords() {
        struct Record { var a: Int64; var b: Int32 }
        var original = FlatArray(repeating: Record(a: 1, b: 2), count: 3)
        let copy = original
        original[1].a = 42
        #expect(copy[1].a == 42)  // reference semantics: one buffer
        // Growth moves the buffer; every copy follows it.
        for _ in 0..<100 { original.append(Record(a: 7, b: 7)) }
        #expect(copy.count == 103 && copy[102].a == 7 && copy[1].a == 42)
        original = FlatArray([Record(a: 5, b: 5)])
        #expect(original.count == 1 && copy.count == 103)
    }
}

@Suite("SlotQueues (FCFS servers' waiting lines)")
struct SlotQueueTests {
    /// First in, first out on each line while its ring wraps around and while it grows
    /// with its front in the middle of the buffer; the lines stay apart.
    @Test func firstInFirstOutAcrossWrapAndGrowth() {
        let queues = SlotQueues(lines: 2, capacity: 4)  // rounded up to 16 each
        #expect(queues.count(0) == 0 && queues.popFirst(0) == nil)
        queues.push(1_000, to: 1)
        // Ten in, six out: line 0's front is at position 6.
        for slot in Int32(0)..<10 { queues.push(slot, to: 0) }
        for expected in Int32(0)..<6 { #expect(queues.popFirst(0) == expected) }
        // Twelve more: positions 10…15 then 0…5 (wrapped), 16 held in all.
        for slot in Int32(10)..<22 { queues.push(slot, to: 0) }
        #expect(queues.count(0) == 16)
        // One more doubles the ring, unrolled from the front (slot 6).
        queues.push(22, to: 0)
        #expect(queues.count(0) == 17 && queues.count(1) == 1)
        var out: [Int32] = []
        while let slot = queues.popFirst(0) { out.append(slot) }
        #expect(out == Array(6...22))
        #expect(queues.popFirst(1) == 1_000 && queues.popFirst(1) == nil)
    }
}

@Suite("The model's hot records")
struct HotRecordLayoutTests {
    /// A connection slot is read on every event of its connection: it fits one 64-byte
    /// cache line (four Int64 times, the optional entry handle padded to 12 bytes, four
    /// 32-bit fields, the port and two flag bytes). An entry timer is 8 + 3 × 4 bytes,
    /// padded to 24.
    @Test func sizes() {
        #expect(MemoryLayout<ClusterModel.ConnSlot>.stride == 64)
        #expect(MemoryLayout<ClusterModel.EntryTimer>.stride == 24)
    }
}
