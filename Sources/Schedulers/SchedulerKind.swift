import LVSModel

/// The fourteen kernel IPVS schedulers, by their ipvsadm names.
public enum SchedulerKind: String, CaseIterable, Hashable, Sendable, Codable {
    /// Round robin (`rr`, ``RoundRobinScheduler``).
    case roundRobin = "rr"
    /// Weighted round robin (`wrr`, ``WeightedRoundRobinScheduler``).
    case weightedRoundRobin = "wrr"
    /// Least connection (`lc`, ``LeastConnectionScheduler``).
    case leastConnection = "lc"
    /// Weighted least connection (`wlc`, ``WeightedLeastConnectionScheduler``).
    case weightedLeastConnection = "wlc"
    /// Shortest expected delay (`sed`, ``ShortestExpectedDelayScheduler``).
    case shortestExpectedDelay = "sed"
    /// Never queue (`nq`, ``NeverQueueScheduler``).
    case neverQueue = "nq"
    /// Weighted failover (`fo`, ``WeightedFailoverScheduler``).
    case weightedFailover = "fo"
    /// Weighted overflow (`ovf`, ``WeightedOverflowScheduler``).
    case weightedOverflow = "ovf"
    /// Weighted random two choices (Linux ≥ 6.7) (`twos`, ``TwoChoicesScheduler``).
    case twoChoices = "twos"
    /// Locality-based least connection (`lblc`, ``LocalityLeastConnectionScheduler``).
    case localityLeastConnection = "lblc"
    /// Locality-based least connection with replication (`lblcr`, ``LocalityReplicationScheduler``).
    case localityReplication = "lblcr"
    /// Destination hashing (`dh`, ``DestinationHashingScheduler``).
    case destinationHashing = "dh"
    /// Source hashing (`sh`, ``SourceHashingScheduler``).
    case sourceHashing = "sh"
    /// Maglev hashing (`mh`, ``MaglevHashingScheduler``).
    case maglevHashing = "mh"

    /// The ipvsadm name.
    public var name: String { rawValue }

    /// The kind with this ipvsadm name.
    public init?(name: String) { self.init(rawValue: name) }

    /// The implementing type.
    public var implementation: any Scheduler.Type {
        switch self {
        case .roundRobin: return RoundRobinScheduler.self
        case .weightedRoundRobin: return WeightedRoundRobinScheduler.self
        case .leastConnection: return LeastConnectionScheduler.self
        case .weightedLeastConnection: return WeightedLeastConnectionScheduler.self
        case .shortestExpectedDelay: return ShortestExpectedDelayScheduler.self
        case .neverQueue: return NeverQueueScheduler.self
        case .weightedFailover: return WeightedFailoverScheduler.self
        case .weightedOverflow: return WeightedOverflowScheduler.self
        case .twoChoices: return TwoChoicesScheduler.self
        case .localityLeastConnection: return LocalityLeastConnectionScheduler.self
        case .localityReplication: return LocalityReplicationScheduler.self
        case .destinationHashing: return DestinationHashingScheduler.self
        case .sourceHashing: return SourceHashingScheduler.self
        case .maglevHashing: return MaglevHashingScheduler.self
        }
    }

    /// The schedulers Linux 6.1 ships (all but `twos`).
    public static let linux61: [SchedulerKind] = allCases.filter { $0 != .twoChoices }
}
