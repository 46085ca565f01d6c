import LVSModel

/// `dh` (`ip_vs_dh.c`): a 256-bucket table where bucket i holds the server at
/// `i mod n` in kernel list order (weights ignored). Refilled on init, add and
/// delete — **not** on edit.
///
/// Key: `hash_32(fold(destination address), 8)`. The bucket's server is
/// returned unless it is not AVAILABLE, has weight ≤ 0 or is OVERLOAD
/// (no fallback).
public struct DestinationHashingScheduler: Scheduler {
    public static let name = "dh"
    public static let tableBits = 8
    public static let tableSize = 1 << tableBits
    /// Server index per bucket, -1 = empty.
    public private(set) var buckets: [Int32]

    public init(service: VirtualService) {
        buckets = Array(repeating: -1, count: Self.tableSize)
        refill(count: service.servers.count)
    }

    mutating func refill(count: Int) {
        for i in 0..<Self.tableSize { buckets[i] = count == 0 ? -1 : Int32(i % count) }
    }

    public mutating func apply(_ change: TableChange, service: VirtualService) {
        switch change {
        case .serverAdded, .serverDeleted: refill(count: service.servers.count)
        default: break
        }
    }

    public mutating func select<Random: SchedulerRandomSource>(
        flow: FlowKey, service: VirtualService, nowNanoseconds: Int64, random: inout Random
    ) -> Int? {
        let bucket = Int(KernelHash.hash32(flow.destination.address.folded, bits: Self.tableBits))
        let index = Int(buckets[bucket])
        guard index >= 0, index < service.servers.count else { return nil }
        let server = service.servers[index]
        guard server.isAvailable, server.weight > 0, !server.isOverloaded else { return nil }
        return index
    }
}
