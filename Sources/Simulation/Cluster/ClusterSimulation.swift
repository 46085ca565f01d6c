import Foundation
import LVSModel
import Schedulers
@preconcurrency import CGSL

/// GSL streams drive the schedulers' randomness (twos) through stream `.scheduler`.
extension RandomStream: SchedulerRandomSource {}

/// A problem building a run from a scenario (bad rules, unmatched servers).
public struct SimulationSetupError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Options of one replication that do not change the model.
public struct RunOptions: Sendable {
    /// Keep the per-connection sample and the per-server time series.
    public var collectDetails = false
    /// Called now and then with the fraction of arrivals generated (0…1).
    public var progress: (@Sendable (Double) -> Void)?
    public init(collectDetails: Bool = false, progress: (@Sendable (Double) -> Void)? = nil) {
        self.collectDetails = collectDetails
        self.progress = progress
    }
}

/// One replication of a scenario: the clients, the kernel's director
/// (``IPVSDirector``, the production code path) and the real servers, driven by
/// the ``Engine``.
///
/// Randomness: one GSL stream per source — arrivals, client choice, requests per
/// connection, service demand, scheduler — seeded from (seed, replication,
/// stream). Each connection's client, request count and demand are drawn at its
/// arrival in arrival order, whatever the scheduler does, so runs that differ
/// only in the scheduler see identical workloads (common random numbers).
///
/// Not meant to be copied: the engine's queues and the model's records are written in
/// place (``FlatArray``), so a copy would share them; make a new simulation instead.
public struct ClusterSimulation {
    public let scenario: Scenario
    public let replication: Int
    var model: ClusterModel
    var engine: Engine

    public init(scenario: Scenario, replication: Int, options: RunOptions = RunOptions(), recorder: TraceRecorder? = nil)
        throws(SimulationSetupError)
    {
        self.scenario = scenario
        self.replication = replication
        engine = Engine(expectedPendingEvents: 4096)
        model = try ClusterModel(scenario: scenario, replication: replication, options: options, recorder: recorder, engine: &engine)
    }

    /// Runs until every measured connection has completed or failed.
    public mutating func run() -> ReplicationResult {
        let start = DispatchTime.now().uptimeNanoseconds
        engine.run(handler: &model)
        var result = model.finish(engine: engine)
        result.wallSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        model.recorder?.flush()
        return result
    }

    /// The director (tests inspect its counters).
    public var director: IPVSDirector<RandomStream> { model.director }

    /// Advances the simulation to `seconds` of simulated time, even past the end
    /// of the measured connections (to watch entries expire).
    public mutating func advance(untilSeconds seconds: Double) {
        let limit = SimTime.seconds(seconds)
        while engine.now < limit {
            let before = engine.eventsProcessed
            engine.run(until: limit, handler: &model)
            if engine.eventsProcessed == before && engine.now < limit { break }
        }
    }

    /// The director's (ActiveConn, InActConn) of each real server of the target service, kernel order.
    public var counters: [(active: Int32, inactive: Int32)] {
        model.director.table.services[model.serviceIndex].servers.map { ($0.activeConnections, $0.inactiveConnections) }
    }

    /// Independent counts for conservation checks: clients still waiting for their
    /// connection (by scanning the connection slots), connections at the real servers.
    public var openClients: Int {
        var free = Set(model.freeSlots)
        var open = 0
        for slot in model.conns.indices where !free.contains(Int32(slot)) {
            if model.conns[slot].flags & ConnFlag.clientDone == 0 { open += 1 }
        }
        free.removeAll()
        return open
    }

    public var connectionsAtServers: Int { model.inSystem.reduce(0, +) }

    /// Events the engine has delivered so far.
    public var eventsDelivered: Int { engine.eventsProcessed }

    /// The result so far (counters as of now).
    public var partialResult: ReplicationResult { model.result }
}

// MARK: - The model

enum EventKind {
    static let arrival: UInt32 = 0
    static let synRetry: UInt32 = 1
    static let fcfsDone: UInt32 = 2
    static let psDone: UInt32 = 3
    static let entryTimer: UInt32 = 4
    static let templateTimer: UInt32 = 5
    static let giveUp: UInt32 = 6
    static let seriesTick: UInt32 = 7
    static let rateChange: UInt32 = 8
    static let windowEnd: UInt32 = 9
}

/// Per-connection flags.
enum ConnFlag {
    static let measured: UInt8 = 1
    static let clientDone: UInt8 = 2
    /// Packet level: a real server has accepted this connection once (its share counts it once,
    /// however many SYNs a reset connection retransmits).
    static let accepted: UInt8 = 4
}

struct ClusterModel: EventHandler {
    var director: IPVSDirector<RandomStream>
    let serviceIndex: Int
    let vip: Endpoint
    let indexed: Bool
    let isPersistent: Bool
    var recorder: TraceRecorder?
    let options: RunOptions

    // Streams.
    let arrivalStream: RandomStream
    let clientStream: RandomStream
    let requestStream: RandomStream
    let demandStream: RandomStream

    // Workload.
    let arrivals: Scenario.Arrivals
    /// Whether `arrivals` replays a connection log (no rate changes void an arrival).
    let arrivalsAreReplayed: Bool
    let demand: Distribution
    let requests: Distribution?
    let zipf: ZipfDistribution?
    /// `zipf`'s alias table, read in place (it lives as long as `zipf`).
    let zipfRows: DiscreteDistribution.AliasRows?
    /// Client choice drawn ahead (see `arrive`): the next arrival's Zipf rank and the
    /// uniform of the one after it.
    var clientsAhead: (rank: Int, uniform: Double)?
    let clientCount: Int
    let clientBase: UInt32
    /// Per client address, the source port of its next connection (written in place).
    var nextPort: FlatArray<UInt16>
    let synRetries: Int
    let retryRefused: Bool
    /// Arrivals to generate (nil: until `arrivalEnd`).
    let totalArrivals: Int?
    let arrivalEndNs: Int64
    let warmupConnections: Int
    let warmupEndNsConfigured: Int64
    var currentRate: Double = 0
    var rateSegment = 0
    var replayCursor = 0
    var arrivalsGenerated = 0
    var arrivalsDone = false

    // Servers, indexed by the director's list position of the target service.
    let serverCount: Int
    let workers: [Int]
    let speed: [Double]
    let isPS: [Bool]
    /// Per server, workers + backlog: a SYN is accepted while fewer connections are there.
    /// Flat, so that the director's accept test can read it through a plain pointer.
    let acceptLimit: FlatArray<Int>
    let seesReplies: [Bool]
    let serverNames: [String]
    var busy: FlatArray<Int>
    var inSystem: FlatArray<Int>
    /// FCFS: per server, the connections waiting for a worker, in arrival order.
    let queues: SlotQueues
    // Processor sharing: virtual attained service per server and jobs (tag, slot).
    var psVirtual: FlatArray<Double>
    var psLastTime: FlatArray<Int64>
    var psJobs: [[PSJob]]
    var psGeneration: FlatArray<UInt32>

    // Time-weighted statistics per server.
    var clock: FlatArray<ServerClock>
    var departures: FlatArray<Int>
    var sojournSum: FlatArray<Double>
    var boundConnections: FlatArray<Int>
    var serverDrops: FlatArray<Int>
    /// FCFS: the service times (ns) of the connections at each server, in service or
    /// queued, counted whole (a bound on when the last of them leaves; see `armEstablished`).
    var pendingWork: FlatArray<Int64>
    var measuring = false
    var windowStart: Int64 = 0
    var windowEnd: Int64 = -1

    // Connections: one record per slot (one access, one cache line), written in place.
    var conns = FlatArray<ConnSlot>(capacity: 1024)
    var freeSlots = FlatArray<Int32>(capacity: 1024)
    /// Director entries' timers, by entry slot (see ``armTimer(of:expiry:engine:)``).
    var entryTimers = FlatArray<EntryTimer>(capacity: 1024)

    // Timers.
    var timerLists: [(nanoseconds: Int64, id: TimerListID)] = []
    let guardNanoseconds: Int64 = 60_000_000_000
    var guardList: TimerListID
    /// The arrivals, drawn one at a time in time order: an ordered list (an arrival drawn
    /// after a rate change, earlier than the voided one still queued, goes to the heap).
    let arrivalList: OrderedListID
    var templateTimers: [Int32: (id: ConnectionID, at: Int64)] = [:]

    // Results.
    var result: ReplicationResult
    var latency = try! QuantileEstimator(exactCapacity: 4096, relativeAccuracy: 0.001)
    var measuredOutstanding = 0
    var seriesIntervalNs: Int64 = 0
    var progressStep = 0
    /// Arrivals until the next progress report.
    var progressCountdown = 0
    var sampleLimit = 0
    /// The packet level (`docs/packet-level.md`); `pk.enabled` is false at connection level.
    var pk = PacketLevelState()
    /// Measured connections offered to the sample so far, and the reservoir's stream.
    var sampleSeen = 0
    var sampleStream: RandomStream?

    /// A connection's client-side state, by slot.
    struct ConnSlot {
        var arrival: Int64 = 0
        var accepted: Int64 = 0
        var demand: Int64 = 0
        /// FCFS: the service time at its server (ns), set when the server accepts it.
        var serviceNanoseconds: Int64 = 0
        var entry: ConnectionID? = nil
        var client: UInt32 = 0
        var generation: UInt32 = 0
        var server: Int32 = -1
        var sequence: Int32 = 0
        var port: UInt16 = 0
        var attempts: UInt8 = 0
        var flags: UInt8 = 0
    }

    /// The owner's timer of one director entry, by the entry's table slot.
    struct EntryTimer {
        /// When the live timer fires (.max: none pending).
        var at: Int64 = .max
        /// The client connection slot still holding the entry (-1: released).
        var connection: Int32 = -1
        /// The entry's generation (events and records of older entries in this slot do not match).
        var generation: UInt32 = 0
        /// The entry's real server (list position), for the counters at expiry.
        var server: Int32 = -1
    }

    /// A server's time-weighted counters (areas under the curves since the window opened).
    struct ServerClock {
        var lastTime: Int64 = 0
        var lastActive: Int32 = 0
        var lastInactive: Int32 = 0
        var maxActive: Int32 = 0
        var areaActive: Double = 0
        var areaInactive: Double = 0
        var areaBusy: Double = 0
        var areaInSystem: Double = 0
    }

    struct PSJob {
        var tag: Double
        var slot: Int32
    }

    init(scenario: Scenario, replication: Int, options: RunOptions, recorder: TraceRecorder?, engine: inout Engine)
        throws(SimulationSetupError)
    {
        let seed = scenario.seed
        arrivalStream = RandomStream(seed: seed, replication: replication, stream: .arrivals)
        demandStream = RandomStream(seed: seed, replication: replication, stream: .serviceDemand)
        clientStream = RandomStream(seed: seed, replication: replication, stream: .clientChoice)
        requestStream = RandomStream(seed: seed, replication: replication, stream: .requests)
        let schedulerStream = RandomStream(seed: seed, replication: replication, stream: .scheduler)
        self.options = options
        self.recorder = recorder

        // The director, configured through ipvsadm exactly like a real one.
        var director = IPVSDirector(random: schedulerStream)
        var failure: String?
        for args in scenario.ipvsadm {
            var exitCode: Int32 = 0
            var stderr = ""
            director.configure(now: 0) { table in
                let outcome = IPVSAdm.run(args, table: &table, resolver: .empty)
                exitCode = outcome.exitCode
                stderr = outcome.stderr
                return outcome.changes
            }
            recorder?.ipvsadm(args: args, exit: exitCode, stderr: stderr)
            if exitCode != 0 && failure == nil {
                failure = "ipvsadm \(args.joined(separator: " ")): \(stderr.trimmingCharacters(in: .whitespacesAndNewlines)) (exit \(exitCode))"
            }
        }
        if let failure { throw SimulationSetupError(failure) }
        // Entries live for the connection plus up to 120 s (TIME_WAIT / FIN_WAIT):
        // reserve for that many at the mean arrival rate, with a margin.
        let expectedLive = scenario.arrivals.meanRate * (120 + 30) * 1.15
        if expectedLive.isFinite && expectedLive > 1024 {
            director.reserveConnectionCapacity(Int(min(expectedLive, 8_000_000)))
        }
        guard let serviceIndex = director.serviceIndex(proto: .tcp, destination: scenario.virtualService) else {
            throw SimulationSetupError("no TCP virtual service matches \(scenario.virtualService) after the ipvsadm rules")
        }
        self.serviceIndex = serviceIndex
        self.vip = scenario.virtualService
        isPersistent = director.table.services[serviceIndex].isPersistent
        let realServers = director.table.services[serviceIndex].servers
        guard !realServers.isEmpty else { throw SimulationSetupError("virtual service \(scenario.virtualService) has no real servers") }
        var specs: [Scenario.Server] = []
        for real in realServers {
            guard let spec = scenario.servers.first(where: { $0.endpoint == real.endpoint }) else {
                throw SimulationSetupError("real server \(real.endpoint) of \(scenario.virtualService) has no entry in servers")
            }
            specs.append(spec)
        }
        self.director = director
        serverCount = specs.count
        workers = specs.map(\.workers)
        speed = specs.map(\.speed)
        isPS = specs.map { $0.discipline == .ps }
        acceptLimit = FlatArray(specs.map { $0.workers + $0.backlog })
        seesReplies = realServers.map { $0.forwarding.seesReplies }
        serverNames = realServers.map { $0.endpoint.description }
        // Each counter array gets its own buffer (FlatArray copies would share one).
        busy = FlatArray(repeating: 0, count: serverCount)
        inSystem = FlatArray(repeating: 0, count: serverCount)
        queues = SlotQueues(lines: serverCount)
        psVirtual = FlatArray(repeating: 0, count: serverCount)
        psLastTime = FlatArray(repeating: 0, count: serverCount)
        psJobs = Array(repeating: [], count: serverCount)
        psGeneration = FlatArray(repeating: 0, count: serverCount)
        clock = FlatArray(repeating: ServerClock(), count: serverCount)
        departures = FlatArray(repeating: 0, count: serverCount)
        sojournSum = FlatArray(repeating: 0, count: serverCount)
        boundConnections = FlatArray(repeating: 0, count: serverCount)
        serverDrops = FlatArray(repeating: 0, count: serverCount)
        pendingWork = FlatArray(repeating: 0, count: serverCount)

        arrivals = scenario.arrivals
        if case .replay = scenario.arrivals { arrivalsAreReplayed = true } else { arrivalsAreReplayed = false }
        demand = scenario.demand
        requests = scenario.requests
        clientCount = max(1, scenario.clients.count)
        clientBase = scenario.clients.baseAddress
        if let s = scenario.clients.zipf, s > 0, clientCount > 1 {
            do { zipf = try ZipfDistribution(itemCount: clientCount, exponent: s) } catch {
                throw SimulationSetupError("\(error)")
            }
        } else {
            zipf = nil
        }
        zipfRows = zipf?.aliasRows
        nextPort = FlatArray(repeating: 1024, count: clientCount)
        synRetries = scenario.clients.synRetries
        retryRefused = scenario.clients.retryRefused
        warmupConnections = scenario.warmupConnections
        warmupEndNsConfigured = Int64(scenario.warmupSeconds * 1e9)
        if let connections = scenario.connections {
            totalArrivals = scenario.warmupConnections + connections
            arrivalEndNs = .max
        } else {
            totalArrivals = nil
            arrivalEndNs = Int64((scenario.warmupSeconds + (scenario.durationSeconds ?? 0)) * 1e9)
        }
        if case .replay(let rows) = scenario.arrivals, totalArrivals.map({ $0 > rows.count }) ?? false {
            // A log shorter than asked: replay what there is.
        }
        // Client ports are unique per client address until a client sends 64,512
        // connections; when that may happen, entries go into the lookup index so
        // that a reused port finds its old entry as in the kernel.
        let expectedTotal = Double(totalArrivals ?? Int(scenario.arrivals.meanRate * Double(arrivalEndNs) / 1e9))
        let topShare = zipf?.probability(ofRank: 0) ?? 1 / Double(clientCount)
        let topCount = topShare * expectedTotal
        indexed = topCount + 6 * topCount.squareRoot() >= 60_000
        result = ReplicationResult(replication: replication, scheduler: director.table.services[serviceIndex].scheduler)
        result.indexedEntries = indexed
        guardList = engine.makeTimerList(duration: .nanoseconds(guardNanoseconds))
        timerLists = [(guardNanoseconds, guardList)]
        let timeouts = director.table.timeouts
        for seconds in Set([120, Int64(timeouts.tcpFin)]) where seconds * 1_000_000_000 != guardNanoseconds {
            let id = engine.makeTimerList(duration: .seconds(Int(seconds)))
            timerLists.append((seconds * 1_000_000_000, id))
        }
        timerLists.sort { $0.nanoseconds < $1.nanoseconds }
        arrivalList = engine.makeOrderedList()
        if warmupConnections == 0 && warmupEndNsConfigured == 0 {
            measuring = true
            windowStart = 0
        }
        if options.collectDetails {
            let interval: Double
            if scenario.seriesIntervalSeconds > 0 {
                interval = scenario.seriesIntervalSeconds
            } else {
                let rate = max(scenario.arrivals.meanRate, 1e-9)
                let span = totalArrivals.map { Double($0) / rate } ?? Double(arrivalEndNs) / 1e9
                interval = max(0.001, span / 200)
            }
            seriesIntervalNs = max(1, Int64(interval * 1e9))
            engine.schedule(Event(kind: EventKind.seriesTick), at: .zero)
        }
        progressStep = max(1, (totalArrivals ?? 1_000_000) / 100)
        progressCountdown = progressStep
        sampleLimit = scenario.sampleConnections
        if options.collectDetails { sampleStream = RandomStream(seed: seed, replication: replication, stream: .connectionSample) }
        if arrivalEndNs != .max { engine.schedule(Event(kind: EventKind.windowEnd), at: SimTime(nanoseconds: arrivalEndNs)) }
        if scenario.level == .packet {
            try setUpPacketLevel(scenario: scenario, replication: replication)
            scheduleAnnouncements(engine: &engine)
        }
        startArrivals(engine: &engine)
    }

    // MARK: Event dispatch

    /// An entry timer comes up soon, 60–120 s after it was armed: its timer record and
    /// director entry (both named by the event) are prefetched so that handling it does
    /// not wait on memory. A hint only: no state changes.
    @inline(__always)
    func willHandle(_ event: Event) {
        guard event.kind == EventKind.entryTimer, Int(event.a) < entryTimers.count else { return }
        lvssim_prefetch(entryTimers.storage.base + Int(event.a))
        director.connections.withRecordAddress(of: ConnectionID(rawSlot: Int32(bitPattern: event.a), generation: event.b)) {
            lvssim_prefetch($0)
        }
    }

    /// The connection level's frequent events (arrival, FCFS completion, entry timer) go
    /// straight to their handlers, so that this dispatch needs no stack frame of its own
    /// (in the release build); the rest through ``handleOther(_:engine:)``.
    mutating func handle(_ event: Event, engine: inout Engine) {
        switch event.kind {
        case EventKind.arrival:
            // An arrival drawn before a rate change is void: the change drew a new one.
            if event.b != UInt32(truncatingIfNeeded: rateSegment), !arrivalsAreReplayed { return }
            arrive(engine: &engine)
        case EventKind.fcfsDone: fcfsDone(slot: Int(event.a), engine: &engine)
        case EventKind.entryTimer: entryTimer(entrySlot: Int32(bitPattern: event.a), generation: event.b, engine: &engine)
        default: handleOther(event, engine: &engine)
        }
    }

    @inline(never)
    mutating func handleOther(_ event: Event, engine: inout Engine) {
        switch event.kind {
        case EventKind.windowEnd: endArrivals(engine: &engine)
        case PacketEventKind.frameArrives...: packetEvent(event, engine: &engine)
        case EventKind.psDone: psDone(server: Int(event.a), generation: event.b, engine: &engine)
        case EventKind.synRetry:
            let slot = Int(event.a)
            guard conns[slot].generation == event.b else { return }
            result.retries += 1
            sendSYN(slot: slot, engine: &engine)
        case EventKind.giveUp:
            let slot = Int(event.a)
            guard conns[slot].generation == event.b else { return }
            clientFinished(slot: slot, outcome: .failed, engine: &engine)
        case EventKind.templateTimer: templateTimer(slot: Int32(bitPattern: event.a), engine: &engine)
        case EventKind.seriesTick: seriesTick(engine: &engine)
        case EventKind.rateChange: rateChange(engine: &engine)
        default: break
        }
    }
}
