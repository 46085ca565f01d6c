import LVSModel

/// One scheduler instance per virtual service of a table, kept in step with
/// the table's ``TableChange``s exactly as the kernel's hooks are called.
///
/// Storage is laid out for the decision path: kernel schedulers live in a
/// contiguous array and are mutated in place (no dictionary `_modify`
/// coroutine, no move of the payload through an ``AnyScheduler``), and the
/// service is found through a small open-addressed index with a cheap
/// multiplicative hash of the ``ServiceKey`` instead of `Hasher`/SipHash.
public struct SchedulerSet: Sendable {
    public var registry: SchedulerRegistry

    /// Service of each entry.
    @usableFromInline var keys: [ServiceKey] = []
    /// Kernel scheduler of each entry (`.vacant` storage for a custom one).
    @usableFromInline var kernels: [KernelScheduler] = []
    /// User scheduler of each entry (nil for a kernel one).
    @usableFromInline var customs: [(any Scheduler)?] = []
    /// Open-addressed index (linear probing): entry + 1 per bucket, 0 = empty.
    /// Its size is a power of two at least twice the entry count.
    @usableFromInline var index: [Int32] = Array(repeating: 0, count: 8)
    @usableFromInline var indexBits: Int = 3

    public init(registry: SchedulerRegistry = .allKernel) {
        self.registry = registry
    }

    /// Live schedulers by service (absent for "none").
    public var schedulers: [ServiceKey: AnyScheduler] {
        var result: [ServiceKey: AnyScheduler] = [:]
        for entry in keys.indices { result[keys[entry]] = scheduler(at: entry) }
        return result
    }

    /// The scheduler of one service.
    public subscript(key: ServiceKey) -> AnyScheduler? {
        entry(of: key).map { scheduler(at: $0) }
    }

    private func scheduler(at entry: Int) -> AnyScheduler {
        if let custom = customs[entry] { return .custom(custom) }
        return .kernel(kernels[entry])
    }

    /// Applies the changes one mutation of `table` returned (`table` already
    /// mutated): init on `serviceAdded` or a scheduler change, drop on
    /// `serviceDeleted`, add/delete/edit hooks otherwise. New schedulers see
    /// `advance(to: nowNanoseconds)` to start their timers.
    public mutating func apply(_ changes: [TableChange], table: IPVSTable, nowNanoseconds: Int64) {
        for change in changes { apply(change, table: table, nowNanoseconds: nowNanoseconds) }
    }

    /// Applies one change; see ``apply(_:table:nowNanoseconds:)``.
    public mutating func apply(_ change: TableChange, table: IPVSTable, nowNanoseconds: Int64) {
        switch change {
        case .serviceAdded(let key):
            initialise(key, table: table, nowNanoseconds: nowNanoseconds)
        case .serviceEdited(let key, let schedulerChanged):
            if schedulerChanged { initialise(key, table: table, nowNanoseconds: nowNanoseconds) }
        case .serviceDeleted(let key):
            remove(key)
        case .serverAdded(let key, _), .serverEdited(let key, _, _), .serverDeleted(let key, _, _):
            guard let service = table.service(key), let entry = entry(of: key) else { return }
            if customs[entry] != nil {
                customs[entry]!.apply(change, service: service)
            } else {
                kernels[entry].apply(change, service: service)
            }
        case .statsZeroed, .timeoutsChanged, .daemonChanged:
            break
        }
    }

    private mutating func initialise(_ key: ServiceKey, table: IPVSTable, nowNanoseconds: Int64) {
        guard let service = table.service(key), var scheduler = registry.makeScheduler(for: service) else {
            remove(key)
            return
        }
        scheduler.advance(to: nowNanoseconds)
        let kernel: KernelScheduler
        let custom: (any Scheduler)?
        switch scheduler {
        case .kernel(let k): kernel = k; custom = nil
        case .custom(let c): kernel = KernelScheduler(vacant: ()); custom = c
        }
        if let entry = entry(of: key) {
            kernels[entry] = kernel
            customs[entry] = custom
        } else {
            keys.append(key)
            kernels.append(kernel)
            customs.append(custom)
            rebuildIndex()
        }
    }

    private mutating func remove(_ key: ServiceKey) {
        guard let entry = entry(of: key) else { return }
        keys.remove(at: entry)
        kernels.remove(at: entry)
        customs.remove(at: entry)
        rebuildIndex()
    }

    private mutating func rebuildIndex() {
        var bits = 3
        while (1 << bits) < 2 * keys.count { bits += 1 }
        indexBits = bits
        index = Array(repeating: 0, count: 1 << bits)
        let mask = (1 << bits) - 1
        for entry in keys.indices {
            var bucket = Self.bucket(of: keys[entry], bits: bits)
            while index[bucket] != 0 { bucket = (bucket + 1) & mask }
            index[bucket] = Int32(entry + 1)
        }
    }

    /// Bucket of `key` in an index of 2^bits buckets: a golden-ratio
    /// multiplicative hash of the key's fields (no `Hasher`).
    @inlinable
    static func bucket(of key: ServiceKey, bits: Int) -> Int {
        let mixed: UInt32
        switch key {
        case .address(let proto, let endpoint):
            mixed = endpoint.address.folded ^ (UInt32(endpoint.port) << 8) ^ UInt32(proto.rawValue)
        case .fwmark(let mark, let family):
            mixed = mark ^ (UInt32(family.rawValue) << 24) ^ 0x5BD1_E995
        }
        return Int((mixed &* 0x61C8_8647) >> UInt32(32 - bits))
    }

    /// The entry of `key`, if it has a scheduler.
    @inlinable
    func entry(of key: ServiceKey) -> Int? {
        let mask = index.count - 1
        var bucket = Self.bucket(of: key, bits: indexBits)
        while true {
            let stored = Int(index[bucket])
            if stored == 0 { return nil }
            if keys[stored - 1] == key { return stored - 1 }
            bucket = (bucket + 1) & mask
        }
    }

    /// The position of `key`'s scheduler, for ``select(entry:flow:service:nowNanoseconds:random:)``;
    /// nil when the service has none. Valid until the next ``apply(_:table:nowNanoseconds:)``.
    public func entryIndex(of key: ServiceKey) -> Int? {
        entry(of: key)
    }

    /// Whether the scheduler at `entry` is a kernel one (not a user ``Scheduler``).
    @inlinable
    public func isKernelScheduler(entry: Int) -> Bool {
        if case .vacant = kernels[entry].storage { return false }
        return true
    }

    /// The kind of the kernel scheduler at `entry` when it decides from the server list
    /// alone (see ``KernelScheduler/choose(_:from:)``); nil for any other, and for a user
    /// scheduler.
    public func listOnlyKind(entry: Int) -> ListOnlySchedulerKind? {
        guard isKernelScheduler(entry: entry) else { return nil }
        return ListOnlySchedulerKind(kernels[entry].kind)
    }

    /// Runs timers of every scheduler up to `nowNanoseconds`.
    public mutating func advance(to nowNanoseconds: Int64) {
        for entry in keys.indices {
            if customs[entry] != nil {
                customs[entry]!.advance(to: nowNanoseconds)
            } else {
                kernels[entry].advance(to: nowNanoseconds)
            }
        }
    }

    /// Schedules a new connection of `service`; nil = no destination
    /// (including a service whose scheduler is "none").
    @inlinable
    public mutating func select<Random: SchedulerRandomSource>(
        flow: FlowKey, service: VirtualService, nowNanoseconds: Int64, random: inout Random
    ) -> Int? {
        guard let entry = entry(of: service.key) else { return nil }
        return select(entry: entry, flow: flow, service: service, nowNanoseconds: nowNanoseconds, random: &random)
    }

    /// ``select(flow:service:nowNanoseconds:random:)`` for the scheduler at `entry`
    /// (see ``entryIndex(of:)``), without looking the service's key up.
    @inlinable
    public mutating func select<Random: SchedulerRandomSource>(
        entry: Int, flow: FlowKey, service: VirtualService, nowNanoseconds: Int64, random: inout Random
    ) -> Int? {
        if case .vacant = kernels[entry].storage {
            return selectCustom(entry: entry, flow: flow, service: service, nowNanoseconds: nowNanoseconds, random: &random)
        }
        return kernels[entry].select(flow: flow, service: service, nowNanoseconds: nowNanoseconds, random: &random)
    }

    @usableFromInline
    mutating func selectCustom<Random: SchedulerRandomSource>(
        entry: Int, flow: FlowKey, service: VirtualService, nowNanoseconds: Int64, random: inout Random
    ) -> Int? {
        guard var custom = customs[entry] else { return nil }
        customs[entry] = nil  // keep the payload uniquely referenced while it mutates
        let chosen = custom.select(flow: flow, service: service, nowNanoseconds: nowNanoseconds, random: &random)
        customs[entry] = custom
        return chosen
    }
}
