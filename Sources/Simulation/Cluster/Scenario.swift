import Foundation
import LVSModel

/// A validated cluster scenario: the director's rules, the real servers'
/// capacities, the client population and the workload (see `docs/scenarios.md`).
public struct Scenario: @unchecked Sendable {
    /// Queue discipline of a real server.
    public enum Discipline: String, Sendable, CaseIterable {
        /// First come, first served: a connection holds one worker until it completes.
        case fcfs
        /// Processor sharing: n connections share the workers, each at speed·min(1, workers/n).
        case ps
    }

    /// One real server's capacity, matched to the ipvsadm real server by address and port.
    public struct Server: Sendable {
        public var endpoint: Endpoint
        /// Weight used when the scenario generates the ipvsadm rules.
        public var weight: Int32
        public var workers: Int
        /// Work done per second of wall time (service time = demand / speed).
        public var speed: Double
        public var discipline: Discipline
        /// Accept backlog: connections waiting for a worker (FCFS) or beyond the workers (PS).
        public var backlog: Int
        /// Optional `-x`/`-y` thresholds for generated rules.
        public var upperThreshold: UInt32
        public var lowerThreshold: UInt32

        public init(
            endpoint: Endpoint, weight: Int32 = 1, workers: Int = 1, speed: Double = 1, discipline: Discipline = .fcfs,
            backlog: Int = 511, upperThreshold: UInt32 = 0, lowerThreshold: UInt32 = 0
        ) {
            self.endpoint = endpoint
            self.weight = weight
            self.workers = workers
            self.speed = speed
            self.discipline = discipline
            self.backlog = backlog
            self.upperThreshold = upperThreshold
            self.lowerThreshold = lowerThreshold
        }
    }

    /// The client population (CIPs).
    public struct Clients: Sendable {
        /// Number of client addresses.
        public var count: Int
        /// First address (host order, IPv4) of the subnet the clients are numbered in.
        public var baseAddress: UInt32
        /// Zipf exponent of who sends (nil: uniform).
        public var zipf: Double?
        /// SYN retransmissions before giving up (Linux `tcp_syn_retries`, default 6).
        public var synRetries: Int
        /// Whether a refused connection (ICMP port unreachable) is retried by the
        /// application with the same back-off (Linux TCP itself gives up: ECONNREFUSED).
        public var retryRefused: Bool

        public init(count: Int = 1000, baseAddress: UInt32 = 0x0A14_0001, zipf: Double? = nil, synRetries: Int = 6,
                    retryRefused: Bool = false) {
            self.count = count
            self.baseAddress = baseAddress
            self.zipf = zipf
            self.synRetries = synRetries
            self.retryRefused = retryRefused
        }
    }

    /// One row of a replayed connection log.
    public struct LoggedConnection: Sendable, Equatable {
        /// Arrival time of the first SYN, ns since start.
        public var timeNanoseconds: Int64
        /// Client address index (nil: drawn from the population).
        public var client: IPAddress?
        /// Service demand in seconds at speed 1 (nil: drawn from the demand distribution).
        public var demandSeconds: Double?

        public init(timeNanoseconds: Int64, client: IPAddress?, demandSeconds: Double?) {
            self.timeNanoseconds = timeNanoseconds
            self.client = client
            self.demandSeconds = demandSeconds
        }
    }

    /// How new connections arrive.
    public enum Arrivals: Sendable {
        /// Poisson process with `rate` connections per second.
        case poisson(rate: Double)
        /// One connection every 1/rate seconds.
        case deterministic(rate: Double)
        /// Poisson at `onRate` for `onSeconds`, then at `offRate` for `offSeconds`, repeating.
        case onOff(onRate: Double, offRate: Double, onSeconds: Double, offSeconds: Double)
        /// Poisson whose rate is piecewise constant: `rate` until `untilSeconds` (the last one forever).
        case piecewise([(untilSeconds: Double, rate: Double)])
        /// A connection log replayed as is.
        case replay([LoggedConnection])

        /// The long-run mean rate (connections per second).
        public var meanRate: Double {
            switch self {
            case .poisson(let rate), .deterministic(let rate): return rate
            case .onOff(let on, let off, let onS, let offS): return (on * onS + off * offS) / (onS + offS)
            case .piecewise(let segments): return segments.last?.rate ?? 0
            case .replay(let rows):
                guard let last = rows.last, last.timeNanoseconds > 0 else { return 0 }
                return Double(rows.count) / (Double(last.timeNanoseconds) / 1e9)
            }
        }
    }

    public var name: String
    /// The scenario file (for messages and metadata).
    public var file: String
    public var description: String
    public var seed: UInt64
    public var replications: Int
    /// Measured connections after the warm-up (nil when the run is bounded by ``durationSeconds``).
    public var connections: Int?
    /// Measured simulated time after the warm-up (when ``connections`` is nil).
    public var durationSeconds: Double?
    /// Connections (by arrival order) excluded from the statistics.
    public var warmupConnections: Int
    /// Simulated seconds excluded from the statistics (used when ``warmupConnections`` is 0).
    public var warmupSeconds: Double
    /// ipvsadm command lines (argument vectors) that build the director's table.
    public var ipvsadm: [[String]]
    /// The virtual service the clients connect to (VIP:port, TCP).
    public var virtualService: Endpoint
    public var servers: [Server]
    public var clients: Clients
    public var arrivals: Arrivals
    /// Service demand of one request, seconds at speed 1.
    public var demand: Distribution
    /// Requests per connection (rounded, at least 1); nil means exactly 1.
    public var requests: Distribution?
    /// Interval of the per-server time series, seconds (0: automatic).
    public var seriesIntervalSeconds: Double
    /// Per-connection rows kept for `--out` (the first N measured connections).
    public var sampleConnections: Int
    /// Connection level (default) or packet level (`docs/packet-level.md`).
    public var level: Level = .connection
    /// The `network` section (required at packet level).
    public var network: Network? = nil

    public init(
        name: String, file: String = "", description: String = "", seed: UInt64 = 1, replications: Int = 5,
        connections: Int? = 10_000, durationSeconds: Double? = nil, warmupConnections: Int = 0, warmupSeconds: Double = 0,
        ipvsadm: [[String]], virtualService: Endpoint, servers: [Server], clients: Clients = Clients(),
        arrivals: Arrivals, demand: Distribution, requests: Distribution? = nil, seriesIntervalSeconds: Double = 0,
        sampleConnections: Int = 10_000
    ) {
        self.name = name
        self.file = file
        self.description = description
        self.seed = seed
        self.replications = replications
        self.connections = connections
        self.durationSeconds = durationSeconds
        self.warmupConnections = warmupConnections
        self.warmupSeconds = warmupSeconds
        self.ipvsadm = ipvsadm
        self.virtualService = virtualService
        self.servers = servers
        self.clients = clients
        self.arrivals = arrivals
        self.demand = demand
        self.requests = requests
        self.seriesIntervalSeconds = seriesIntervalSeconds
        self.sampleConnections = sampleConnections
    }

    /// Mean work per connection (seconds at speed 1).
    public var meanWorkPerConnection: Double {
        demand.mean * max(1, requests?.mean ?? 1)
    }

    /// Total capacity in work-seconds per second: Σ workers × speed.
    public var totalCapacity: Double {
        servers.reduce(0) { $0 + Double($1.workers) * $1.speed }
    }

    /// Returns a copy whose `-A`/`-E` lines use `scheduler` (the `compare` override).
    public func withScheduler(_ scheduler: String) -> Scenario {
        var copy = self
        copy.ipvsadm = ipvsadm.map { Scenario.overrideScheduler($0, scheduler) }
        return copy
    }

    static func overrideScheduler(_ args: [String], _ scheduler: String) -> [String] {
        let isServiceLine = args.contains { ["-A", "--add-service", "-E", "--edit-service"].contains($0) }
        guard isServiceLine else { return args }
        var result: [String] = []
        var replaced = false
        var index = 0
        while index < args.count {
            let word = args[index]
            if word == "-s" || word == "--scheduler" {
                result += [word, scheduler]
                index += 2
                replaced = true
                continue
            }
            if word.hasPrefix("--scheduler=") {
                result.append("--scheduler=\(scheduler)")
                replaced = true
            } else if word.hasPrefix("-s"), word.count > 2, !word.hasPrefix("--") {
                result.append("-s\(scheduler)")
                replaced = true
            } else {
                result.append(word)
            }
            index += 1
        }
        if !replaced { result += ["-s", scheduler] }
        return result
    }
}
