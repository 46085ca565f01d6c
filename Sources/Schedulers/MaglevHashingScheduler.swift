import LVSModel

/// `mh` (`ip_vs_mh.c`): Maglev consistent hashing over a 4093-slot lookup
/// table (spec §7.14), rebuilt on init, add, delete and edit from each
/// server's `lastWeight` (so quiescing to weight 0 keeps the table).
///
/// Lookup: `hsiphash(fold(source) + port, key1) mod 4093`, port = source port
/// with `mh-port` (`.sched2`) for TCP/UDP/SCTP, else 0. Unavailable = weight
/// ≤ 0 or OVERLOAD. With `mh-fallback` (`.sched1`) the kernel re-hashes with
/// offsets `(k + slot) mod 4093` added into the hashed value.
public struct MaglevHashingScheduler: Scheduler {
    public static let name = "mh"
    public static let tableSize = 4093
    public static let weightBits = 6
    /// hsiphash key for offsets and lookups (both key words).
    public static let key1: UInt64 = 2_654_435_761
    /// hsiphash key for skips (both key words).
    public static let key2: UInt64 = 2_654_446_892

    /// Server index per slot, -1 = empty.
    public private(set) var slots: [Int32]

    public init(service: VirtualService) {
        slots = Array(repeating: -1, count: Self.tableSize)
        rebuild(service.servers)
    }

    /// `H(addr, port, offset)`: hsiphash of `offset + port + fold(addr)` (mod 2³²).
    @inlinable
    public static func hash(_ address: IPAddress, port: UInt16, offset: UInt32, key: UInt64) -> UInt32 {
        KernelHash.hsiphash(offset &+ UInt32(port) &+ address.folded, key: key)
    }

    mutating func rebuild(_ servers: [RealServer]) {
        let count = servers.count
        guard count <= Self.tableSize else { return }  // the kernel refuses; table unchanged
        var divisor: Int32 = 0
        var maximum: Int32 = 0
        for server in servers where server.lastWeight > 0 {
            divisor = divisor > 0 ? WeightedRoundRobinScheduler.gcd(server.lastWeight, divisor) : server.lastWeight
            if server.lastWeight > maximum { maximum = server.lastWeight }
        }
        guard divisor > 0 else {
            for i in slots.indices { slots[i] = -1 }
            return
        }
        let scaledMax = UInt32(maximum / divisor)
        let bitLength = 32 - scaledMax.leadingZeroBitCount
        let shift = max(0, bitLength - Self.weightBits)
        var permutation = [Int](repeating: 0, count: count)
        var skip = [Int](repeating: 0, count: count)
        var turns = [Int](repeating: 0, count: count)
        for (index, server) in servers.enumerated() {
            permutation[index] = Int(Self.hash(server.address, port: server.port, offset: 0, key: Self.key1) % UInt32(Self.tableSize))
            skip[index] = Int(Self.hash(server.address, port: server.port, offset: 0, key: Self.key2) % UInt32(Self.tableSize - 1)) + 1
            let weight = server.lastWeight
            let scaled = weight > 0 ? Int((weight / divisor) >> Int32(shift)) : 0
            turns[index] = scaled != 0 ? scaled : (weight != 0 ? 1 : 0)
        }
        var taken = [Bool](repeating: false, count: Self.tableSize)
        var filled = 0
        while filled < Self.tableSize {
            for index in 0..<count where turns[index] > 0 {
                for _ in 0..<turns[index] {
                    var slot = permutation[index]
                    while taken[slot] {
                        slot += skip[index]
                        if slot >= Self.tableSize { slot -= Self.tableSize }
                    }
                    permutation[index] = slot
                    taken[slot] = true
                    slots[slot] = Int32(index)
                    filled += 1
                    if filled == Self.tableSize { return }
                }
            }
        }
    }

    public mutating func apply(_ change: TableChange, service: VirtualService) {
        switch change {
        case .serverAdded, .serverDeleted, .serverEdited: rebuild(service.servers)
        default: break
        }
    }

    public mutating func select<Random: SchedulerRandomSource>(
        flow: FlowKey, service: VirtualService, nowNanoseconds: Int64, random: inout Random
    ) -> Int? {
        let port: UInt16 = service.flags.contains(.sched2) && flow.proto != nil ? flow.source.port : 0
        let address = flow.source.address
        let size = UInt32(Self.tableSize)
        let home = Self.hash(address, port: port, offset: 0, key: Self.key1) % size
        let first = Int(slots[Int(home)])
        guard first >= 0, first < service.servers.count else { return nil }
        if Self.isAvailable(service.servers[first]) { return first }
        guard service.flags.contains(.sched1) else { return nil }
        for offset in 0..<size {
            let rehash = (offset + home) % size
            let slot = Self.hash(address, port: port, offset: rehash, key: Self.key1) % size
            let index = Int(slots[Int(slot)])
            guard index >= 0, index < service.servers.count else { return nil }
            if Self.isAvailable(service.servers[index]) { return index }
        }
        return nil
    }

    @inlinable
    static func isAvailable(_ server: RealServer) -> Bool {
        server.weight > 0 && !server.isOverloaded
    }
}
