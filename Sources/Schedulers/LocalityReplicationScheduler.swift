import LVSModel

/// `lblcr` (`ip_vs_lblcr.c`): locality-based least connection with
/// replication (spec §7.11). Each destination address maps to a server set
/// (newest member first) with its `lastMod` time.
///
/// On a hit the least-loaded member (`set_min`) is chosen; a set with more
/// than one member that has not changed for `expiration` loses its most
/// loaded member (`set_max`, which ignores OVERLOAD and AVAILABLE); the chosen
/// member is used unless it is overloaded by the half-load rule, in which
/// case wlc picks a server that joins the set. A miss creates a one-member set.
///
/// A member that has been deleted from the service is not AVAILABLE; for
/// `set_max` its weight and counters are taken from the snapshot passed with
/// its ``TableChange/serverDeleted(_:index:server:)`` (the kernel would see
/// the live counters of the trashed server).
public struct LocalityReplicationScheduler: Scheduler {
    public static let name = "lblcr"

    struct ServerSet: Sendable {
        var members: [ServerReference]
        var lastModified: Int64
    }

    var table: LocalityTable<ServerSet>
    /// Snapshots of deleted servers that sets may still reference.
    var detached: [Endpoint: RealServer] = [:]

    public init(service: VirtualService) {
        table = LocalityTable(configuration: LocalityConfiguration())
    }

    /// An instance with non-default sysctls.
    public init(service: VirtualService, configuration: LocalityConfiguration) {
        table = LocalityTable(configuration: configuration)
    }

    /// Number of cached destinations.
    public var entryCount: Int { table.count }

    public mutating func apply(_ change: TableChange, service: VirtualService) {
        switch change {
        case .serverDeleted(_, _, let server): detached[server.endpoint] = server
        case .serverAdded(_, let server): detached[server.endpoint] = nil
        default: break
        }
    }

    public mutating func advance(to nowNanoseconds: Int64) { table.advance(to: nowNanoseconds) }

    public mutating func select<Random: SchedulerRandomSource>(
        flow: FlowKey, service: VirtualService, nowNanoseconds: Int64, random: inout Random
    ) -> Int? {
        table.advance(to: nowNanoseconds)
        let servers = service.servers
        let address = flow.destination.address
        guard let (bucket, position) = table.find(address) else {
            guard let chosen = LoadSelection.weightedLeast(servers, load: { $0.overhead }) else { return nil }
            let set = ServerSet(members: [ServerReference(chosen, in: servers)], lastModified: nowNanoseconds)
            table.insert(address, payload: set, now: nowNanoseconds)
            return chosen
        }
        table.buckets[bucket][position].lastUse = nowNanoseconds
        var set = table.buckets[bucket][position].payload
        table.buckets[bucket][position].payload.members = []  // keep `set` uniquely referenced
        defer { table.buckets[bucket][position].payload = set }

        let least = Self.leastLoaded(&set.members, servers: servers)
        if set.members.count > 1 && nowNanoseconds > set.lastModified + table.configuration.expirationNanoseconds {
            if let most = mostLoaded(&set.members, servers: servers) {
                set.members.remove(at: most)
                set.lastModified = nowNanoseconds
            }
        }
        if let least, !LoadSelection.isHalfLoadOverloaded(servers[least], in: servers) { return least }
        guard let chosen = LoadSelection.weightedLeast(servers, load: { $0.overhead }) else { return nil }
        var isMember = false
        for i in set.members.indices where set.members[i].resolve(in: servers) == chosen { isMember = true }
        if !isMember {
            set.members.insert(ServerReference(chosen, in: servers), at: 0)
            set.lastModified = nowNanoseconds
        }
        return chosen
    }

    /// `ip_vs_dest_set_min`: server index of the least loaded AVAILABLE,
    /// non-OVERLOAD member (first member with weight > 0 starts), or nil.
    static func leastLoaded(_ members: inout [ServerReference], servers: [RealServer]) -> Int? {
        var best: Int? = nil
        var bestLoad: Int64 = 0
        var bestWeight: Int64 = 0
        for i in members.indices {
            guard let index = members[i].resolve(in: servers) else { continue }  // not AVAILABLE
            let server = servers[index]
            if server.isOverloaded { continue }
            if best == nil {
                if server.weight > 0 {
                    best = index
                    bestLoad = server.overhead
                    bestWeight = Int64(server.weight)
                }
                continue
            }
            if bestLoad * Int64(server.weight) > server.overhead * bestWeight {
                best = index
                bestLoad = server.overhead
                bestWeight = Int64(server.weight)
            }
        }
        return best
    }

    /// `ip_vs_dest_set_max`: position in `members` of the most loaded member
    /// with weight > 0 (OVERLOAD and AVAILABLE ignored), or nil.
    func mostLoaded(_ members: inout [ServerReference], servers: [RealServer]) -> Int? {
        var best: Int? = nil
        var bestLoad: Int64 = 0
        var bestWeight: Int64 = 0
        for i in members.indices {
            let server: RealServer
            if let index = members[i].resolve(in: servers) {
                server = servers[index]
            } else if let snapshot = detached[members[i].endpoint] {
                server = snapshot
            } else {
                continue
            }
            guard server.weight > 0 else { continue }
            if best == nil || bestLoad * Int64(server.weight) < server.overhead * bestWeight {
                best = i
                bestLoad = server.overhead
                bestWeight = Int64(server.weight)
            }
        }
        return best
    }
}
