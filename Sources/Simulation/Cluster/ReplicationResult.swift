import Foundation

/// What one real server did during the measured window of one replication.
public struct ServerResult: Sendable, Equatable {
    public var address: String
    public var weight: Int32
    public var workers: Int
    public var speed: Double
    /// Connections the director bound to this server (measured connections).
    public var connections: Int
    /// Share of the measured connections bound here.
    public var share: Double
    /// Busy fraction of the workers over the window (speed is in the service times).
    public var utilization: Double
    /// Time-average and maximum of the director's ActiveConn for this server.
    public var meanActive: Double
    public var maxActive: Int
    /// Time-average of InActConn.
    public var meanInactive: Double
    /// Little's law: time-average connections at the server (queued + in service),
    /// rate of connections leaving the server, and their mean time at the server.
    public var meanInSystem: Double
    public var departureRate: Double
    public var meanSojournSeconds: Double
    /// SYNs this server's full backlog dropped.
    public var synDrops: Int
}

/// One row of the per-connection sample.
public struct ConnectionSample: Sendable, Equatable {
    public var id: Int
    public var arrivalSeconds: Double
    public var client: String
    public var server: String
    public var demandMs: Double
    public var responseMs: Double
    public var attempts: Int
    public var outcome: String
}

/// One point of a per-server time series.
public struct SeriesPoint: Sendable, Equatable {
    public var timeSeconds: Double
    public var server: String
    public var active: Int32
    public var inactive: Int32
    public var inSystem: Int
    public var busyWorkers: Int
    public var completed: Int
}

/// Everything one replication measured.
public struct ReplicationResult: Sendable {
    public var replication: Int
    public var scheduler: String
    /// Connections generated (all, warm-up included).
    public var arrived = 0
    public var completed = 0
    /// Gave up after the last SYN retransmission.
    public var failed = 0
    /// Refused with ICMP (no destination) and not retried.
    public var refused = 0
    public var inFlight = 0
    /// Measured connections (after warm-up) and how they ended.
    public var measured = 0
    public var measuredCompleted = 0
    public var measuredFailed = 0
    public var measuredRefused = 0
    /// SYNs dropped by full backlogs, SYN retransmissions, ICMP refusals (all connections).
    public var synDrops = 0
    public var retries = 0
    public var icmpRefusals = 0
    /// Response time (ms) of measured connections: first SYN at the director to completion.
    public var latencyMs = RunningStats()
    public var latencyQuantilesMs: [Double] = []
    /// Completed connections per second of measured window.
    public var throughput = 0.0
    public var windowSeconds = 0.0
    public var servers: [ServerResult] = []
    public var jainUtilization = 1.0
    public var jainWeightedShare = 1.0
    public var maxOverMeanUtilization = 1.0
    public var events = 0
    public var simulatedSeconds = 0.0
    public var wallSeconds = 0.0
    /// Whether new director entries were put in the lookup index (client ports may repeat).
    public var indexedEntries = false
    public var samples: [ConnectionSample] = []
    public var series: [SeriesPoint] = []

    /// The quantile levels of ``latencyQuantilesMs``.
    public static let quantileLevels: [Double] = [0.5, 0.9, 0.95, 0.99, 0.999]

    public init(replication: Int, scheduler: String) {
        self.replication = replication
        self.scheduler = scheduler
    }
}
