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
/// A slot is stored in two parallel arrays, a compact hot record (state,
/// timer, flags) and the cold addresses; ``Connection`` values are put
/// together from both when asked for.
public struct ConnectionTable: Sendable {
    @usableFromInline var hot: [ConnectionHotRecord] = []
    @usableFromInline var cold: [ConnectionAddresses] = []
    @usableFromInline var freeSlots: [Int32] = []
    @usableFromInline var index: [ConnectionKey: Int32] = [:]
    @usableFromInline var liveCount = 0
    /// Room asked for by ``reserveCapacity(_:)`` and not yet allocated (see there).
    @usableFromInline var pendingCapacity = 0
    /// Number of live entries (connections and templates).
    public var count: Int { liveCount }
    /// Whether no entry can be found by key (none was inserted `indexed`, or all are gone).
    @inlinable public var hasNoIndexedEntries: Bool { index.isEmpty }

    public init() {}

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
        var controllerSlot: Int32 = -1
        if let controller {
            hot.withUnsafeMutableBufferPointer { records in
                if Self.resolves(controller, in: records) {
                    controllerSlot = controller.slot
                    records[Int(controller.slot)].controlledCount += 1
                }
            }
        }
        let isIndexed = indexed || flags & ConnectionHotRecord.Flags.isTemplate != 0
        var slotFlags = flags | ConnectionHotRecord.Flags.isLive
        if isIndexed { slotFlags |= ConnectionHotRecord.Flags.isIndexed }
        let slotIndex: Int32
        let generation: UInt32
        if !freeSlots.isEmpty {
            // (`popLast()` is not inlined: a call per connection.)
            let reused = freeSlots.removeLast()
            slotIndex = reused
            let position = Int(reused)
            generation = hot.withUnsafeMutableBufferPointer { records in
                let generation = records[position].generation &+ 1
                records[position] = ConnectionHotRecord(
                    expiresAtNanoseconds: expiresAtNanoseconds, timeoutSeconds: timeoutSeconds, generation: generation,
                    serviceIndex: serviceIndex, serverIndex: serverIndex, locationEpoch: locationEpoch,
                    controller: controllerSlot, controlledCount: 0, state: state, forwarding: forwarding,
                    flags: slotFlags, proto: proto)
                return generation
            }
            cold.withUnsafeMutableBufferPointer { addresses in
                addresses[position] = ConnectionAddresses(
                    client: client, virtual: virtual, destination: destination, service: service, serverPort: serverPort)
            }
        } else {
            if pendingCapacity > 0 { allocatePendingCapacity() }
            slotIndex = Int32(hot.count)
            generation = 0
            hot.append(
                ConnectionHotRecord(
                    expiresAtNanoseconds: expiresAtNanoseconds, timeoutSeconds: timeoutSeconds, generation: 0,
                    serviceIndex: serviceIndex, serverIndex: serverIndex, locationEpoch: locationEpoch,
                    controller: controllerSlot, controlledCount: 0, state: state, forwarding: forwarding,
                    flags: slotFlags, proto: proto))
            cold.append(
                ConnectionAddresses(
                    client: client, virtual: virtual, destination: destination, service: service, serverPort: serverPort))
        }
        if isIndexed {
            index[ConnectionKey(proto: proto, client: client, virtual: virtual)] = slotIndex
        }
        liveCount += 1
        return ConnectionID(slot: slotIndex, generation: generation)
    }

    /// Whether `id` names a live record of `records`.
    @inlinable
    static func resolves(_ id: ConnectionID, in records: UnsafeMutableBufferPointer<ConnectionHotRecord>) -> Bool {
        id.slot >= 0 && Int(id.slot) < records.count && records[Int(id.slot)].generation == id.generation
            && records[Int(id.slot)].isLive
    }

    /// Whether `id` names a live record of `records`.
    @inlinable
    static func resolves(_ id: ConnectionID, in records: UnsafeBufferPointer<ConnectionHotRecord>) -> Bool {
        id.slot >= 0 && Int(id.slot) < records.count && records[Int(id.slot)].generation == id.generation
            && records[Int(id.slot)].isLive
    }

    /// Whether the handle still names a live entry.
    @inlinable
    public func isValid(_ id: ConnectionID) -> Bool {
        hot.withUnsafeBufferPointer { Self.resolves(id, in: $0) }
    }

    /// Mutates the hot record of a live entry in one access; nil (and
    /// `body` is not called) when the handle is stale.
    @inlinable
    @discardableResult
    package mutating func updateHot<T>(_ id: ConnectionID, _ body: (inout ConnectionHotRecord) -> T) -> T? {
        hot.withUnsafeMutableBufferPointer { records in
            Self.resolves(id, in: records) ? body(&records[Int(id.slot)]) : nil
        }
    }

    /// Reads the hot record of a live entry.
    @inlinable
    package func readHot<T>(_ id: ConnectionID, _ body: (borrowing ConnectionHotRecord) -> T) -> T {
        hot.withUnsafeBufferPointer { records in
            precondition(Self.resolves(id, in: records), "ConnectionTable.readHot(_:_:): stale ConnectionID")
            return body(records[Int(id.slot)])
        }
    }

    /// Marks the template in `slot` ASSURED if the slot is live (a
    /// controlled connection got established).
    @inlinable
    package mutating func assureTemplate(slot: Int32) {
        hot.withUnsafeMutableBufferPointer { records in
            if slot >= 0, records[Int(slot)].isLive { records[Int(slot)].set(ConnectionHotRecord.Flags.isAssured, true) }
        }
    }

    /// The entry in `slot`, put together from its two records.
    @inlinable
    func connection(at slot: Int) -> Connection {
        let record = hot[slot]
        let addresses = cold[slot]
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
        hot.withUnsafeMutableBufferPointer { records in
            records[slot].proto = connection.proto
            records[slot].state = connection.state
            records[slot].forwarding = connection.forwarding
            records[slot].set(ConnectionHotRecord.Flags.isTemplate, connection.isTemplate)
            records[slot].set(ConnectionHotRecord.Flags.isAssured, connection.isAssured)
            records[slot].set(ConnectionHotRecord.Flags.isCountedActive, connection.isCountedActive)
            records[slot].expiresAtNanoseconds = connection.expiresAtNanoseconds
            records[slot].timeoutSeconds = connection.timeoutSeconds
            records[slot].serviceIndex = connection.serviceIndex
            records[slot].serverIndex = connection.serverIndex
            records[slot].locationEpoch = connection.locationEpoch
        }
        cold.withUnsafeMutableBufferPointer { addresses in
            addresses[slot] = ConnectionAddresses(
                client: connection.client, virtual: connection.virtual, destination: connection.destination,
                service: connection.service, serverPort: connection.serverPort)
        }
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
        return ConnectionID(slot: slot, generation: hot[Int(slot)].generation)
    }

    /// The template controlling an entry, if any.
    public func controller(of id: ConnectionID) -> ConnectionID? {
        guard isValid(id) else { return nil }
        let slot = hot[Int(id.slot)].controller
        guard slot >= 0, hot[Int(slot)].isLive else { return nil }
        return ConnectionID(slot: slot, generation: hot[Int(slot)].generation)
    }

    /// How many live entries a template controls.
    public func controlledCount(of id: ConnectionID) -> Int32 {
        isValid(id) ? hot[Int(id.slot)].controlledCount : 0
    }

    /// Changes an indexed entry's key (the kernel re-keys an invalid template
    /// so it can never match again).
    public mutating func rekey(_ id: ConnectionID, virtualPort: UInt16, destinationPort: UInt16) {
        guard isValid(id) else { return }
        let position = Int(id.slot)
        let proto = hot[position].proto
        var addresses = cold[position]
        let oldKey = ConnectionKey(proto: proto, client: addresses.client, virtual: addresses.virtual)
        if index[oldKey] == id.slot { index[oldKey] = nil }
        addresses.virtual.port = virtualPort
        addresses.destination.port = destinationPort
        addresses.client.port = 0
        cold[position] = addresses
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
        let position = Int(id.slot)
        let isIndexed: Bool? = hot.withUnsafeMutableBufferPointer { records in
            guard Self.resolves(id, in: records) else { return nil }
            let controller = records[position].controller
            if controller >= 0, records[Int(controller)].isLive {
                records[Int(controller)].controlledCount -= 1
            }
            let isIndexed = records[position].has(ConnectionHotRecord.Flags.isIndexed)
            records[position].set(ConnectionHotRecord.Flags.isLive, false)
            return isIndexed
        }
        guard let isIndexed else { return false }
        if isIndexed {
            let proto = hot[position].proto
            let key = cold.withUnsafeBufferPointer { addresses in
                ConnectionKey(proto: proto, client: addresses[position].client, virtual: addresses[position].virtual)
            }
            if index[key] == id.slot { index[key] = nil }
        }
        freeSlots.append(id.slot)
        liveCount -= 1
        return true
    }

    /// All live entries with their handles, in slot order.
    public var entries: [(id: ConnectionID, connection: Connection)] {
        hot.indices.compactMap { slot in
            let record = hot[slot]
            return record.isLive
                ? (ConnectionID(slot: Int32(slot), generation: record.generation), connection(at: slot)) : nil
        }
    }

    /// Reserves room for `count` live entries, so a long run does not pay
    /// for (or hold twice the memory during) the arrays' growth. An empty
    /// table allocates the room at its first insert: a table set up and
    /// dropped unused allocates nothing (freeing tens of megabytes unused
    /// would raise glibc's mmap threshold for the rest of the process).
    public mutating func reserveCapacity(_ count: Int) {
        pendingCapacity = max(pendingCapacity, count)
        if !hot.isEmpty { allocatePendingCapacity() }
    }

    @usableFromInline
    mutating func allocatePendingCapacity() {
        hot.reserveCapacity(pendingCapacity)
        cold.reserveCapacity(pendingCapacity)
        freeSlots.reserveCapacity(pendingCapacity)
        pendingCapacity = 0
    }

    /// Removes every entry.
    public mutating func removeAll() {
        hot.removeAll()
        cold.removeAll()
        freeSlots.removeAll()
        index.removeAll()
        liveCount = 0
        pendingCapacity = 0
    }
}
