import LVSModel

/// A host's neighbour table for IPv4 (its ARP cache), with entry timeouts,
/// the update lock time and gratuitous-ARP updates.
///
/// Kernel equivalence (`arp_process` + `neigh_update`, simplified):
/// - A request that the host answers creates or refreshes the entry for its
///   sender (`neigh_event_ns`).
/// - A reply to an outstanding request (an incomplete entry) completes it.
/// - Any ARP from a sender that already has an entry updates it, except that a
///   *different* MAC is ignored within ``lockTime`` (1 s) of the last update —
///   so in a burst of competing replies the first one wins. A gratuitous ARP
///   (sender IP = target IP) always overrides.
/// - With `arp_accept=0` (``acceptsUnsolicited`` false) ARP from an unknown
///   sender creates nothing.
/// - An entry is usable for ``reachableTime`` after its last update; after
///   that ``lookup(_:at:)`` misses (the kernel would probe a stale entry; the
///   simulator re-resolves), but the entry still exists and still takes updates.
///   The kernel randomises the reachable time (15–45 s around a 30 s base);
///   the simulator uses a fixed value.
public struct ARPCache: Hashable, Sendable {
    /// One neighbour entry.
    public struct Entry: Hashable, Sendable {
        /// The neighbour's MAC, nil while the request is outstanding.
        public var mac: MACAddress?
        /// When the MAC was last set or confirmed.
        public var updated: SimTime

        public init(mac: MACAddress?, updated: SimTime) {
            self.mac = mac
            self.updated = updated
        }
    }

    /// What processing one ARP packet did to the cache.
    public enum Update: Hashable, Sendable {
        /// A new entry was made.
        case created
        /// An entry now points at a new MAC (the old one is given).
        case changed(from: MACAddress?)
        /// An entry was confirmed with the MAC it already had.
        case refreshed
        /// A different MAC arrived within the lock time and was not taken.
        case lockedOut
        /// The packet was not used (unknown sender, unsolicited).
        case ignored
    }

    /// How long an entry is usable after its last update.
    public var reachableTime: SimDuration
    /// How long after an update a different MAC is refused (`locktime`).
    public var lockTime: SimDuration
    /// `arp_accept`: whether gratuitous ARP may create new entries.
    public var acceptsUnsolicited: Bool
    /// Entries by neighbour IP.
    public private(set) var entries: [IPAddress: Entry] = [:]

    public init(
        reachableTime: SimDuration = .seconds(30), lockTime: SimDuration = .seconds(1),
        acceptsUnsolicited: Bool = false
    ) {
        self.reachableTime = reachableTime
        self.lockTime = lockTime
        self.acceptsUnsolicited = acceptsUnsolicited
    }

    /// The MAC to use for `address` at `now`, or nil if it must be resolved.
    public func lookup(_ address: IPAddress, at now: SimTime) -> MACAddress? {
        guard let entry = entries[address], let mac = entry.mac, now - entry.updated < reachableTime else { return nil }
        return mac
    }

    /// The usable entries at `now` as a plain map (for the forwarding transforms).
    public func resolvedNeighbours(at now: SimTime) -> [IPAddress: MACAddress] {
        var result: [IPAddress: MACAddress] = [:]
        for (address, _) in entries { if let mac = lookup(address, at: now) { result[address] = mac } }
        return result
    }

    /// Records that a request for `address` was sent (an incomplete entry).
    public mutating func markPending(_ address: IPAddress, at now: SimTime) {
        if entries[address] == nil { entries[address] = Entry(mac: nil, updated: now) }
    }

    /// Adds a permanent-looking entry directly (`ip neigh replace`).
    public mutating func set(_ address: IPAddress, to mac: MACAddress, at now: SimTime) {
        entries[address] = Entry(mac: mac, updated: now)
    }

    /// Learns from an ARP packet received at `now`. `isAnsweredByUs` is true
    /// when the packet is a request this host replies to.
    @discardableResult
    public mutating func process(_ packet: ARPPacket, isAnsweredByUs: Bool, at now: SimTime) -> Update {
        let sender = packet.senderIP
        guard let existing = entries[sender] else {
            if isAnsweredByUs || (acceptsUnsolicited && packet.isGratuitous) {
                entries[sender] = Entry(mac: packet.senderMAC, updated: now)
                return .created
            }
            return .ignored
        }
        if existing.mac == packet.senderMAC {
            entries[sender]?.updated = now
            return .refreshed
        }
        let mayOverride = existing.mac == nil || isAnsweredByUs || packet.isGratuitous
            || now - existing.updated >= lockTime
        guard mayOverride else { return .lockedOut }
        entries[sender] = Entry(mac: packet.senderMAC, updated: now)
        return .changed(from: existing.mac)
    }

    /// Forgets entries not updated for `age` (garbage collection).
    public mutating func removeEntries(olderThan age: SimDuration, at now: SimTime) {
        entries = entries.filter { now - $0.value.updated < age }
    }
}
