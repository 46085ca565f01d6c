/// A director's IPVS table: virtual services with their real servers, the
/// timeouts and the sync daemons, with the kernel's rules for changing them.
///
/// Mutations validate exactly as the kernel does, throw ``IPVSError`` on
/// rejection (leaving the table unchanged) and return the ``TableChange``s
/// the owner of scheduler state must apply.
public struct IPVSTable: Hashable, Sendable, Codable {
    /// Services in creation order. Listings sort them (or, with `--nosort`,
    /// use ``kernelOrder``).
    public private(set) var services: [VirtualService] = []
    public var timeouts = IPVSTimeouts()
    public var daemons: [SyncDaemon] = []
    /// Deleted real servers the kernel keeps in its trash while they are
    /// still referenced (by counted connections); re-adding the same server
    /// to the same service revives the object with its counters and stats.
    public private(set) var trash: [TrashedServer] = []
    /// The low byte of the kernel's per-namespace hash mix (`ipvs >> 8`) in
    /// the service hash, which decides `--nosort` order. The recordings fit
    /// 16, 24, 48 or 56 (not 0: `list-Ln-nosort` puts UDP :80 after TCP :81).
    public var kernelHashSalt: Int = 16
    /// Connection hash table size printed in the listing header.
    public var connectionTableSize: Int = 4096

    /// The scheduler names `-A`/`-E` accept. Not persisted: the owner
    /// decides which kernel (and which user schedulers) it emulates.
    public var knownSchedulers: Set<String> = IPVSTable.kernel61Schedulers
    /// The persistence engines `--pe` accepts.
    public var knownPersistenceEngines: Set<String> = ["sip"]

    /// The schedulers of Linux 6.1 (twos arrived in 6.7), plus "none".
    public static let kernel61Schedulers: Set<String> = [
        "rr", "wrr", "lc", "wlc", "lblc", "lblcr", "dh", "sh", "sed", "nq", "fo", "ovf", "mh", "none",
    ]
    /// The schedulers of Linux 6.12 (adds twos).
    public static let kernel612Schedulers: Set<String> = kernel61Schedulers.union(["twos"])

    enum CodingKeys: String, CodingKey {
        case services, timeouts, daemons, trash, connectionTableSize
    }

    public init() {}

    /// A trashed real server and the service it belonged to.
    public struct TrashedServer: Hashable, Sendable, Codable {
        public var service: ServiceKey
        public var server: RealServer
    }

    // MARK: Lookup

    public func serviceIndex(_ key: ServiceKey) -> Int? {
        services.firstIndex { $0.key == key }
    }

    public func service(_ key: ServiceKey) -> VirtualService? {
        serviceIndex(key).map { services[$0] }
    }

    /// Services in the order the kernel dumps them (`ipvsadm -L --nosort`):
    /// the protocol/address hash table bucket by bucket, newest first within
    /// a bucket, then the firewall-mark table the same way.
    public var kernelOrder: [VirtualService] {
        let indexed = services.enumerated().map { ($0.offset, $0.element) }
        return indexed.sorted { a, b in
            let (ia, sa) = a
            let (ib, sb) = b
            if sa.key.isFirewallMark != sb.key.isFirewallMark { return !sa.key.isFirewallMark }
            let bucketA = (sa.key.kernelHashBucket ^ kernelHashSalt) & 0xFF
            let bucketB = (sb.key.kernelHashBucket ^ kernelHashSalt) & 0xFF
            if bucketA != bucketB { return bucketA < bucketB }
            return ia > ib
        }.map { $0.1 }
    }

    /// Direct access for the director and replay, which maintain counters,
    /// flags and statistics. Configuration must go through the mutations.
    public subscript(serviceAt index: Int) -> VirtualService {
        get { services[index] }
        _modify { yield &services[index] }
    }

    // MARK: Services

    /// `-A`. Kernel order of checks: scheduler, persistence engine, existence.
    @discardableResult
    public mutating func addService(_ service: VirtualService) throws(IPVSError) -> [TableChange] {
        try validate(service)
        if serviceIndex(service.key) != nil { throw .serviceExists }
        var fresh = service
        fresh.servers = []
        fresh.stats = TrafficStats()
        services.append(fresh)
        return [.serviceAdded(service.key)]
    }

    /// `-E`: replaces scheduler, flags, timeout, netmask and persistence engine.
    @discardableResult
    public mutating func editService(_ service: VirtualService) throws(IPVSError) -> [TableChange] {
        try validate(service)
        guard let index = serviceIndex(service.key) else { throw .noSuchService }
        let schedulerChanged = services[index].scheduler != service.scheduler
        services[index].scheduler = service.scheduler
        services[index].flags = service.flags.subtracting(.hashed)
        services[index].timeout = service.timeout
        services[index].netmask = service.netmask
        services[index].persistenceEngine = service.persistenceEngine
        return [.serviceEdited(service.key, schedulerChanged: schedulerChanged)]
    }

    private func validate(_ service: VirtualService) throws(IPVSError) {
        if !knownSchedulers.contains(service.scheduler) { throw .schedulerNotFound(service.scheduler) }
        if let engine = service.persistenceEngine, !knownPersistenceEngines.contains(engine) {
            throw .schedulerNotFound(engine)
        }
        if service.key.family == .inet6 && (service.netmask < 1 || service.netmask > 128) {
            throw .invalidOperation("IPv6 netmask must be a prefix length 1..128")
        }
    }

    /// `-D`: the service's servers go to the trash while referenced.
    @discardableResult
    public mutating func deleteService(_ key: ServiceKey) throws(IPVSError) -> [TableChange] {
        guard let index = serviceIndex(key) else { throw .noSuchService }
        let removed = services.remove(at: index)
        for server in removed.servers { putInTrash(server, of: key) }
        return [.serviceDeleted(key)]
    }

    /// `-C`: deletes every service.
    @discardableResult
    public mutating func clear() -> [TableChange] {
        var changes: [TableChange] = []
        for service in services {
            for server in service.servers { putInTrash(server, of: service.key) }
            changes.append(.serviceDeleted(service.key))
        }
        services.removeAll()
        return changes
    }

    // MARK: Real servers

    /// `-a`: links the server at the head of the list (reviving a trashed
    /// object with the same address and port). `server` carries the
    /// configuration; its counters are ignored.
    @discardableResult
    public mutating func addServer(_ server: RealServer, to key: ServiceKey) throws(IPVSError) -> [TableChange] {
        try validate(server, for: key)
        guard let index = serviceIndex(key) else { throw .serviceNotDefined }
        if services[index].serverIndex(address: server.address, port: server.port) != nil {
            throw .destinationExists
        }
        var linked = server
        if let trashIndex = trash.firstIndex(where: {
            $0.service == key && $0.server.address == server.address && $0.server.port == server.port
        }) {
            let revived = trash.remove(at: trashIndex).server
            linked.activeConnections = revived.activeConnections
            linked.inactiveConnections = revived.inactiveConnections
            linked.persistentConnections = revived.persistentConnections
            linked.stats = revived.stats
        } else {
            linked.activeConnections = 0
            linked.inactiveConnections = 0
            linked.persistentConnections = 0
            linked.stats = TrafficStats()
        }
        linked.lastWeight = server.weight
        linked.isOverloaded = false
        linked.isAvailable = true
        services[index].servers.insert(linked, at: 0)
        return [.serverAdded(key, linked)]
    }

    /// `-e`: replaces weight, forwarding, tunnel settings and thresholds in place.
    @discardableResult
    public mutating func editServer(_ server: RealServer, in key: ServiceKey) throws(IPVSError) -> [TableChange] {
        try validate(server, for: key)
        guard let index = serviceIndex(key) else { throw .serviceNotDefined }
        guard let position = services[index].serverIndex(address: server.address, port: server.port) else {
            throw .noSuchDestination
        }
        let old = services[index].servers[position]
        var edited = old
        edited.weight = server.weight
        if server.weight != 0 { edited.lastWeight = server.weight }
        edited.forwarding = server.forwarding
        edited.tunnel = server.tunnel
        edited.upperThreshold = server.upperThreshold
        edited.lowerThreshold = server.lowerThreshold
        if server.upperThreshold != old.upperThreshold || server.lowerThreshold != old.lowerThreshold {
            edited.reevaluateOverloadAfterThresholdEdit()
        }
        services[index].servers[position] = edited
        return [.serverEdited(key, index: position, old: old)]
    }

    /// `-d`: unlinks the server; it waits in the trash while referenced.
    @discardableResult
    public mutating func deleteServer(address: IPAddress, port: UInt16, from key: ServiceKey) throws(IPVSError)
        -> [TableChange]
    {
        guard let index = serviceIndex(key) else { throw .serviceNotDefined }
        guard let position = services[index].serverIndex(address: address, port: port) else {
            throw .noSuchDestination
        }
        let removed = services[index].servers.remove(at: position)
        putInTrash(removed, of: key)
        return [.serverDeleted(key, index: position, server: removed)]
    }

    private func validate(_ server: RealServer, for key: ServiceKey) throws(IPVSError) {
        if server.weight < 0 { throw .invalidOperation("negative weight") }
        if server.lowerThreshold > server.upperThreshold { throw .thresholdRange }
        if !server.address.isUnicast { throw .invalidOperation("address not unicast") }
        if server.address.family != key.family && server.forwarding != .tunnel {
            throw .invalidOperation("different address family is allowed only for tunneling servers")
        }
    }

    private mutating func putInTrash(_ server: RealServer, of key: ServiceKey) {
        var trashed = server
        trashed.isAvailable = false
        let referenced =
            trashed.activeConnections > 0 || trashed.inactiveConnections > 0 || trashed.persistentConnections > 0
        trash.removeAll { $0.service == key && $0.server.address == server.address && $0.server.port == server.port }
        if referenced { trash.append(TrashedServer(service: key, server: trashed)) }
    }

    /// Gives the director access to a trashed server's counters (its
    /// connections keep maintaining them), and drops it once unreferenced.
    public mutating func updateTrashed(
        service key: ServiceKey, address: IPAddress, port: UInt16, _ body: (inout RealServer) -> Void
    ) {
        guard let index = trash.firstIndex(where: { $0.service == key && $0.server.address == address && $0.server.port == port })
        else { return }
        body(&trash[index].server)
        let server = trash[index].server
        if server.activeConnections <= 0 && server.inactiveConnections <= 0 && server.persistentConnections <= 0 {
            trash.remove(at: index)
        }
    }

    // MARK: Statistics, timeouts, daemons

    /// `-Z`: zeroes traffic statistics of one service (and its servers) or all.
    @discardableResult
    public mutating func zero(_ key: ServiceKey?) throws(IPVSError) -> [TableChange] {
        if let key {
            guard let index = serviceIndex(key) else { throw .noSuchService }
            zeroService(at: index)
        } else {
            for index in services.indices { zeroService(at: index) }
        }
        return [.statsZeroed(key)]
    }

    private mutating func zeroService(at index: Int) {
        services[index].stats = TrafficStats()
        for position in services[index].servers.indices { services[index].servers[position].stats = TrafficStats() }
    }

    /// `--set tcp tcpfin udp`: a value of 0 leaves that timeout unchanged.
    @discardableResult
    public mutating func setTimeouts(tcp: UInt32, tcpFin: UInt32, udp: UInt32) -> [TableChange] {
        if tcp != 0 { timeouts.tcp = tcp }
        if tcpFin != 0 { timeouts.tcpFin = tcpFin }
        if udp != 0 { timeouts.udp = udp }
        return [.timeoutsChanged]
    }

    /// `--start-daemon`: the kernel refuses a second daemon of the same role (EEXIST).
    @discardableResult
    public mutating func startDaemon(_ daemon: SyncDaemon) throws(IPVSError) -> [TableChange] {
        if daemons.contains(where: { $0.role == daemon.role }) { throw .invalidOperation("daemon already running") }
        daemons.append(daemon)
        daemons.sort { $0.role == .master && $1.role == .backup }
        return [.daemonChanged]
    }

    /// `--stop-daemon`: the kernel answers ESRCH when that daemon is not running.
    @discardableResult
    public mutating func stopDaemon(_ role: SyncDaemonRole) throws(IPVSError) -> [TableChange] {
        guard daemons.contains(where: { $0.role == role }) else { throw .invalidOperation("no such daemon") }
        daemons.removeAll { $0.role == role }
        return [.daemonChanged]
    }
}
