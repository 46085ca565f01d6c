/// A stable handle on a live connection entry. Handles of removed entries
/// never resolve again (the generation changes when a slot is reused).
public struct ConnectionID: Hashable, Sendable {
    public let slot: Int32
    public let generation: UInt32

    @inlinable
    init(slot: Int32, generation: UInt32) {
        self.slot = slot
        self.generation = generation
    }
}

/// The key the kernel looks connections up by: protocol, client address and
/// port, virtual address and port. Templates use client port 0 and, for
/// firewall-mark services, a nil protocol and the mark as virtual address.
public struct ConnectionKey: Hashable, Sendable {
    public var proto: TransportProtocol?
    public var client: Endpoint
    public var virtual: Endpoint

    public init(proto: TransportProtocol?, client: Endpoint, virtual: Endpoint) {
        self.proto = proto
        self.client = client
        self.virtual = virtual
    }
}

/// The part of a table slot that packets and timers touch: state, timer,
/// counters' bookkeeping and the slot's own bookkeeping, 40 bytes. The
/// addresses live apart in ``ConnectionAddresses``, so an entry's timer
/// firing long after its last packet reads one cold record, not three.
@usableFromInline
package struct ConnectionHotRecord: Sendable {
    /// Expiry time in nanoseconds (``Connection/expiresAtNanoseconds``).
    @usableFromInline
    package var expiresAtNanoseconds: Int64
    /// ``Connection/timeoutSeconds``.
    @usableFromInline
    package var timeoutSeconds: UInt32
    /// Bumped when the slot is reused.
    @usableFromInline
    package var generation: UInt32
    /// The cached server location (``Connection/serviceIndex``, …).
    @usableFromInline
    package var serviceIndex: Int32
    @usableFromInline
    package var serverIndex: Int32
    @usableFromInline
    package var locationEpoch: UInt32
    /// The slot of the template controlling this entry, or -1.
    @usableFromInline
    package var controller: Int32
    /// Connections a template currently controls.
    @usableFromInline
    package var controlledCount: Int32
    @usableFromInline
    package var state: ConnectionState
    @usableFromInline
    package var forwarding: ForwardingMethod
    /// ``Flags`` bits.
    @usableFromInline
    package var flags: UInt8
    @usableFromInline
    package var proto: TransportProtocol?

    /// The bits of ``flags``.
    @usableFromInline
    package enum Flags {
        @inlinable package static var isLive: UInt8 { 1 }
        @inlinable package static var isIndexed: UInt8 { 2 }
        @inlinable package static var isTemplate: UInt8 { 4 }
        @inlinable package static var isAssured: UInt8 { 8 }
        @inlinable package static var isCountedActive: UInt8 { 16 }
    }

    @inlinable
    package init(
        expiresAtNanoseconds: Int64, timeoutSeconds: UInt32, generation: UInt32, serviceIndex: Int32,
        serverIndex: Int32, locationEpoch: UInt32, controller: Int32, controlledCount: Int32,
        state: ConnectionState, forwarding: ForwardingMethod, flags: UInt8, proto: TransportProtocol?
    ) {
        self.expiresAtNanoseconds = expiresAtNanoseconds
        self.timeoutSeconds = timeoutSeconds
        self.generation = generation
        self.serviceIndex = serviceIndex
        self.serverIndex = serverIndex
        self.locationEpoch = locationEpoch
        self.controller = controller
        self.controlledCount = controlledCount
        self.state = state
        self.forwarding = forwarding
        self.flags = flags
        self.proto = proto
    }

    @inlinable package func has(_ flag: UInt8) -> Bool { flags & flag != 0 }

    @inlinable
    package mutating func set(_ flag: UInt8, _ value: Bool) {
        flags = value ? flags | flag : flags & ~flag
    }

    @inlinable package var isLive: Bool { has(Flags.isLive) }
    @inlinable package var isTemplate: Bool { has(Flags.isTemplate) }

    @inlinable
    package var isCountedActive: Bool {
        get { has(Flags.isCountedActive) }
        set { set(Flags.isCountedActive, newValue) }
    }
}

/// The cold part of a table slot: what names the entry (its key, server and
/// service), read when an entry is listed, looked up or re-keyed.
@usableFromInline
struct ConnectionAddresses: Sendable {
    @usableFromInline var client: Endpoint
    @usableFromInline var virtual: Endpoint
    @usableFromInline var destination: Endpoint
    @usableFromInline var service: ServiceKey
    @usableFromInline var serverPort: UInt16

    @inlinable
    init(client: Endpoint, virtual: Endpoint, destination: Endpoint, service: ServiceKey, serverPort: UInt16) {
        self.client = client
        self.virtual = virtual
        self.destination = destination
        self.service = service
        self.serverPort = serverPort
    }
}

/// The director's connection table: connection entries and persistence
/// templates, in a slab with O(1) insert, remove and handle access.
///
/// Lookup by key is optional per entry (`isIndexed`): a simulation that never
/// reuses client ports can skip the hash index on its hot path. Templates are
/// always indexed.
///
/// A slot is stored in two parallel buffers, a compact hot record (state,
/// timer, flags) and the cold addresses; ``Connection`` values are put
/// together from both when asked for. The buffers and the free-slot stack
/// share one copy-on-write storage object (``ConnectionSlab``), so a
/// mutation pays one uniqueness check, not one per array.
public struct ConnectionTable: Sendable {
    /// Empty tables share ``ConnectionSlab/empty``; the first write gives a table its own.
    @usableFromInline var slab = ConnectionSlab.empty
    @usableFromInline var index: [ConnectionKey: Int32] = [:]
    /// Room asked for by ``reserveCapacity(_:)`` and not yet allocated (see there).
    @usableFromInline var pendingCapacity = 0
    /// Number of live entries (connections and templates): slots used minus slots free.
    public var count: Int { slab.count - slab.freeCount }
    /// Whether no entry can be found by key (none was inserted `indexed`, or all are gone).
    @inlinable public var hasNoIndexedEntries: Bool { index.isEmpty }

    public init() {}

    /// Copies the storage first if another table shares it (value semantics). Callers
    /// then read `slab` afresh rather than holding a reference to it, which would cost
    /// a retain and a release per call.
    @inlinable @inline(__always)
    mutating func makeSlabUnique() {
        if !isKnownUniquelyReferenced(&slab) { slab = slab.copy() }
    }

    /// Inserts an entry; when `controller` is given the entry is controlled
    /// by that template (its controlled count goes up).
    @discardableResult
    public mutating func insert(_ connection: Connection, indexed: Bool = true, controller: ConnectionID? = nil)
        -> ConnectionID
    {
        var flags: UInt8 = 0
        if connection.isTemplate { flags |= ConnectionHotRecord.Flags.isTemplate }
        if connection.isAssured { flags |= ConnectionHotRecord.Flags.isAssured }
        if connection.isCountedActive { flags |= ConnectionHotRecord.Flags.isCountedActive }
        return insert(
            proto: connection.proto, client: connection.client, virtual: connection.virtual,
            destination: connection.destination, service: connection.service, serverPort: connection.serverPort,
            state: connection.state, forwarding: connection.forwarding, flags: flags,
            expiresAtNanoseconds: connection.expiresAtNanoseconds, timeoutSeconds: connection.timeoutSeconds,
            serviceIndex: connection.serviceIndex, serverIndex: connection.serverIndex,
            locationEpoch: connection.locationEpoch, indexed: indexed, controller: controller)
    }

    /// ``insert(_:indexed:controller:)`` from the entry's fields, each written
    /// once into its slot; `flags` holds the isTemplate, isAssured and
    /// isCountedActive bits of ``ConnectionHotRecord/Flags``.
    @inlinable
    @discardableResult
    package mutating func insert(
        proto: TransportProtocol?, client: Endpoint, virtual: Endpoint, destination: Endpoint, service: ServiceKey,
        serverPort: UInt16, state: ConnectionState, forwarding: ForwardingMethod, flags: UInt8,
        expiresAtNanoseconds: Int64, timeoutSeconds: UInt32, serviceIndex: Int32, serverIndex: Int32,
        locationEpoch: UInt32, indexed: Bool, controller: ConnectionID?
    ) -> ConnectionID {
        makeSlabUnique()
        var controllerSlot: Int32 = -1
        if let controller, slab.resolves(controller) {
            controllerSlot = controller.slot
            slab.hot[Int(controller.slot)].controlledCount += 1
        }
        let isIndexed = indexed || flags & ConnectionHotRecord.Flags.isTemplate != 0
        var slotFlags = flags | ConnectionHotRecord.Flags.isLive
        if isIndexed { slotFlags |= ConnectionHotRecord.Flags.isIndexed }
        let position: Int
        let generation: UInt32
        if slab.freeCount > 0 {
            // The most recently freed slot: its records are the likeliest in cache.
            slab.freeCount -= 1
            position = Int(slab.free[slab.freeCount])
            generation = slab.hot[position].generation &+ 1
        } else {
            if slab.count == slab.capacity {
                // Full (or never allocated): room reserved and not yet taken comes first.
                slab.grow(to: Swift.max(slab.count + 1, pendingCapacity), exactly: pendingCapacity > slab.count)
                pendingCapacity = 0
            }
            position = slab.count
            generation = 0
            slab.count += 1
        }
        (slab.hot + position).initialize(
            to: ConnectionHotRecord(
                expiresAtNanoseconds: expiresAtNanoseconds, timeoutSeconds: timeoutSeconds, generation: generation,
                serviceIndex: serviceIndex, serverIndex: serverIndex, locationEpoch: locationEpoch,
                controller: controllerSlot, controlledCount: 0, state: state, forwarding: forwarding,
                flags: slotFlags, proto: proto))
        (slab.cold + position).initialize(
            to: ConnectionAddresses(
                client: client, virtual: virtual, destination: destination, service: service, serverPort: serverPort))
        let slotIndex = Int32(truncatingIfNeeded: position)
        if isIndexed {
            index[ConnectionKey(proto: proto, client: client, virtual: virtual)] = slotIndex
        }
        return ConnectionID(slot: slotIndex, generation: generation)
    }

    /// Whether the handle still names a live entry.
    @inlinable
    public func isValid(_ id: ConnectionID) -> Bool {
        slab.resolves(id)
    }

    /// Mutates the hot record of a live entry in one access; nil (and
    /// `body` is not called) when the handle is stale.
    @inlinable
    @discardableResult
    package mutating func updateHot<T>(_ id: ConnectionID, _ body: (inout ConnectionHotRecord) -> T) -> T? {
        makeSlabUnique()
        guard slab.resolves(id) else { return nil }
        let record = slab.hot + Int(id.slot)
        return body(&record.pointee)
    }

    /// Reads the hot record of a live entry.
    @inlinable
    package func readHot<T>(_ id: ConnectionID, _ body: (borrowing ConnectionHotRecord) -> T) -> T {
        precondition(slab.resolves(id), "ConnectionTable.readHot(_:_:): stale ConnectionID")
        return body(slab.hot[Int(id.slot)])
    }

    /// Marks the template in `slot` ASSURED if the slot is live (a
    /// controlled connection got established).
    @inlinable
    package mutating func assureTemplate(slot: Int32) {
        guard slot >= 0, Int(slot) < slab.count, slab.hot[Int(slot)].isLive else { return }
        makeSlabUnique()
        slab.hot[Int(slot)].set(ConnectionHotRecord.Flags.isAssured, true)
    }

    /// The entry in `slot`, put together from its two records.
    @inlinable
    func connection(at slot: Int) -> Connection {
        let record = slab.hot[slot]
        let addresses = slab.cold[slot]
        var connection = Connection(
            proto: record.proto, client: addresses.client, virtual: addresses.virtual,
            destination: addresses.destination, state: record.state, forwarding: record.forwarding,
            service: addresses.service, isTemplate: record.isTemplate,
            isAssured: record.has(ConnectionHotRecord.Flags.isAssured),
            expiresAtNanoseconds: record.expiresAtNanoseconds, timeoutSeconds: record.timeoutSeconds)
        connection.isCountedActive = record.isCountedActive
        connection.serverPort = addresses.serverPort
        connection.serviceIndex = record.serviceIndex
        connection.serverIndex = record.serverIndex
        connection.locationEpoch = record.locationEpoch
        return connection
    }

    /// Writes an entry's fields back into the records of `slot` (the slot's
    /// own bookkeeping is kept).
    @inlinable
    mutating func store(_ connection: Connection, at slot: Int) {
        makeSlabUnique()
        slab.hot[slot].proto = connection.proto
        slab.hot[slot].state = connection.state
        slab.hot[slot].forwarding = connection.forwarding
        slab.hot[slot].set(ConnectionHotRecord.Flags.isTemplate, connection.isTemplate)
        slab.hot[slot].set(ConnectionHotRecord.Flags.isAssured, connection.isAssured)
        slab.hot[slot].set(ConnectionHotRecord.Flags.isCountedActive, connection.isCountedActive)
        slab.hot[slot].expiresAtNanoseconds = connection.expiresAtNanoseconds
        slab.hot[slot].timeoutSeconds = connection.timeoutSeconds
        slab.hot[slot].serviceIndex = connection.serviceIndex
        slab.hot[slot].serverIndex = connection.serverIndex
        slab.hot[slot].locationEpoch = connection.locationEpoch
        slab.cold[slot] = ConnectionAddresses(
            client: connection.client, virtual: connection.virtual, destination: connection.destination,
            service: connection.service, serverPort: connection.serverPort)
    }

    /// The entry behind a live handle.
    public subscript(id: ConnectionID) -> Connection {
        @inlinable
        get {
            precondition(isValid(id), "ConnectionTable[_:]: stale ConnectionID")
            return connection(at: Int(id.slot))
        }
        _modify {
            precondition(isValid(id), "ConnectionTable[_:]: stale ConnectionID")
            var connection = connection(at: Int(id.slot))
            defer { store(connection, at: Int(id.slot)) }
            yield &connection
        }
    }

    /// Mutates a live entry in place and returns what `body` returns.
    @inlinable
    public mutating func modify<T>(_ id: ConnectionID, _ body: (inout Connection) -> T) -> T {
        precondition(isValid(id), "ConnectionTable.modify(_:_:): stale ConnectionID")
        var connection = connection(at: Int(id.slot))
        let result = body(&connection)
        store(connection, at: Int(id.slot))
        return result
    }

    /// Reads fields of a live entry.
    @inlinable
    public func read<T>(_ id: ConnectionID, _ body: (borrowing Connection) -> T) -> T {
        precondition(isValid(id), "ConnectionTable.read(_:_:): stale ConnectionID")
        return body(connection(at: Int(id.slot)))
    }

    /// Looks an indexed entry up by its key.
    public func lookup(_ key: ConnectionKey) -> ConnectionID? {
        if index.isEmpty { return nil }
        guard let slot = index[key] else { return nil }
        return ConnectionID(slot: slot, generation: slab.hot[Int(slot)].generation)
    }

    /// The template controlling an entry, if any.
    public func controller(of id: ConnectionID) -> ConnectionID? {
        guard isValid(id) else { return nil }
        let slot = slab.hot[Int(id.slot)].controller
        guard slot >= 0, slab.hot[Int(slot)].isLive else { return nil }
        return ConnectionID(slot: slot, generation: slab.hot[Int(slot)].generation)
    }

    /// How many live entries a template controls.
    public func controlledCount(of id: ConnectionID) -> Int32 {
        isValid(id) ? slab.hot[Int(id.slot)].controlledCount : 0
    }

    /// Changes an indexed entry's key (the kernel re-keys an invalid template
    /// so it can never match again).
    public mutating func rekey(_ id: ConnectionID, virtualPort: UInt16, destinationPort: UInt16) {
        guard isValid(id) else { return }
        makeSlabUnique()
        let position = Int(id.slot)
        let proto = slab.hot[position].proto
        var addresses = slab.cold[position]
        let oldKey = ConnectionKey(proto: proto, client: addresses.client, virtual: addresses.virtual)
        if index[oldKey] == id.slot { index[oldKey] = nil }
        addresses.virtual.port = virtualPort
        addresses.destination.port = destinationPort
        addresses.client.port = 0
        slab.cold[position] = addresses
        let newKey = ConnectionKey(proto: proto, client: addresses.client, virtual: addresses.virtual)
        if index[newKey] == nil { index[newKey] = id.slot }
    }

    /// Removes an entry and returns it; its controlling template's count drops.
    @discardableResult
    public mutating func remove(_ id: ConnectionID) -> Connection? {
        guard isValid(id) else { return nil }
        let connection = connection(at: Int(id.slot))
        discard(id)
        return connection
    }

    /// Removes an entry like ``remove(_:)`` without returning (copying) it.
    /// Returns whether the handle named a live entry. Only the hot records
    /// are touched unless the entry is indexed.
    @discardableResult
    public mutating func discard(_ id: ConnectionID) -> Bool {
        makeSlabUnique()
        guard slab.resolves(id) else { return false }
        discard(slot: Int(id.slot))
        return true
    }

    /// Mutates the hot record of a live entry like ``updateHot(_:_:)`` and, when `body`
    /// answers true as well, removes the entry (as ``discard(_:)``) in the same access.
    /// Nil (and `body` is not called) when the handle is stale.
    @inlinable @inline(__always)
    package mutating func updateHot<T>(
        _ id: ConnectionID, discardingIf body: (inout ConnectionHotRecord) -> (T, discard: Bool)
    ) -> T? {
        makeSlabUnique()
        guard slab.resolves(id) else { return nil }
        let record = slab.hot + Int(id.slot)
        let (result, discards) = body(&record.pointee)
        if discards { discard(slot: Int(id.slot)) }
        return result
    }

    /// Removes the live entry in `position` (the storage is unique already).
    @inlinable @inline(__always)
    mutating func discard(slot position: Int) {
        let controller = slab.hot[position].controller
        if controller >= 0, slab.hot[Int(controller)].isLive {
            slab.hot[Int(controller)].controlledCount -= 1
        }
        if slab.hot[position].has(ConnectionHotRecord.Flags.isIndexed) {
            let key = ConnectionKey(
                proto: slab.hot[position].proto, client: slab.cold[position].client,
                virtual: slab.cold[position].virtual)
            let slot = Int32(truncatingIfNeeded: position)
            if index[key] == slot { index[key] = nil }
        }
        slab.hot[position].set(ConnectionHotRecord.Flags.isLive, false)
        slab.free[slab.freeCount] = Int32(truncatingIfNeeded: position)
        slab.freeCount += 1
    }

    /// All live entries with their handles, in slot order.
    public var entries: [(id: ConnectionID, connection: Connection)] {
        (0..<slab.count).compactMap { slot in
            let record = slab.hot[slot]
            return record.isLive
                ? (ConnectionID(slot: Int32(slot), generation: record.generation), connection(at: slot)) : nil
        }
    }

    /// Reserves room for `count` live entries (exactly that many slots), so a
    /// long run does not pay for (or hold twice the memory during) the buffers'
    /// growth. An empty table allocates the room at its first insert: a table
    /// set up and dropped unused allocates nothing (freeing tens of megabytes
    /// unused would raise glibc's mmap threshold for the rest of the process).
    public mutating func reserveCapacity(_ count: Int) {
        pendingCapacity = max(pendingCapacity, count)
        if slab.count > 0 { allocatePendingCapacity() }
    }

    mutating func allocatePendingCapacity() {
        makeSlabUnique()
        if pendingCapacity > slab.capacity { slab.grow(to: pendingCapacity, exactly: true) }
        pendingCapacity = 0
    }

    /// Removes every entry.
    public mutating func removeAll() {
        slab = ConnectionSlab.empty
        index.removeAll()
        pendingCapacity = 0
    }
}

/// The storage of a ``ConnectionTable``: the slots' hot and cold records and the
/// stack of free slots, in three buffers of one capacity. Slots `0..<count` have
/// been used (their records are initialized, live or not); `free[0..<freeCount]`
/// lists the dead ones, most recently freed last. The records are plain values
/// (checked when a slab is made), so a slot is overwritten without deinitializing it
/// and the buffers are freed without deinitializing them.
///
/// Shared between table copies until one of them writes (``ConnectionTable/makeSlabUnique()``).
@usableFromInline
final class ConnectionSlab: @unchecked Sendable {
    @usableFromInline @exclusivity(unchecked) var hot: UnsafeMutablePointer<ConnectionHotRecord>
    @usableFromInline @exclusivity(unchecked) var cold: UnsafeMutablePointer<ConnectionAddresses>
    @usableFromInline @exclusivity(unchecked) var free: UnsafeMutablePointer<Int32>
    @usableFromInline @exclusivity(unchecked) var count = 0
    @usableFromInline @exclusivity(unchecked) var freeCount = 0
    @usableFromInline @exclusivity(unchecked) var capacity: Int

    /// The storage of every empty table until it is first written to (it is never
    /// written to itself: a table sharing it always copies it first).
    @usableFromInline
    static let empty = ConnectionSlab(capacity: 0)

    @usableFromInline
    init(capacity: Int) {
        assert(
            _isPOD(ConnectionHotRecord.self) && _isPOD(ConnectionAddresses.self),
            "ConnectionSlab overwrites and frees records without deinitializing them")
        self.capacity = capacity
        hot = .allocate(capacity: capacity)
        cold = .allocate(capacity: capacity)
        free = .allocate(capacity: capacity)
    }

    deinit {
        hot.deallocate()
        cold.deallocate()
        free.deallocate()
    }

    /// A copy with the same slots, free list and capacity.
    @usableFromInline
    func copy() -> ConnectionSlab {
        let copy = ConnectionSlab(capacity: capacity)
        copy.hot.initialize(from: hot, count: count)
        copy.cold.initialize(from: cold, count: count)
        copy.free.initialize(from: free, count: freeCount)
        copy.count = count
        copy.freeCount = freeCount
        return copy
    }

    /// Moves the buffers to a capacity of `minimum` when `exactly` (a reservation),
    /// else of at least `minimum` by doubling (at least 16).
    @usableFromInline
    func grow(to minimum: Int, exactly: Bool = false) {
        var newCapacity = exactly ? minimum : Swift.max(capacity, 16)
        while newCapacity < minimum { newCapacity *= 2 }
        let newHot = UnsafeMutablePointer<ConnectionHotRecord>.allocate(capacity: newCapacity)
        newHot.moveInitialize(from: hot, count: count)
        hot.deallocate()
        hot = newHot
        let newCold = UnsafeMutablePointer<ConnectionAddresses>.allocate(capacity: newCapacity)
        newCold.moveInitialize(from: cold, count: count)
        cold.deallocate()
        cold = newCold
        let newFree = UnsafeMutablePointer<Int32>.allocate(capacity: newCapacity)
        newFree.moveInitialize(from: free, count: freeCount)
        free.deallocate()
        free = newFree
        capacity = newCapacity
    }

    /// Whether `id` names a live slot.
    @inlinable
    func resolves(_ id: ConnectionID) -> Bool {
        id.slot >= 0 && Int(id.slot) < count && hot[Int(id.slot)].generation == id.generation
            && hot[Int(id.slot)].isLive
    }
}
