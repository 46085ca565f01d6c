/// A stable handle on a live connection entry. Handles of removed entries
/// never resolve again (the generation changes when a slot is reused).
public struct ConnectionID: Hashable, Sendable {
    public let slot: Int32
    public let generation: UInt32
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

/// The director's connection table: connection entries and persistence
/// templates, in a slab with O(1) insert, remove and handle access.
///
/// Lookup by key is optional per entry (`isIndexed`): a simulation that never
/// reuses client ports can skip the hash index on its hot path. Templates are
/// always indexed.
public struct ConnectionTable: Sendable {
    @usableFromInline
    struct Slot: Sendable {
        @usableFromInline var connection: Connection
        var generation: UInt32
        var isLive: Bool
        var isIndexed: Bool
        /// Connections a template currently controls.
        var controlledCount: Int32
        /// The slot of the template controlling this entry, or -1.
        var controller: Int32
    }

    @usableFromInline var slots: [Slot] = []
    private var freeSlots: [Int32] = []
    private var index: [ConnectionKey: Int32] = [:]
    /// Number of live entries (connections and templates).
    public private(set) var count = 0

    public init() {}

    /// Inserts an entry; when `controller` is given the entry is controlled
    /// by that template (its controlled count goes up).
    @discardableResult
    public mutating func insert(_ connection: Connection, indexed: Bool = true, controller: ConnectionID? = nil)
        -> ConnectionID
    {
        var controllerSlot: Int32 = -1
        if let controller, isValid(controller) {
            controllerSlot = controller.slot
            slots[Int(controller.slot)].controlledCount += 1
        }
        let slotIndex: Int32
        if let reused = freeSlots.popLast() {
            slotIndex = reused
            let generation = slots[Int(reused)].generation &+ 1
            slots[Int(reused)] = Slot(
                connection: connection, generation: generation, isLive: true, isIndexed: indexed || connection.isTemplate,
                controlledCount: 0, controller: controllerSlot)
        } else {
            slotIndex = Int32(slots.count)
            slots.append(
                Slot(
                    connection: connection, generation: 0, isLive: true, isIndexed: indexed || connection.isTemplate,
                    controlledCount: 0, controller: controllerSlot))
        }
        if indexed || connection.isTemplate {
            index[ConnectionKey(proto: connection.proto, client: connection.client, virtual: connection.virtual)] = slotIndex
        }
        count += 1
        return ConnectionID(slot: slotIndex, generation: slots[Int(slotIndex)].generation)
    }

    /// Whether the handle still names a live entry.
    @inlinable
    public func isValid(_ id: ConnectionID) -> Bool {
        id.slot >= 0 && Int(id.slot) < slotCount && slotGeneration(id.slot) == id.generation && slotIsLive(id.slot)
    }

    @usableFromInline var slotCount: Int { slots.count }
    @usableFromInline func slotGeneration(_ slot: Int32) -> UInt32 { slots[Int(slot)].generation }
    @usableFromInline func slotIsLive(_ slot: Int32) -> Bool { slots[Int(slot)].isLive }

    /// The entry behind a live handle.
    public subscript(id: ConnectionID) -> Connection {
        get {
            precondition(isValid(id), "ConnectionTable[_:]: stale ConnectionID")
            return slots[Int(id.slot)].connection
        }
        _modify {
            precondition(isValid(id), "ConnectionTable[_:]: stale ConnectionID")
            yield &slots[Int(id.slot)].connection
        }
    }

    /// Mutates a live entry in place and returns what `body` returns.
    @inlinable
    public mutating func modify<T>(_ id: ConnectionID, _ body: (inout Connection) -> T) -> T {
        precondition(isValid(id), "ConnectionTable.modify(_:_:): stale ConnectionID")
        return withSlotConnection(id.slot, body)
    }

    /// Reads fields of a live entry without copying the whole entry out.
    @inlinable
    public func read<T>(_ id: ConnectionID, _ body: (borrowing Connection) -> T) -> T {
        precondition(isValid(id), "ConnectionTable.read(_:_:): stale ConnectionID")
        return readSlotConnection(id.slot, body)
    }

    @inlinable
    mutating func withSlotConnection<T>(_ slot: Int32, _ body: (inout Connection) -> T) -> T {
        slots.withUnsafeMutableBufferPointer { body(&$0[Int(slot)].connection) }
    }

    @inlinable
    func readSlotConnection<T>(_ slot: Int32, _ body: (borrowing Connection) -> T) -> T {
        slots.withUnsafeBufferPointer { body($0[Int(slot)].connection) }
    }

    /// Looks an indexed entry up by its key.
    public func lookup(_ key: ConnectionKey) -> ConnectionID? {
        guard let slot = index[key] else { return nil }
        return ConnectionID(slot: slot, generation: slots[Int(slot)].generation)
    }

    /// The template controlling an entry, if any.
    public func controller(of id: ConnectionID) -> ConnectionID? {
        guard isValid(id) else { return nil }
        let slot = slots[Int(id.slot)].controller
        guard slot >= 0, slots[Int(slot)].isLive else { return nil }
        return ConnectionID(slot: slot, generation: slots[Int(slot)].generation)
    }

    /// How many live entries a template controls.
    public func controlledCount(of id: ConnectionID) -> Int32 {
        isValid(id) ? slots[Int(id.slot)].controlledCount : 0
    }

    /// Changes an indexed entry's key (the kernel re-keys an invalid template
    /// so it can never match again).
    public mutating func rekey(_ id: ConnectionID, virtualPort: UInt16, destinationPort: UInt16) {
        guard isValid(id) else { return }
        var connection = slots[Int(id.slot)].connection
        let oldKey = ConnectionKey(proto: connection.proto, client: connection.client, virtual: connection.virtual)
        if index[oldKey] == id.slot { index[oldKey] = nil }
        connection.virtual.port = virtualPort
        connection.destination.port = destinationPort
        connection.client.port = 0
        slots[Int(id.slot)].connection = connection
        let newKey = ConnectionKey(proto: connection.proto, client: connection.client, virtual: connection.virtual)
        if index[newKey] == nil { index[newKey] = id.slot }
    }

    /// Removes an entry and returns it; its controlling template's count drops.
    @discardableResult
    public mutating func remove(_ id: ConnectionID) -> Connection? {
        guard isValid(id) else { return nil }
        let connection = slots[Int(id.slot)].connection
        discard(id)
        return connection
    }

    /// Removes an entry like ``remove(_:)`` without returning (copying) it.
    /// Returns whether the handle named a live entry.
    @discardableResult
    public mutating func discard(_ id: ConnectionID) -> Bool {
        guard isValid(id) else { return false }
        // Fields are read one by one: no copy of the whole slot.
        let position = Int(id.slot)
        if slots[position].isIndexed {
            let key = ConnectionKey(
                proto: slots[position].connection.proto, client: slots[position].connection.client,
                virtual: slots[position].connection.virtual)
            if index[key] == id.slot { index[key] = nil }
        }
        let controller = slots[position].controller
        if controller >= 0, slots[Int(controller)].isLive {
            slots[Int(controller)].controlledCount -= 1
        }
        slots[position].isLive = false
        freeSlots.append(id.slot)
        count -= 1
        return true
    }

    /// All live entries with their handles, in slot order.
    public var entries: [(id: ConnectionID, connection: Connection)] {
        slots.enumerated().compactMap { offset, slot in
            slot.isLive ? (ConnectionID(slot: Int32(offset), generation: slot.generation), slot.connection) : nil
        }
    }

    /// Reserves room for `count` live entries, so a long run does not pay
    /// for (or hold twice the memory during) the array's growth.
    public mutating func reserveCapacity(_ count: Int) {
        slots.reserveCapacity(count)
        freeSlots.reserveCapacity(count)
    }

    /// Removes every entry.
    public mutating func removeAll() {
        slots.removeAll()
        freeSlots.removeAll()
        index.removeAll()
        count = 0
    }
}
