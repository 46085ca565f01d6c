/// Names one independent random-number stream of a simulation run.
///
/// Every consumer of randomness draws from its own ``RandomStream`` seeded from
/// `(seed, replication, stream)`, so adding draws in one consumer never shifts the
/// numbers seen by another (common random numbers across compared configurations).
/// Models may define further streams with ``init(rawValue:)``; values below 1024 are
/// reserved for the constants declared here.
public struct StreamID: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt64

    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// Client inter-arrival times.
    public static let arrivals = StreamID(rawValue: 1)
    /// Per-request service demand at a real server.
    public static let serviceDemand = StreamID(rawValue: 2)
    /// Which client (source address/port) issues a request.
    public static let clientChoice = StreamID(rawValue: 3)
    /// Randomised scheduler decisions (e.g. tie breaking, random schedulers).
    public static let scheduler = StreamID(rawValue: 4)
    /// Request mix: object sizes, request kinds, keep-alive counts.
    public static let requests = StreamID(rawValue: 5)
    /// Network delays, jitter and loss.
    public static let network = StreamID(rawValue: 6)
    /// Failure and recovery times of servers and directors.
    public static let failures = StreamID(rawValue: 7)
    /// Health-check timing.
    public static let healthChecks = StreamID(rawValue: 8)
    /// Which measured connections the per-connection sample keeps (reservoir sampling).
    public static let connectionSample = StreamID(rawValue: 9)

    /// Stream `index` of a family of per-entity streams (e.g. one per client),
    /// kept apart from the named streams and from other families by `family`.
    public static func entity(family: StreamID, index: UInt32) -> StreamID {
        StreamID(rawValue: (family.rawValue << 32) | UInt64(index) | (1 << 63))
    }

    public var description: String {
        switch self {
        case .arrivals: "arrivals"
        case .serviceDemand: "serviceDemand"
        case .clientChoice: "clientChoice"
        case .scheduler: "scheduler"
        case .requests: "requests"
        case .network: "network"
        case .failures: "failures"
        case .healthChecks: "healthChecks"
        case .connectionSample: "connectionSample"
        default: "stream#\(rawValue)"
        }
    }
}
