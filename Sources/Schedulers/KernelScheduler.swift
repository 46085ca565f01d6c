import LVSModel

/// One of the kernel schedulers, dispatched with a `switch` (no existential
/// or dynamic allocation on the decision path).
///
/// Mutations run on the payload in place: the payload is moved out of the
/// storage before being mutated, so its tables are never copied on write.
public struct KernelScheduler: Sendable {
    @usableFromInline
    enum Storage: Sendable {
        /// Transient, only while a payload is being mutated.
        case vacant
        case roundRobin(RoundRobinScheduler)
        case weightedRoundRobin(WeightedRoundRobinScheduler)
        case leastConnection(LeastConnectionScheduler)
        case weightedLeastConnection(WeightedLeastConnectionScheduler)
        case shortestExpectedDelay(ShortestExpectedDelayScheduler)
        case neverQueue(NeverQueueScheduler)
        case weightedFailover(WeightedFailoverScheduler)
        case weightedOverflow(WeightedOverflowScheduler)
        case twoChoices(TwoChoicesScheduler)
        case localityLeastConnection(LocalityLeastConnectionScheduler)
        case localityReplication(LocalityReplicationScheduler)
        case destinationHashing(DestinationHashingScheduler)
        case sourceHashing(SourceHashingScheduler)
        case maglevHashing(MaglevHashingScheduler)
    }

    @usableFromInline var storage: Storage

    /// A placeholder with no payload (``SchedulerSet`` uses it for the entry of a user scheduler).
    init(vacant: Void) { storage = .vacant }

    /// Runs the kernel `init_service` of `kind` for `service`.
    public init(kind: SchedulerKind, service: VirtualService) {
        switch kind {
        case .roundRobin: storage = .roundRobin(RoundRobinScheduler(service: service))
        case .weightedRoundRobin: storage = .weightedRoundRobin(WeightedRoundRobinScheduler(service: service))
        case .leastConnection: storage = .leastConnection(LeastConnectionScheduler(service: service))
        case .weightedLeastConnection: storage = .weightedLeastConnection(WeightedLeastConnectionScheduler(service: service))
        case .shortestExpectedDelay: storage = .shortestExpectedDelay(ShortestExpectedDelayScheduler(service: service))
        case .neverQueue: storage = .neverQueue(NeverQueueScheduler(service: service))
        case .weightedFailover: storage = .weightedFailover(WeightedFailoverScheduler(service: service))
        case .weightedOverflow: storage = .weightedOverflow(WeightedOverflowScheduler(service: service))
        case .twoChoices: storage = .twoChoices(TwoChoicesScheduler(service: service))
        case .localityLeastConnection: storage = .localityLeastConnection(LocalityLeastConnectionScheduler(service: service))
        case .localityReplication: storage = .localityReplication(LocalityReplicationScheduler(service: service))
        case .destinationHashing: storage = .destinationHashing(DestinationHashingScheduler(service: service))
        case .sourceHashing: storage = .sourceHashing(SourceHashingScheduler(service: service))
        case .maglevHashing: storage = .maglevHashing(MaglevHashingScheduler(service: service))
        }
    }

    /// Initialises the scheduler `service.scheduler` names; nil for "none" or an unknown name.
    public init?(service: VirtualService) {
        guard let kind = SchedulerKind(name: service.scheduler) else { return nil }
        self.init(kind: kind, service: service)
    }

    /// Whether `kind` keeps no state and draws nothing: its choice is a function of the
    /// service's server list alone (lc, wlc, sed, nq, fo, ovf: ``ListOnlySchedulerKind``).
    public static func decidesFromListAlone(_ kind: SchedulerKind) -> Bool {
        ListOnlySchedulerKind(kind) != nil
    }

    /// The choice of a scheduler that decides from the server list alone, from the list
    /// in kernel order (zero-based): what its `select` returns for a service with these
    /// servers.
    @inline(__always)
    public static func choose<Servers: RandomAccessCollection<RealServer>>(
        _ kind: ListOnlySchedulerKind, from servers: Servers
    ) -> Int? where Servers.Index == Int {
        switch kind {
        case .leastConnection: return LeastConnectionScheduler.choose(servers)
        case .weightedLeastConnection: return WeightedLeastConnectionScheduler.choose(servers)
        case .shortestExpectedDelay: return ShortestExpectedDelayScheduler.choose(servers)
        case .neverQueue: return NeverQueueScheduler.choose(servers)
        case .weightedFailover: return WeightedFailoverScheduler.choose(servers)
        case .weightedOverflow: return WeightedOverflowScheduler.choose(servers)
        }
    }

    /// Which algorithm this is.
    public var kind: SchedulerKind {
        switch storage {
        case .vacant: preconditionFailure("scheduler observed mid-mutation")
        case .roundRobin: return .roundRobin
        case .weightedRoundRobin: return .weightedRoundRobin
        case .leastConnection: return .leastConnection
        case .weightedLeastConnection: return .weightedLeastConnection
        case .shortestExpectedDelay: return .shortestExpectedDelay
        case .neverQueue: return .neverQueue
        case .weightedFailover: return .weightedFailover
        case .weightedOverflow: return .weightedOverflow
        case .twoChoices: return .twoChoices
        case .localityLeastConnection: return .localityLeastConnection
        case .localityReplication: return .localityReplication
        case .destinationHashing: return .destinationHashing
        case .sourceHashing: return .sourceHashing
        case .maglevHashing: return .maglevHashing
        }
    }

    /// The payload as its concrete type, for inspection.
    public var base: any Scheduler {
        switch storage {
        case .vacant: preconditionFailure("scheduler observed mid-mutation")
        case .roundRobin(let s): return s
        case .weightedRoundRobin(let s): return s
        case .leastConnection(let s): return s
        case .weightedLeastConnection(let s): return s
        case .shortestExpectedDelay(let s): return s
        case .neverQueue(let s): return s
        case .weightedFailover(let s): return s
        case .weightedOverflow(let s): return s
        case .twoChoices(let s): return s
        case .localityLeastConnection(let s): return s
        case .localityReplication(let s): return s
        case .destinationHashing(let s): return s
        case .sourceHashing(let s): return s
        case .maglevHashing(let s): return s
        }
    }

    /// See ``Scheduler/apply(_:service:)``.
    public mutating func apply(_ change: TableChange, service: VirtualService) {
        switch storage {
        case .vacant: break
        case .roundRobin(var s): storage = .vacant; s.apply(change, service: service); storage = .roundRobin(s)
        case .weightedRoundRobin(var s): storage = .vacant; s.apply(change, service: service); storage = .weightedRoundRobin(s)
        case .leastConnection(var s): storage = .vacant; s.apply(change, service: service); storage = .leastConnection(s)
        case .weightedLeastConnection(var s): storage = .vacant; s.apply(change, service: service); storage = .weightedLeastConnection(s)
        case .shortestExpectedDelay(var s): storage = .vacant; s.apply(change, service: service); storage = .shortestExpectedDelay(s)
        case .neverQueue(var s): storage = .vacant; s.apply(change, service: service); storage = .neverQueue(s)
        case .weightedFailover(var s): storage = .vacant; s.apply(change, service: service); storage = .weightedFailover(s)
        case .weightedOverflow(var s): storage = .vacant; s.apply(change, service: service); storage = .weightedOverflow(s)
        case .twoChoices(var s): storage = .vacant; s.apply(change, service: service); storage = .twoChoices(s)
        case .localityLeastConnection(var s): storage = .vacant; s.apply(change, service: service); storage = .localityLeastConnection(s)
        case .localityReplication(var s): storage = .vacant; s.apply(change, service: service); storage = .localityReplication(s)
        case .destinationHashing(var s): storage = .vacant; s.apply(change, service: service); storage = .destinationHashing(s)
        case .sourceHashing(var s): storage = .vacant; s.apply(change, service: service); storage = .sourceHashing(s)
        case .maglevHashing(var s): storage = .vacant; s.apply(change, service: service); storage = .maglevHashing(s)
        }
    }

    /// See ``Scheduler/advance(to:)``.
    public mutating func advance(to nowNanoseconds: Int64) {
        switch storage {
        case .localityLeastConnection(var s): storage = .vacant; s.advance(to: nowNanoseconds); storage = .localityLeastConnection(s)
        case .localityReplication(var s): storage = .vacant; s.advance(to: nowNanoseconds); storage = .localityReplication(s)
        default: break
        }
    }

    /// See ``Scheduler/select(flow:service:nowNanoseconds:random:)``.
    @inlinable
    public mutating func select<Random: SchedulerRandomSource>(
        flow: FlowKey, service: VirtualService, nowNanoseconds: Int64, random: inout Random
    ) -> Int? {
        switch storage {
        case .vacant: return nil
        case .roundRobin(var s):
            // A few integers: copied out and back, no vacant round trip.
            let chosen = s.select(flow: flow, service: service, nowNanoseconds: nowNanoseconds, random: &random)
            storage = .roundRobin(s)
            return chosen
        case .weightedRoundRobin(var s):
            // A few integers: copied out and back, no vacant round trip.
            let chosen = s.select(flow: flow, service: service, nowNanoseconds: nowNanoseconds, random: &random)
            storage = .weightedRoundRobin(s)
            return chosen
        case .leastConnection(var s): return s.select(flow: flow, service: service, nowNanoseconds: nowNanoseconds, random: &random)
        case .weightedLeastConnection(var s): return s.select(flow: flow, service: service, nowNanoseconds: nowNanoseconds, random: &random)
        case .shortestExpectedDelay(var s): return s.select(flow: flow, service: service, nowNanoseconds: nowNanoseconds, random: &random)
        case .neverQueue(var s): return s.select(flow: flow, service: service, nowNanoseconds: nowNanoseconds, random: &random)
        case .weightedFailover(var s): return s.select(flow: flow, service: service, nowNanoseconds: nowNanoseconds, random: &random)
        case .weightedOverflow(var s): return s.select(flow: flow, service: service, nowNanoseconds: nowNanoseconds, random: &random)
        case .twoChoices(var s): return s.select(flow: flow, service: service, nowNanoseconds: nowNanoseconds, random: &random)
        case .localityLeastConnection(var s):
            storage = .vacant
            let chosen = s.select(flow: flow, service: service, nowNanoseconds: nowNanoseconds, random: &random)
            storage = .localityLeastConnection(s)
            return chosen
        case .localityReplication(var s):
            storage = .vacant
            let chosen = s.select(flow: flow, service: service, nowNanoseconds: nowNanoseconds, random: &random)
            storage = .localityReplication(s)
            return chosen
        case .destinationHashing(var s): return s.select(flow: flow, service: service, nowNanoseconds: nowNanoseconds, random: &random)
        case .sourceHashing(var s): return s.select(flow: flow, service: service, nowNanoseconds: nowNanoseconds, random: &random)
        case .maglevHashing(var s): return s.select(flow: flow, service: service, nowNanoseconds: nowNanoseconds, random: &random)
        }
    }
}

/// The kernel schedulers that keep no state and draw nothing, whose choice is a function
/// of the service's server list alone: a director may run them on the table's list in
/// place (``KernelScheduler/choose(_:from:)``).
public enum ListOnlySchedulerKind: Hashable, Sendable {
    case leastConnection, weightedLeastConnection, shortestExpectedDelay, neverQueue, weightedFailover,
        weightedOverflow

    /// `kind` when it is one of these; nil for every other scheduler.
    public init?(_ kind: SchedulerKind) {
        switch kind {
        case .leastConnection: self = .leastConnection
        case .weightedLeastConnection: self = .weightedLeastConnection
        case .shortestExpectedDelay: self = .shortestExpectedDelay
        case .neverQueue: self = .neverQueue
        case .weightedFailover: self = .weightedFailover
        case .weightedOverflow: self = .weightedOverflow
        default: return nil
        }
    }
}
