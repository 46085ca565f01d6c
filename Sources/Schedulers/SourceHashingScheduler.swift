import LVSModel

/// `sh` (`ip_vs_sh.c`): a 256-bucket table filled by walking the kernel list
/// cyclically, giving each server `max(weight, 1)` consecutive buckets.
/// Refilled on init, add, delete and edit (current weights).
///
/// Key: `hash_32(port + fold(source address), 8)`, with port = the client's
/// source port when `sh-port` (`.sched2`) is set and the packet is
/// TCP/UDP/SCTP, else 0. A bucket's server is unavailable when its weight ≤ 0
/// or it is OVERLOAD. With `sh-fallback` (`.sched1`) an unavailable bucket is
/// followed by probing buckets `(offset + 2 × base) mod 256`, offset 0…255,
/// until an available server (or an empty bucket, which fails).
public struct SourceHashingScheduler: Scheduler {
    public static let name = "sh"
    public static let tableBits = 8
    public static let tableSize = 1 << tableBits
    /// Server index per bucket, -1 = empty.
    public private(set) var buckets: [Int32]

    public init(service: VirtualService) {
        buckets = Array(repeating: -1, count: Self.tableSize)
        refill(service.servers)
    }

    mutating func refill(_ servers: [RealServer]) {
        guard !servers.isEmpty else {
            for i in buckets.indices { buckets[i] = -1 }
            return
        }
        var current = 0
        var given: Int32 = 0
        for i in 0..<Self.tableSize {
            buckets[i] = Int32(current)
            given += 1
            if given >= servers[current].weight {
                current += 1
                if current == servers.count { current = 0 }
                given = 0
            }
        }
    }

    public mutating func apply(_ change: TableChange, service: VirtualService) {
        switch change {
        case .serverAdded, .serverDeleted, .serverEdited: refill(service.servers)
        default: break
        }
    }

    /// The bucket a source address and port hash to.
    @inlinable
    public static func bucket(source: IPAddress, port: UInt16) -> Int {
        Int(KernelHash.hash32(UInt32(port) &+ source.folded, bits: tableBits))
    }

    public mutating func select<Random: SchedulerRandomSource>(
        flow: FlowKey, service: VirtualService, nowNanoseconds: Int64, random: inout Random
    ) -> Int? {
        let port: UInt16 = service.flags.contains(.sched2) && flow.proto != nil ? flow.source.port : 0
        let base = Self.bucket(source: flow.source.address, port: port)
        let first = Int(buckets[base])
        guard first >= 0 else { return nil }
        if Self.isAvailable(service.servers[first]) { return first }
        guard service.flags.contains(.sched1) else { return nil }
        for offset in 0..<Self.tableSize {
            let probe = Int(buckets[(offset + 2 * base) & (Self.tableSize - 1)])
            guard probe >= 0 else { return nil }
            if Self.isAvailable(service.servers[probe]) { return probe }
        }
        return nil
    }

    @inlinable
    static func isAvailable(_ server: RealServer) -> Bool {
        server.weight > 0 && !server.isOverloaded
    }
}
