import LVSModel

/// A connection the director bound to a real server.
public struct ScheduledConnection: Hashable, Sendable {
    /// The entry (nil for one-packet scheduling, which keeps no entry).
    public var id: ConnectionID?
    public var serviceIndex: Int
    public var serverIndex: Int
    /// Where the director forwards the packet (RIP and port).
    public var destination: Endpoint
    public var forwarding: ForwardingMethod
    /// True when a persistence template chose the server (no scheduler call).
    public var isFromTemplate: Bool
    /// When the entry expires unless another packet re-arms it (ns).
    public var expiresAtNanoseconds: Int64
}

/// What happened when an entry's timer fired.
public enum ExpiryOutcome: Hashable, Sendable {
    /// The entry is gone and its server's counters dropped.
    case removed(Connection)
    /// Not due yet (a later packet re-armed it): fire again then.
    case notDue(Int64)
    /// A template still controlling connections was kept for another 60 s.
    case rearmed(Int64)
    /// The handle was already stale.
    case stale
}

/// ``ExpiryOutcome`` without the removed entry (see ``IPVSDirector/expireEntry(_:now:)``).
public enum ExpiryStatus: Hashable, Sendable {
    case removed
    case notDue(Int64)
    case rearmed(Int64)
    case stale
}

/// The kernel's IPVS core for one director: the table, one scheduler per
/// service, the connection table with persistence templates, and the
/// accounting of ActiveConn / InActConn / PersistConn and OVERLOAD.
///
/// It has no clock: every call takes the time in nanoseconds, and expiry is
/// driven by the owner (a simulation's timers, or a replay), which calls
/// ``expire(_:now:)`` when an entry's ``Connection/expiresAtNanoseconds`` is
/// reached. The same code serves the simulator, the trace replay and a
/// userspace balancer.
public struct IPVSDirector<Random: SchedulerRandomSource> {
    public private(set) var table: IPVSTable
    public private(set) var schedulers: SchedulerSet
    public internal(set) var connections = ConnectionTable()
    public var settings = DirectorSettings()
    public var random: Random
    /// When true, an expired template found by a lookup is expired on the
    /// spot (for owners that do not drive template timers, such as replay).
    public var expiresTemplatesLazily = false

    /// Bumped on every configuration change; entries cache server positions per epoch.
    private var epoch: UInt32 = 1
    private var serviceIndexByKey: [ServiceKey: Int] = [:]
    /// The services' keys in table order: a handful of services are found
    /// faster by comparing keys than by hashing one (`serviceIndexByKey`).
    private var serviceKeys: [ServiceKey] = []
    /// Per service (table order): its scheduler's position in `schedulers`, or -1 for
    /// none. Rebuilt with the index after every change, so a new connection's
    /// scheduler is found without hashing the service key.
    private var schedulerEntries: [Int] = []
    /// Per service (table order): the kind of its scheduler when that decides from the
    /// server list alone (``SchedulerSet/listOnlyKind(entry:)``), else nil. Such a
    /// scheduler reads the table's server list in place, without the lent service.
    private var listOnlyKinds: [ListOnlySchedulerKind?] = []
    /// What a kernel scheduler is shown of service `lentServiceIndex`: a copy of
    /// its configuration (key, scheduler, flags, …) whose `servers` array is
    /// swapped in from the table for each call (see `selectServer`) and empty
    /// otherwise. -1: it mirrors no service (after any change of the table).
    private var lentService = VirtualService(key: .fwmark(0, .inet))
    private var lentServiceIndex = -1
    /// The TCP transition table, kept here so that a packet reads it directly.
    private let tcpTransitions = TCPTransitions.shared
    private var hasPort21Service = false
    private var hasPortZeroService = false

    public init(table: IPVSTable = IPVSTable(), registry: SchedulerRegistry = .allKernel, random: Random, now: Int64 = 0) {
        var table = table
        table.knownSchedulers = table.knownSchedulers.union(registry.names)
        self.table = table
        self.random = random
        self.schedulers = SchedulerSet(registry: registry)
        self.schedulers.apply(table.services.map { .serviceAdded($0.key) }, table: table, nowNanoseconds: now)
        reindex()
    }

    // MARK: Configuration

    /// Changes the table (through its kernel-checked mutations, or ipvsadm)
    /// and runs the schedulers' hooks for what changed.
    @discardableResult
    public mutating func configure<E: Error>(now: Int64 = 0, _ body: (inout IPVSTable) throws(E) -> [TableChange]) throws(E)
        -> [TableChange]
    {
        lentServiceIndex = -1
        let changes = try body(&table)
        if !changes.isEmpty {
            schedulers.apply(changes, table: table, nowNanoseconds: now)
            reindex()
        }
        return changes
    }

    /// Reserves room for `count` simultaneous connection entries.
    public mutating func reserveConnectionCapacity(_ count: Int) {
        connections.reserveCapacity(count)
    }

    /// Direct access to counters and flags (replay seeds counters from a trace).
    public mutating func withService<T>(at index: Int, _ body: (inout VirtualService) -> T) -> T {
        lentServiceIndex = -1
        return body(&table[serviceAt: index])
    }

    private mutating func reindex() {
        epoch &+= 1
        lentServiceIndex = -1
        lastServiceLookup = nil
        serviceIndexByKey.removeAll(keepingCapacity: true)
        serviceKeys.removeAll(keepingCapacity: true)
        schedulerEntries.removeAll(keepingCapacity: true)
        listOnlyKinds.removeAll(keepingCapacity: true)
        hasPort21Service = false
        hasPortZeroService = false
        for (index, service) in table.services.enumerated() {
            serviceIndexByKey[service.key] = index
            serviceKeys.append(service.key)
            let entry = schedulers.entryIndex(of: service.key) ?? -1
            schedulerEntries.append(entry)
            listOnlyKinds.append(entry >= 0 ? schedulers.listOnlyKind(entry: entry) : nil)
            if case .address(_, let endpoint) = service.key {
                if endpoint.port == 21 { hasPort21Service = true }
                if endpoint.port == 0 { hasPortZeroService = true }
            }
        }
    }

    // MARK: Service lookup (spec §5.3)

    /// The service a packet belongs to: by firewall mark first, then exact
    /// protocol/VIP/port, then the FTP-data rule, then a port-0 service.
    public func serviceIndex(proto: TransportProtocol, destination: Endpoint, fwmark: UInt32 = 0) -> Int? {
        if let remembered = rememberedService(proto: proto, destination: destination, fwmark: fwmark) { return remembered }
        return resolveService(proto: proto, destination: destination, fwmark: fwmark)
    }

    /// ``serviceIndex(proto:destination:fwmark:)`` for a new flow, remembering the answer:
    /// the flows of a run mostly go to one virtual service, whose rules only change with
    /// the table (``reindex()`` forgets it).
    @inline(__always)
    private mutating func serviceIndexForNewFlow(proto: TransportProtocol, destination: Endpoint, fwmark: UInt32) -> Int? {
        if let remembered = rememberedService(proto: proto, destination: destination, fwmark: fwmark) { return remembered }
        let index = resolveService(proto: proto, destination: destination, fwmark: fwmark)
        lastServiceLookup = ServiceLookup(proto: proto, destination: destination, fwmark: fwmark, serviceIndex: index)
        return index
    }

    /// The last answer of ``serviceIndexForNewFlow(proto:destination:fwmark:)`` since the
    /// table last changed.
    private struct ServiceLookup {
        var proto: TransportProtocol
        var destination: Endpoint
        var fwmark: UInt32
        var serviceIndex: Int?
    }
    private var lastServiceLookup: ServiceLookup?

    /// The remembered answer for this destination (`.some(nil)`: no service), if it still holds.
    @inline(__always)
    private func rememberedService(proto: TransportProtocol, destination: Endpoint, fwmark: UInt32) -> Int?? {
        guard let last = lastServiceLookup, last.fwmark == fwmark, last.proto == proto, last.destination == destination
        else { return nil }
        return .some(last.serviceIndex)
    }

    private func resolveService(proto: TransportProtocol, destination: Endpoint, fwmark: UInt32) -> Int? {
        if fwmark != 0, let index = indexOfService(.fwmark(fwmark, destination.address.family)) { return index }
        if let index = indexOfService(.address(proto, destination)) { return index }
        if proto == .tcp, hasPort21Service, destination.port == 20 || destination.port >= 1024,
            let index = indexOfService(.address(.tcp, Endpoint(address: destination.address, port: 21)))
        {
            return index
        }
        if hasPortZeroService, let index = indexOfService(.address(proto, Endpoint(address: destination.address, port: 0))) {
            return index
        }
        return nil
    }

    public func serviceIndex(for key: ServiceKey) -> Int? { indexOfService(key) }

    /// The table index of the service `key` (keys are unique): a linear scan
    /// for up to 8 services, the hash index beyond.
    @inline(__always)
    private func indexOfService(_ key: ServiceKey) -> Int? {
        if serviceKeys.count <= 8 {
            return serviceKeys.withUnsafeBufferPointer { keys in
                for index in keys.indices where keys[index] == key { return index }
                return nil
            }
        }
        return serviceIndexByKey[key]
    }

    // MARK: New connections (spec §5.1, §5.2, §5.4, §5.7)

    /// Handles the first packet of a flow from `client` to `destination`:
    /// reuses or reschedules an existing entry, consults persistence, calls
    /// the scheduler, creates the entry bound to the server (InActConn + 1,
    /// OVERLOAD check) and applies the packet's state transition (a TCP SYN
    /// moves it to ActiveConn).
    ///
    /// - Parameters:
    ///   - indexed: whether the new entry can be found by key later
    ///     (needed for client port reuse; a simulation with unique client
    ///     ports may pass false to skip the hash index).
    ///   - next: a packet of the same flow that follows at the same instant,
    ///     given the server chosen (nil: none). A simulation passes the
    ///     handshake's ACK when that server accepts the connection: the entry
    ///     ends as two calls (this one, then ``receive(_:flags:direction:now:)``
    ///     with that packet) would leave it, in one access, and the returned
    ///     expiry is the one after that packet.
    public mutating func connect(
        proto: TransportProtocol, client: Endpoint, destination: Endpoint, fwmark: UInt32 = 0, flags: TCPFlags = .syn,
        now: Int64, indexed: Bool = true,
        followedBy next: (_ serverIndex: Int) -> (flags: TCPFlags, direction: PacketDirection)? = { _ in nil }
    ) -> ScheduleOutcome {
        var replaced: ConnectionID?
        if !connections.hasNoIndexedEntries,
            let existing = connections.lookup(ConnectionKey(proto: proto, client: client, virtual: destination))
        {
            switch reuseDecision(existing, proto: proto, flags: flags) {
            case .reuse(let serverIndex):
                let second = next(serverIndex)
                let expiry = receive(existing, (flags, .input), then: second, now: now)
                let entry = connections[existing]
                return .existing(
                    ScheduledConnection(
                        id: existing, serviceIndex: Int(entry.serviceIndex), serverIndex: Int(entry.serverIndex),
                        destination: entry.destination, forwarding: entry.forwarding, isFromTemplate: false,
                        expiresAtNanoseconds: expiry))
            case .drop:
                return .notScheduled
            case .reschedule:
                replaced = existing
            }
        }
        if proto == .tcp {
            if flags.contains(.rst) { return .notScheduled }
            if !flags.contains(.syn) && !settings.sloppyTCP { return .notScheduled }
        }
        guard let serviceIndex = serviceIndexForNewFlow(proto: proto, destination: destination, fwmark: fwmark) else {
            return .noService
        }
        if client.port == 20 { return .notScheduled }
        let outcome: ScheduleOutcome
        if table.services[serviceIndex].isPersistent {
            outcome = connectPersistent(
                serviceIndex: serviceIndex, proto: proto, client: client, destination: destination, flags: flags, now: now,
                indexed: indexed, followedBy: next)
        } else {
            outcome = connectPlain(
                serviceIndex: serviceIndex, proto: proto, client: client, destination: destination, flags: flags, now: now,
                indexed: indexed, followedBy: next)
        }
        // The rescheduled entry's timer fires right after the new decision.
        if let replaced { _ = forceExpire(replaced) }
        return outcome
    }

    /// What a packet that may start a connection does to the entry its key found: reuse
    /// it (its live server at that list position), expire it and schedule afresh, or drop.
    enum ReuseDecision { case reuse(serverIndex: Int), reschedule, drop }

    private mutating func reuseDecision(_ id: ConnectionID, proto: TransportProtocol, flags: TCPFlags) -> ReuseDecision {
        let (state, forwarding) = connections.readHot(id) { ($0.state, $0.forwarding) }
        guard let (s, d) = locateServer(of: id) else {
            // The server was deleted: expire_nodest_conn decides.
            return settings.expireNodestConn ? .reschedule : .drop
        }
        let startsConnection = proto != .tcp || flags.contains(.syn)
        guard startsConnection, proto == .tcp else { return .reuse(serverIndex: d) }
        if settings.expireNodestConn, settings.connReuseMode != 0, table.services[s].servers[d].weight == 0 {
            return .reschedule
        }
        if settings.connReuseMode != 0, connections.controller(of: id) == nil {
            if state == .timeWait || state == .close { return .reschedule }
            if settings.connReuseMode & 2 != 0, state == .finWait, !forwarding.seesReplies { return .reschedule }
        }
        return .reuse(serverIndex: d)
    }

    private mutating func connectPlain(
        serviceIndex: Int, proto: TransportProtocol, client: Endpoint, destination: Endpoint, flags: TCPFlags, now: Int64,
        indexed: Bool, followedBy next: (Int) -> (flags: TCPFlags, direction: PacketDirection)?
    ) -> ScheduleOutcome {
        let key = table.services[serviceIndex].key
        if !key.isFirewallMark && destination.port != key.port { return .noDestination }
        let flow = FlowKey(proto: proto, source: client, destination: destination)
        guard let serverIndex = selectServer(serviceIndex: serviceIndex, flow: flow, now: now) else {
            return .noDestination
        }
        let serverPort = table.services[serviceIndex].servers[serverIndex].port
        return bind(
            serviceIndex: serviceIndex, serverIndex: serverIndex, proto: proto, client: client, virtual: destination,
            destinationPort: serverPort != 0 ? serverPort : destination.port, template: nil, flags: flags,
            next: next(serverIndex), now: now, indexed: indexed)
    }

    /// The service's scheduler picks a server (nil: none), without a copy of the
    /// service per connection (a copy retains and releases its server array and
    /// strings). Kernel schedulers read only the servers and the configuration
    /// (key, flags), so they are shown `lentService`, a standing copy of the
    /// configuration into which the table's server array is swapped for the call
    /// (two pointer swaps). A user scheduler may read anything (the service's
    /// stats too), so the whole service is swapped out of the table for it.
    /// Schedulers that decide from the server list alone (lc, wlc, sed, nq, fo,
    /// ovf) read the table's list in place, with no swap at all.
    @inline(__always)
    private mutating func selectServer(serviceIndex: Int, flow: FlowKey, now: Int64) -> Int? {
        // A list-only kind is a kernel scheduler's: tested first, it spares the others.
        if let kind = listOnlyKinds[serviceIndex] {
            return table.services[serviceIndex].servers.withUnsafeBufferPointer { KernelScheduler.choose(kind, from: $0) }
        }
        let entry = schedulerEntries[serviceIndex]
        guard entry >= 0 else { return nil }
        guard schedulers.isKernelScheduler(entry: entry) else {
            lentServiceIndex = -1
            var service = VirtualService(key: serviceKeys[serviceIndex])
            swap(&service, &table[serviceAt: serviceIndex])
            let chosen = schedulers.select(entry: entry, flow: flow, service: service, nowNanoseconds: now, random: &random)
            swap(&service, &table[serviceAt: serviceIndex])
            return chosen
        }
        if lentServiceIndex != serviceIndex {
            lentService = table.services[serviceIndex]
            lentService.servers = []
            lentServiceIndex = serviceIndex
        }
        swap(&lentService.servers, &table[serviceAt: serviceIndex].servers)
        let chosen = schedulers.select(entry: entry, flow: flow, service: lentService, nowNanoseconds: now, random: &random)
        swap(&lentService.servers, &table[serviceAt: serviceIndex].servers)
        return chosen
    }

    /// The template key of spec §5.7 and the template's destination port rule.
    func templateKey(service: VirtualService, proto: TransportProtocol, client: Endpoint, destination: Endpoint)
        -> (key: ConnectionKey, usesServerPort: Bool)
    {
        let clientKey = Endpoint(address: service.persistenceClientKey(client.address), port: 0)
        switch service.key {
        case .fwmark(let mark, _):
            return (ConnectionKey(proto: nil, client: clientKey, virtual: Endpoint(address: .v4(mark), port: 0)), false)
        case .address(_, let endpoint):
            if destination.port == endpoint.port && endpoint.port != 21 {
                return (
                    ConnectionKey(proto: proto, client: clientKey, virtual: Endpoint(address: destination.address, port: endpoint.port)),
                    true
                )
            }
            return (ConnectionKey(proto: proto, client: clientKey, virtual: Endpoint(address: destination.address, port: 0)), false)
        }
    }

    private mutating func connectPersistent(
        serviceIndex: Int, proto: TransportProtocol, client: Endpoint, destination: Endpoint, flags: TCPFlags, now: Int64,
        indexed: Bool, followedBy next: (Int) -> (flags: TCPFlags, direction: PacketDirection)?
    ) -> ScheduleOutcome {
        let service = table.services[serviceIndex]
        let (key, usesServerPort) = templateKey(service: service, proto: proto, client: client, destination: destination)
        var template: ConnectionID?
        var serverIndex: Int?
        var fromTemplate = false
        if let found = connections.lookup(key) {
            var candidate: ConnectionID? = found
            if expiresTemplatesLazily, connections.readHot(found, { $0.expiresAtNanoseconds }) <= now,
                case .removed = expire(found, now: now)
            {
                candidate = nil
            }
            if let candidate {
                if let (s, d) = locateServer(of: candidate), s == serviceIndex,
                    !(settings.expireQuiescentTemplate && table.services[s].servers[d].weight == 0)
                {
                    template = candidate
                    serverIndex = d
                    fromTemplate = true
                } else {
                    // Invalid: re-keyed so it never matches again, left to its own timer.
                    connections.rekey(candidate, virtualPort: 65535, destinationPort: 65535)
                }
            }
        }
        if serverIndex == nil {
            let flow = FlowKey(proto: proto, source: client, destination: destination)
            guard let chosen = selectServer(serviceIndex: serviceIndex, flow: flow, now: now)
            else { return .noDestination }
            serverIndex = chosen
            let server = table.services[serviceIndex].servers[chosen]
            var entry = Connection(
                proto: key.proto, client: key.client, virtual: key.virtual,
                destination: Endpoint(address: server.address, port: usesServerPort ? server.port : 0), state: .none,
                forwarding: server.forwarding, service: service.key, isTemplate: true,
                timeoutSeconds: service.timeout)
            entry.serverPort = server.port
            entry.serviceIndex = Int32(serviceIndex)
            entry.serverIndex = Int32(chosen)
            entry.locationEpoch = epoch
            entry.expiresAtNanoseconds = now + Int64(service.timeout) * 1_000_000_000
            template = connections.insert(entry, indexed: true)
            table[serviceAt: serviceIndex].servers[chosen].persistentConnections += 1
            table[serviceAt: serviceIndex].servers[chosen].updateOverloadAfterBind()
        }
        guard let serverIndex, let template else { return .noDestination }
        let server = table.services[serviceIndex].servers[serverIndex]
        let port = destination.port == service.key.port && server.port != 0 ? server.port : destination.port
        let outcome = bind(
            serviceIndex: serviceIndex, serverIndex: serverIndex, proto: proto, client: client, virtual: destination,
            destinationPort: port, template: template, flags: flags, next: next(serverIndex), now: now, indexed: indexed)
        // Every new connection through a template refreshes it.
        let refreshed: Void? = connections.updateHot(template) { entry in
            entry.expiresAtNanoseconds = now + Int64(entry.timeoutSeconds) * 1_000_000_000
        }
        precondition(refreshed != nil, "IPVSDirector: stale template")
        if case .scheduled(var scheduled) = outcome, fromTemplate {
            scheduled.isFromTemplate = true
            return .scheduled(scheduled)
        }
        return outcome
    }

    /// Creates the entry, counts it as inactive, checks OVERLOAD, then runs
    /// the creating packet through the state machine. The entry is written
    /// once, already in the state the packet leaves it in; the counters
    /// change in the order of those steps.
    private mutating func bind(
        serviceIndex: Int, serverIndex: Int, proto: TransportProtocol, client: Endpoint, virtual: Endpoint,
        destinationPort: UInt16, template: ConnectionID?, flags: TCPFlags,
        next: (flags: TCPFlags, direction: PacketDirection)? = nil, now: Int64, indexed: Bool
    ) -> ScheduleOutcome {
        // Fields are read one by one: holding a copy of the service across
        // the counter updates below would force a copy of its server array.
        let key = table.services[serviceIndex].key
        let isOnePacket = table.services[serviceIndex].isOnePacket
        let address = table.services[serviceIndex].servers[serverIndex].address
        let serverPort = table.services[serviceIndex].servers[serverIndex].port
        let forwarding = table.services[serviceIndex].servers[serverIndex].forwarding
        let destination = Endpoint(address: address, port: destinationPort)
        if isOnePacket && proto == .udp {
            // Created and destroyed within the packet: the counters never see it.
            return .scheduled(
                ScheduledConnection(
                    id: nil, serviceIndex: serviceIndex, serverIndex: serverIndex, destination: destination,
                    forwarding: forwarding, isFromTemplate: false, expiresAtNanoseconds: now))
        }
        // The creating packet's transition from NONE (see `receive`), then the packet
        // following it at once, if any: the counters below see only where it ends, which
        // is where two calls would leave them (the creating packet's own move between
        // inactive and active, then the next one's, nets out).
        let (state, passedEstablished) = Self.transition(
            proto: proto, from: .none, forwarding: forwarding, (flags, .input), then: next, in: tcpTransitions)
        let isActive = state.isActive
        let timeout = state.timeoutSeconds(table.timeouts)
        let expiry = now + Int64(timeout) * 1_000_000_000
        let id = connections.insert(
            proto: proto, client: client, virtual: virtual, destination: destination, service: key,
            serverPort: serverPort, state: state, forwarding: forwarding,
            flags: isActive ? ConnectionHotRecord.Flags.isCountedActive : 0, expiresAtNanoseconds: expiry,
            timeoutSeconds: timeout, serviceIndex: Int32(serviceIndex), serverIndex: Int32(serverIndex),
            locationEpoch: epoch, indexed: indexed, controller: template)
        Self.modifyService(&table[serviceAt: serviceIndex]) { service in
            service.stats.connections &+= 1
            Self.modifyServer(&service.servers, at: serverIndex) { server in
                server.inactiveConnections += 1
                server.updateOverloadAfterBind()
                server.stats.connections &+= 1
                if isActive {
                    server.inactiveConnections -= 1
                    server.activeConnections += 1
                }
            }
        }
        if passedEstablished, let template, connections.isValid(template) {
            connections.assureTemplate(slot: template.slot)
        }
        return .scheduled(
            ScheduledConnection(
                id: id, serviceIndex: serviceIndex, serverIndex: serverIndex, destination: destination,
                forwarding: forwarding, isFromTemplate: false, expiresAtNanoseconds: expiry))
    }

    /// One in-place access to a service for several updates.
    @inline(__always)
    static func modifyService(_ service: inout VirtualService, _ body: (inout VirtualService) -> Void) {
        body(&service)
    }

    /// One in-place access to a server (a single uniqueness check).
    @inline(__always)
    static func modifyServer(_ servers: inout [RealServer], at index: Int, _ body: (inout RealServer) -> Void) {
        servers.withUnsafeMutableBufferPointer { buffer in body(&buffer[index]) }
    }

    // MARK: Packets on existing entries (spec §2)

    /// Runs one packet of an existing entry through the protocol state
    /// machine, moves the server's counters when the entry changes between
    /// active and inactive, and re-arms the entry's timer.
    ///
    /// - Returns: the entry's new expiry time (ns).
    @discardableResult
    public mutating func receive(_ id: ConnectionID, flags: TCPFlags, direction: PacketDirection, now: Int64) -> Int64 {
        receive(id, (flags, direction), then: nil, now: now)
    }

    /// Two packets of an existing entry arriving back to back at the same instant (a
    /// NAT director sees the client's FIN and the server's FIN+ACK), in one access to
    /// the entry: the same end state, counters, template update and expiry as two
    /// ``receive(_:flags:direction:now:)`` calls in that order, since nothing can look
    /// at the entry between them.
    ///
    /// - Returns: the entry's new expiry time (ns).
    @discardableResult
    public mutating func receive(
        _ id: ConnectionID, _ first: (flags: TCPFlags, direction: PacketDirection),
        then second: (flags: TCPFlags, direction: PacketDirection), now: Int64
    ) -> Int64 {
        receive(id, first, then: Optional(second), now: now)
    }

    @inline(__always)
    private mutating func receive(
        _ id: ConnectionID, _ first: (flags: TCPFlags, direction: PacketDirection),
        then second: (flags: TCPFlags, direction: PacketDirection)?, now: Int64
    ) -> Int64 {
        let timeouts = table.timeouts
        let epoch = self.epoch
        var wasActive = false
        var isActive = false
        var reachedEstablished = false
        var controller: Int32 = -1
        var location = CachedLocation.unknown
        let transitions = tcpTransitions
        // One access to the entry's hot record: validity, transition, timer.
        let expiry: Int64? = connections.updateHot(id) { entry in
            let newState: ConnectionState
            (newState, reachedEstablished) = Self.transition(
                proto: entry.proto, from: entry.state, forwarding: entry.forwarding, first, then: second, in: transitions)
            wasActive = entry.isCountedActive
            isActive = newState.isActive
            entry.state = newState
            entry.isCountedActive = isActive
            entry.timeoutSeconds = newState.timeoutSeconds(timeouts)
            entry.expiresAtNanoseconds = now + Int64(entry.timeoutSeconds) * 1_000_000_000
            controller = entry.controller
            location = CachedLocation(entry, epoch: epoch)
            return entry.expiresAtNanoseconds
        }
        guard let expiry else { return now }
        if wasActive != isActive {
            updateServer(of: id, cached: location) { server in
                if isActive {
                    server.inactiveConnections -= 1
                    server.activeConnections += 1
                } else {
                    server.activeConnections -= 1
                    server.inactiveConnections += 1
                }
            }
        }
        if reachedEstablished && controller >= 0 {
            connections.assureTemplate(slot: controller)
        }
        return expiry
    }

    /// The state an entry in `state` moves to on a packet and, when given, a second one
    /// right after it, and whether either of them moved it into ESTABLISHED (which
    /// makes its template ASSURED).
    @inline(__always)
    private static func transition(
        proto: TransportProtocol?, from state: ConnectionState, forwarding: ForwardingMethod,
        _ first: (flags: TCPFlags, direction: PacketDirection),
        then second: (flags: TCPFlags, direction: PacketDirection)?, in transitions: TCPTransitions
    ) -> (state: ConnectionState, reachedEstablished: Bool) {
        let afterFirst = nextState(
            proto: proto, state: state, forwarding: forwarding, flags: first.flags, direction: first.direction,
            in: transitions)
        var reached = afterFirst == .established && state != .established
        guard let second else { return (afterFirst, reached) }
        let afterSecond = nextState(
            proto: proto, state: afterFirst, forwarding: forwarding, flags: second.flags, direction: second.direction,
            in: transitions)
        reached = reached || (afterSecond == .established && afterFirst != .established)
        return (afterSecond, reached)
    }

    /// The state an entry moves to on a packet: TCP through the state
    /// machine (input-only when the director never sees replies), anything
    /// else UDP.
    @inline(__always)
    private static func nextState(
        proto: TransportProtocol?, state: ConnectionState, forwarding: ForwardingMethod, flags: TCPFlags,
        direction: PacketDirection, in transitions: TCPTransitions
    ) -> ConnectionState {
        switch proto {
        case .tcp?:
            var effective = direction
            if direction == .input && !forwarding.seesReplies { effective = .inputOnly }
            return state.next(onTCP: flags, direction: effective, in: transitions)
        default:
            return .udp
        }
    }

    // MARK: Expiry (spec §2.5, §5.7 step 7)

    /// Called when an entry's timer fires: removes it and drops its server's
    /// counter (OVERLOAD may clear), or re-arms a template that still
    /// controls connections for 60 s (its timeout becomes 60 s for good).
    public mutating func expire(_ id: ConnectionID, now: Int64) -> ExpiryOutcome {
        switch checkTimer(id, now: now) {
        case .stale: return .stale
        case .notDue(let at): return .notDue(at)
        case .rearmed(let at): return .rearmed(at)
        case .removed: return forceExpire(id)
        }
    }

    /// ``expire(_:now:)`` for owners that only drive timers: the same
    /// decision and effects, without handing back (copying) the removed entry.
    /// When the entry's server location is cached (the usual case), the entry
    /// is decided on and removed in one access to the table, then its server's
    /// counters drop; otherwise finding the server reads the entry, so it goes
    /// after that.
    @inline(__always)
    public mutating func expireEntry(_ id: ConnectionID, now: Int64) -> ExpiryStatus {
        let epoch = self.epoch
        var binding = Binding.none
        let status: ExpiryStatus? = connections.updateHot(
            id,
            discardingIf: { entry in
                let status = Self.timerDecision(&entry, now: now)
                guard case .removed = status else { return (status, false) }
                binding = Binding(entry, epoch: epoch)
                return (status, binding.location.serviceIndex >= 0)
            })
        guard let status else { return .stale }
        guard case .removed = status else { return status }
        unbindCounters(of: id, binding)
        if binding.location.serviceIndex >= 0 { return .removed }
        return connections.discard(id) ? .removed : .stale
    }

    /// The timer decision, in one access to the entry's hot record; `.removed`
    /// means the entry is due and must go now.
    private mutating func checkTimer(_ id: ConnectionID, now: Int64) -> ExpiryStatus {
        connections.updateHot(id) { Self.timerDecision(&$0, now: now) } ?? .stale
    }

    /// What an entry's timer firing at `now` does: nothing yet (a later packet re-armed
    /// it), re-arm a template still controlling connections for 60 s, or remove it.
    @inline(__always)
    private static func timerDecision(_ entry: inout ConnectionHotRecord, now: Int64) -> ExpiryStatus {
        if entry.expiresAtNanoseconds > now { return .notDue(entry.expiresAtNanoseconds) }
        if entry.isTemplate && entry.controlledCount > 0 {
            entry.timeoutSeconds = 60
            entry.expiresAtNanoseconds = now + 60_000_000_000
            return .rearmed(now + 60_000_000_000)
        }
        return .removed
    }

    private mutating func forceExpire(_ id: ConnectionID) -> ExpiryOutcome {
        guard connections.isValid(id) else { return .stale }
        unbindCounters(of: id)
        guard let removed = connections.remove(id) else { return .stale }
        return .removed(removed)
    }

    /// What an entry's counters are bound to: its kind, whether it counts
    /// as active, and its cached server location.
    private struct Binding {
        var isTemplate: Bool
        var isCountedActive: Bool
        var location: CachedLocation

        static var none: Binding { Binding(isTemplate: false, isCountedActive: false, location: .unknown) }

        init(isTemplate: Bool, isCountedActive: Bool, location: CachedLocation) {
            self.isTemplate = isTemplate
            self.isCountedActive = isCountedActive
            self.location = location
        }

        @inline(__always)
        init(_ entry: ConnectionHotRecord, epoch: UInt32) {
            self.init(
                isTemplate: entry.isTemplate, isCountedActive: entry.isCountedActive,
                location: CachedLocation(entry, epoch: epoch))
        }
    }

    /// The server's counters drop for an entry about to be removed (OVERLOAD may clear).
    private mutating func unbindCounters(of id: ConnectionID) {
        let epoch = self.epoch
        unbindCounters(of: id, connections.readHot(id) { Binding($0, epoch: epoch) })
    }

    @inline(__always)
    private mutating func unbindCounters(of id: ConnectionID, _ binding: Binding) {
        updateServer(of: id, cached: binding.location) { server in
            if binding.isTemplate {
                server.persistentConnections -= 1
            } else if binding.isCountedActive {
                server.activeConnections -= 1
            } else {
                server.inactiveConnections -= 1
            }
            server.updateOverloadAfterUnbind()
        }
    }

    // MARK: Server resolution

    /// The (service, server) indices of the live server an entry is bound
    /// to, or nil when that server was deleted.
    public mutating func locateServer(of id: ConnectionID) -> (Int, Int)? {
        let epoch = self.epoch
        let cached = connections.readHot(id) { CachedLocation($0, epoch: epoch) }
        if cached.serviceIndex >= 0 {
            return (Int(cached.serviceIndex), Int(cached.serverIndex))
        }
        let entry = connections[id]
        guard let serviceIndex = serviceIndexByKey[entry.service],
            let serverIndex = table.services[serviceIndex].serverIndex(
                address: entry.destination.address, port: entry.serverPort)
        else { return nil }
        connections.updateHot(id) { entry in
            entry.serviceIndex = Int32(serviceIndex)
            entry.serverIndex = Int32(serverIndex)
            entry.locationEpoch = epoch
        }
        return (serviceIndex, serverIndex)
    }

    /// An entry's server location when its cache is valid for the current
    /// epoch, else ``unknown`` (service index -1).
    private struct CachedLocation {
        var serviceIndex: Int32
        var serverIndex: Int32

        static var unknown: CachedLocation { CachedLocation(serviceIndex: -1, serverIndex: -1) }

        init(serviceIndex: Int32, serverIndex: Int32) {
            self.serviceIndex = serviceIndex
            self.serverIndex = serverIndex
        }

        @inline(__always)
        init(_ entry: ConnectionHotRecord, epoch: UInt32) {
            if entry.locationEpoch == epoch && entry.serviceIndex >= 0 {
                self.init(serviceIndex: entry.serviceIndex, serverIndex: entry.serverIndex)
            } else {
                self = .unknown
            }
        }
    }

    /// Updates the server an entry is bound to: at `cached` when known,
    /// else wherever ``locateServer(of:)`` finds it, else in the trash.
    @inline(__always)
    private mutating func updateServer(of id: ConnectionID, cached: CachedLocation, _ body: (inout RealServer) -> Void) {
        if cached.serviceIndex >= 0 {
            Self.modifyServer(&table[serviceAt: Int(cached.serviceIndex)].servers, at: Int(cached.serverIndex), body)
        } else {
            updateServer(of: id, body)
        }
    }

    private mutating func updateServer(of id: ConnectionID, _ body: (inout RealServer) -> Void) {
        if let (s, d) = locateServer(of: id) {
            Self.modifyServer(&table[serviceAt: s].servers, at: d, body)
        } else {
            let entry = connections[id]
            table.updateTrashed(service: entry.service, address: entry.destination.address, port: entry.serverPort, body)
        }
    }
}
