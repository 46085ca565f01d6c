import LVSModel

/// `lblc` (`ip_vs_lblc.c`): locality-based least connection keyed by the
/// packet's destination address (spec §7.10).
///
/// A cached server is reused (its `lastUse` refreshed) while it is in the
/// list (AVAILABLE), has weight > 0 and is not overloaded by the half-load
/// rule — the OVERLOAD flag is *not* checked on this path. Otherwise the wlc
/// rule picks a server over the whole service and the entry is created or
/// re-pointed. Server changes do not touch the table; GC runs lazily from the
/// time given to ``select(flow:service:nowNanoseconds:random:)`` or ``advance(to:)``.
public struct LocalityLeastConnectionScheduler: Scheduler {
    public static let name = "lblc"
    var table: LocalityTable<ServerReference>

    public init(service: VirtualService) {
        table = LocalityTable(configuration: LocalityConfiguration())
    }

    /// An instance with non-default sysctls.
    public init(service: VirtualService, configuration: LocalityConfiguration) {
        table = LocalityTable(configuration: configuration)
    }

    /// Number of cached destinations.
    public var entryCount: Int { table.count }

    public mutating func apply(_ change: TableChange, service: VirtualService) {}

    public mutating func advance(to nowNanoseconds: Int64) { table.advance(to: nowNanoseconds) }

    public mutating func select<Random: SchedulerRandomSource>(
        flow: FlowKey, service: VirtualService, nowNanoseconds: Int64, random: inout Random
    ) -> Int? {
        table.advance(to: nowNanoseconds)
        let servers = service.servers
        let address = flow.destination.address
        let found = table.find(address)
        if let (bucket, position) = found {
            table.buckets[bucket][position].lastUse = nowNanoseconds
            if let index = table.buckets[bucket][position].payload.resolve(in: servers) {
                let server = servers[index]
                if server.weight > 0 && !LoadSelection.isHalfLoadOverloaded(server, in: servers) { return index }
            }
        }
        guard let chosen = LoadSelection.weightedLeast(servers, load: { $0.overhead }) else { return nil }
        if let (bucket, position) = found, table.buckets[bucket][position].payload.resolve(in: servers) == chosen {
            return chosen
        }
        table.insert(address, payload: ServerReference(chosen, in: servers), now: nowNanoseconds)
        return chosen
    }
}
