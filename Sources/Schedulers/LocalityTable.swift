import LVSModel

/// Tunables of the lblc/lblcr locality tables (kernel constants and sysctls).
public struct LocalityConfiguration: Hashable, Sendable {
    /// `lblc_expiration` / `lblcr_expiration` sysctl (default 24 h): a full
    /// check deletes entries idle this long; lblcr also uses it to shrink sets.
    public var expirationNanoseconds: Int64 = 86_400 * 1_000_000_000
    /// GC timer period (`CHECK_EXPIRE_INTERVAL`, 60 s).
    public var checkIntervalNanoseconds: Int64 = 60 * 1_000_000_000
    /// Idle time after which an over-capacity pass deletes entries (`ENTRY_TIMEOUT`, 6 min).
    public var overflowEntryTimeoutNanoseconds: Int64 = 360 * 1_000_000_000
    /// Every this many timer runs a full check is made (`COUNT_FOR_FULL_EXPIRATION`).
    public var fullCheckPeriod: Int = 30
    /// `max_size` = buckets × 16.
    public var maximumEntries: Int = 16_384

    public init() {}
}

/// A server referenced by a locality entry: by endpoint (the kernel keeps a
/// reference to the object, which survives deletion and is revived when the
/// same address and port are re-added), with a cached list index.
struct ServerReference: Hashable, Sendable {
    var endpoint: Endpoint
    var hint: Int

    init(_ index: Int, in servers: [RealServer]) {
        endpoint = servers[index].endpoint
        hint = index
    }

    /// The server's current index, or nil while it is not in the list
    /// (deleted: not AVAILABLE). Refreshes the hint.
    mutating func resolve(in servers: [RealServer]) -> Int? {
        if hint < servers.count, servers[hint].address == endpoint.address, servers[hint].port == endpoint.port {
            return hint
        }
        for index in servers.indices where servers[index].address == endpoint.address && servers[index].port == endpoint.port {
            hint = index
            return index
        }
        return nil
    }
}

/// The kernel's 1024-bucket locality hash table keyed by destination address,
/// with its 60 s garbage-collection timer (spec §7.10), shared by lblc and lblcr.
struct LocalityTable<Payload: Sendable>: Sendable {
    struct Entry: Sendable {
        var address: IPAddress
        var lastUse: Int64
        var payload: Payload
    }

    static var bucketBits: Int { 10 }
    static var bucketCount: Int { 1 << bucketBits }

    /// Buckets; within a bucket the newest entry comes first (hlist head insertion).
    var buckets: [[Entry]] = Array(repeating: [], count: 1 << 10)
    var count = 0
    var rover = 0
    var counter = 1
    /// When the GC timer fires next (nil until the first ``advance(to:)``).
    var nextCheck: Int64?
    var configuration: LocalityConfiguration

    init(configuration: LocalityConfiguration) {
        self.configuration = configuration
    }

    @inlinable
    static func bucket(of address: IPAddress) -> Int {
        Int(KernelHash.hash32(address.folded, bits: bucketBits))
    }

    /// Bucket and position of the entry for `address`.
    func find(_ address: IPAddress) -> (bucket: Int, position: Int)? {
        let bucket = Self.bucket(of: address)
        for position in buckets[bucket].indices where buckets[bucket][position].address == address {
            return (bucket, position)
        }
        return nil
    }

    /// Inserts a fresh entry at the head of its bucket (after removing any old one).
    mutating func insert(_ address: IPAddress, payload: Payload, now: Int64) {
        if let (bucket, position) = find(address) {
            buckets[bucket].remove(at: position)
            count -= 1
        }
        buckets[Self.bucket(of: address)].insert(Entry(address: address, lastUse: now, payload: payload), at: 0)
        count += 1
    }

    /// Runs every GC timer expiry due at or before `now`; the first call arms the timer.
    mutating func advance(to now: Int64) {
        guard var due = nextCheck else {
            nextCheck = now + configuration.checkIntervalNanoseconds
            return
        }
        while due <= now {
            runCheck(at: due)
            due += configuration.checkIntervalNanoseconds
        }
        nextCheck = due
    }

    /// One timer run (`ip_vs_lblc_check_expire` / `ip_vs_lblcr_check_expire`).
    mutating func runCheck(at now: Int64) {
        if counter % configuration.fullCheckPeriod == 0 {
            sweep(now: now, idle: configuration.expirationNanoseconds, goal: nil)
            counter = 1
            return
        }
        if count <= configuration.maximumEntries {
            counter += 1
            return
        }
        let goal = min((count - configuration.maximumEntries) * 4 / 3, configuration.maximumEntries / 2)
        sweep(now: now, idle: configuration.overflowEntryTimeoutNanoseconds, goal: goal)
    }

    /// Scans buckets from `rover + 1`, deleting entries with `now ≥ lastUse + idle`;
    /// with a goal, stops after the bucket in which the removals reach it.
    private mutating func sweep(now: Int64, idle: Int64, goal: Int?) {
        var remaining = goal ?? 0
        var bucket = rover
        for _ in 0..<Self.bucketCount {
            bucket = (bucket + 1) & (Self.bucketCount - 1)
            let before = buckets[bucket].count
            if before > 0 {
                buckets[bucket].removeAll { now >= $0.lastUse + idle }
                let removed = before - buckets[bucket].count
                count -= removed
                remaining -= removed
            }
            if goal != nil && remaining <= 0 { break }
        }
        rover = bucket
    }
}
