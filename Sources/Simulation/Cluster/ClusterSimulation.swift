import Foundation
import LVSModel
import Schedulers

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
        for slot in model.cFlags.indices where !free.contains(Int32(slot)) {
            if model.cFlags[slot] & ConnFlag.clientDone == 0 { open += 1 }
        }
        free.removeAll()
        return open
    }

    public var connectionsAtServers: Int { model.inSystem.reduce(0, +) }

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
    let demand: Distribution
    let requests: Distribution?
    let zipf: ZipfDistribution?
    let clientCount: Int
    let clientBase: UInt32
    var nextPort: [UInt16]
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
    let backlog: [Int]
    let seesReplies: [Bool]
    let serverNames: [String]
    var busy: [Int]
    var inSystem: [Int]
    var queue: [[Int32]]
    var queueHead: [Int]
    // Processor sharing: virtual attained service per server and jobs (tag, slot).
    var psVirtual: [Double]
    var psLastTime: [Int64]
    var psJobs: [[PSJob]]
    var psGeneration: [UInt32]

    // Time-weighted statistics per server.
    var lastTime: [Int64]
    var lastActive: [Int32]
    var lastInactive: [Int32]
    var areaActive: [Double]
    var areaInactive: [Double]
    var areaBusy: [Double]
    var areaInSystem: [Double]
    var maxActive: [Int32]
    var departures: [Int]
    var sojournSum: [Double]
    var boundConnections: [Int]
    var serverDrops: [Int]
    var measuring = false
    var windowStart: Int64 = 0
    var windowEnd: Int64 = -1

    // Connections (flat arrays by slot).
    var cArrival: [Int64] = []
    var cAccepted: [Int64] = []
    var cDemand: [Int64] = []
    var cClient: [UInt32] = []
    var cPort: [UInt16] = []
    var cEntry: [ConnectionID?] = []
    var cServer: [Int32] = []
    var cTimerAt: [Int64] = []
    var cGeneration: [UInt32] = []
    var cAttempts: [UInt8] = []
    var cFlags: [UInt8] = []
    var cSequence: [Int32] = []
    var freeSlots: [Int32] = []

    // Timers.
    var timerLists: [(nanoseconds: Int64, id: TimerListID)] = []
    let guardNanoseconds: Int64 = 60_000_000_000
    var guardList: TimerListID
    var templateTimers: [Int32: (id: ConnectionID, at: Int64)] = [:]

    // Results.
    var result: ReplicationResult
    var latency = try! QuantileEstimator(exactCapacity: 4096, relativeAccuracy: 0.001)
    var measuredOutstanding = 0
    var seriesIntervalNs: Int64 = 0
    var progressStep = 0
    var sampleLimit = 0

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
        backlog = specs.map(\.backlog)
        seesReplies = realServers.map { $0.forwarding.seesReplies }
        serverNames = realServers.map { $0.endpoint.description }
        busy = Array(repeating: 0, count: serverCount)
        inSystem = busy
        queue = Array(repeating: [], count: serverCount)
        queueHead = busy
        psVirtual = Array(repeating: 0, count: serverCount)
        psLastTime = Array(repeating: 0, count: serverCount)
        psJobs = Array(repeating: [], count: serverCount)
        psGeneration = Array(repeating: 0, count: serverCount)
        lastTime = psLastTime
        lastActive = Array(repeating: 0, count: serverCount)
        lastInactive = lastActive
        maxActive = lastActive
        areaActive = psVirtual
        areaInactive = psVirtual
        areaBusy = psVirtual
        areaInSystem = psVirtual
        departures = busy
        sojournSum = psVirtual
        boundConnections = busy
        serverDrops = busy

        arrivals = scenario.arrivals
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
        nextPort = Array(repeating: 1024, count: clientCount)
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
        sampleLimit = scenario.sampleConnections
        if arrivalEndNs != .max { engine.schedule(Event(kind: EventKind.windowEnd), at: SimTime(nanoseconds: arrivalEndNs)) }
        startArrivals(engine: &engine)
    }

    // MARK: Event dispatch

    mutating func handle(_ event: Event, engine: inout Engine) {
        switch event.kind {
        case EventKind.arrival:
            // An arrival drawn before a rate change is void: the change drew a new one.
            if case .replay = arrivals {} else if event.b != UInt32(truncatingIfNeeded: rateSegment) { return }
            arrive(engine: &engine)
        case EventKind.windowEnd: endArrivals(engine: &engine)
        case EventKind.fcfsDone: fcfsDone(slot: Int(event.a), engine: &engine)
        case EventKind.entryTimer: entryTimer(slot: Int(event.a), generation: event.b, engine: &engine)
        case EventKind.psDone: psDone(server: Int(event.a), generation: event.b, engine: &engine)
        case EventKind.synRetry:
            let slot = Int(event.a)
            guard cGeneration[slot] == event.b else { return }
            result.retries += 1
            sendSYN(slot: slot, engine: &engine)
        case EventKind.giveUp:
            let slot = Int(event.a)
            guard cGeneration[slot] == event.b else { return }
            clientFinished(slot: slot, outcome: .failed, engine: &engine)
        case EventKind.templateTimer: templateTimer(slot: Int32(bitPattern: event.a), engine: &engine)
        case EventKind.seriesTick: seriesTick(engine: &engine)
        case EventKind.rateChange: rateChange(engine: &engine)
        default: break
        }
    }

    // MARK: Arrivals

    mutating func startArrivals(engine: inout Engine) {
        switch arrivals {
        case .poisson(let rate), .deterministic(let rate):
            currentRate = rate
        case .onOff(let onRate, _, let onSeconds, _):
            currentRate = onRate
            engine.schedule(Event(kind: EventKind.rateChange), at: .seconds(onSeconds))
        case .piecewise(let segments):
            currentRate = segments[0].rate
            if segments.count > 1 { engine.schedule(Event(kind: EventKind.rateChange), at: .seconds(segments[0].untilSeconds)) }
        case .replay(let rows):
            if let first = rows.first { engine.schedule(Event(kind: EventKind.arrival), at: SimTime(nanoseconds: first.timeNanoseconds)) }
            return
        }
        scheduleNextArrival(engine: &engine)
    }

    /// Draws the next inter-arrival gap at the current rate. Piecewise-constant
    /// Poisson rates are exact by memorylessness: a rate change discards the
    /// pending arrival and draws afresh (see ``rateChange(engine:)``).
    mutating func scheduleNextArrival(engine: inout Engine) {
        guard currentRate > 0 else { return }
        let gap: Double
        if case .deterministic = arrivals {
            gap = 1 / currentRate
        } else {
            gap = -log(arrivalStream.uniform()) / currentRate
        }
        engine.schedule(Event(kind: EventKind.arrival, b: UInt32(truncatingIfNeeded: rateSegment)), after: .nanoseconds(Int64(gap * 1e9)))
    }

    mutating func rateChange(engine: inout Engine) {
        rateSegment += 1
        let now = engine.now.nanoseconds
        switch arrivals {
        case .onOff(let onRate, let offRate, let onSeconds, let offSeconds):
            let isOn = rateSegment % 2 == 0
            currentRate = isOn ? onRate : offRate
            engine.schedule(Event(kind: EventKind.rateChange), at: SimTime(nanoseconds: now + Int64((isOn ? onSeconds : offSeconds) * 1e9)))
        case .piecewise(let segments):
            currentRate = segments[min(rateSegment, segments.count - 1)].rate
            if rateSegment < segments.count - 1 {
                engine.schedule(Event(kind: EventKind.rateChange), at: .seconds(segments[rateSegment].untilSeconds))
            }
        default:
            return
        }
        if !arrivalsDone { scheduleNextArrival(engine: &engine) }
    }

    mutating func arrive(engine: inout Engine) {
        let now = engine.now.nanoseconds
        var logged: Scenario.LoggedConnection?
        if case .replay(let rows) = arrivals {
            logged = rows[replayCursor]
            replayCursor += 1
        }
        if now >= arrivalEndNs {
            endArrivals(engine: &engine)
            return
        }
        let index = arrivalsGenerated
        arrivalsGenerated += 1
        // Warm-up boundary.
        if !measuring && (index == warmupConnections && warmupConnections > 0 || warmupConnections == 0 && now >= warmupEndNsConfigured) {
            beginMeasuring(now: now)
        }
        // Next arrival first (the arrival stream is consumed in arrival order).
        let more = totalArrivals.map { arrivalsGenerated < $0 } ?? true
        if case .replay(let rows) = arrivals {
            if more && replayCursor < rows.count {
                engine.schedule(Event(kind: EventKind.arrival), at: SimTime(nanoseconds: max(now, rows[replayCursor].timeNanoseconds)))
            } else {
                endArrivals(engine: &engine)
            }
        } else if more {
            scheduleNextArrival(engine: &engine)
        } else {
            endArrivals(engine: &engine)
        }
        if let progress = options.progress, arrivalsGenerated % progressStep == 0 {
            let total = Double(totalArrivals ?? max(1, Int(Double(arrivalEndNs) / 1e9 * max(currentRate, 1))))
            progress(min(1, Double(arrivalsGenerated) / total))
        }

        // The connection's client, request count and demand, in arrival order.
        let client: UInt32
        if let address = logged?.client, case .v4(let raw) = address {
            client = raw &- clientBase < UInt32(clientCount) ? raw &- clientBase : UInt32(truncatingIfNeeded: Int(raw) % clientCount)
        } else if let zipf {
            client = UInt32(zipf.rank(using: clientStream))
        } else {
            client = clientCount > 1 ? clientStream.uniformInt(below: UInt32(clientCount)) : 0
        }
        var work: Double
        if let seconds = logged?.demandSeconds {
            work = seconds
        } else {
            let count = requests.map { max(1, Int($0.sample(using: requestStream).rounded())) } ?? 1
            work = 0
            for _ in 0..<count { work += demand.sample(using: demandStream) }
        }
        let slot = allocateSlot()
        cArrival[slot] = now
        cDemand[slot] = Int64(max(0, work) * 1e9)
        cClient[slot] = client
        var port = nextPort[Int(client)]
        cPort[slot] = port
        port = port == 65535 ? 1024 : port + 1
        nextPort[Int(client)] = port
        cSequence[slot] = Int32(truncatingIfNeeded: index)
        cFlags[slot] = measuring ? ConnFlag.measured : 0
        cAttempts[slot] = 0
        result.arrived += 1
        if measuring {
            result.measured += 1
            measuredOutstanding += 1
        }
        sendSYN(slot: slot, engine: &engine)
    }

    mutating func endArrivals(engine: inout Engine) {
        guard !arrivalsDone else { return }
        arrivalsDone = true
        closeWindow(now: engine.now.nanoseconds)
        if measuredOutstanding == 0 { engine.stop() }
    }

    mutating func beginMeasuring(now: Int64) {
        for server in 0..<serverCount { integrate(server, now: now) }
        for server in 0..<serverCount {
            areaActive[server] = 0
            areaInactive[server] = 0
            areaBusy[server] = 0
            areaInSystem[server] = 0
            maxActive[server] = lastActive[server]
            departures[server] = 0
            sojournSum[server] = 0
        }
        measuring = true
        windowStart = now
    }

    mutating func closeWindow(now: Int64) {
        guard windowEnd < 0 else { return }
        for server in 0..<serverCount { integrate(server, now: now) }
        windowEnd = now
    }

    var inWindow: Bool { measuring && windowEnd < 0 }

    // MARK: Connection slots

    mutating func allocateSlot() -> Int {
        if let slot = freeSlots.popLast() {
            cGeneration[Int(slot)] &+= 1
            cTimerAt[Int(slot)] = .max
            cEntry[Int(slot)] = nil
            cServer[Int(slot)] = -1
            return Int(slot)
        }
        cArrival.append(0)
        cAccepted.append(0)
        cDemand.append(0)
        cClient.append(0)
        cPort.append(0)
        cEntry.append(nil)
        cServer.append(-1)
        cTimerAt.append(.max)
        cGeneration.append(0)
        cAttempts.append(0)
        cFlags.append(0)
        cSequence.append(0)
        return cArrival.count - 1
    }

    /// The connection's director entry while it exists.
    @inline(__always)
    func entryID(_ slot: Int) -> ConnectionID? {
        guard let id = cEntry[slot], director.connections.isValid(id) else { return nil }
        return id
    }

    mutating func releaseIfDone(_ slot: Int) {
        if cFlags[slot] & ConnFlag.clientDone != 0 && cEntry[slot] == nil {
            cFlags[slot] = 0
            freeSlots.append(Int32(slot))
        }
    }

    func clientEndpoint(_ slot: Int) -> Endpoint {
        Endpoint(address: .v4(clientBase &+ cClient[slot]), port: cPort[slot])
    }

    // MARK: Director

    /// A SYN from the client reaches the director (first or retransmitted).
    mutating func sendSYN(slot: Int, engine: inout Engine) {
        let now = engine.now.nanoseconds
        var server: Int
        if let id = entryID(slot) {
            // A retransmission matches the connection's entry: the kernel reuses
            // it (same real server), re-running the SYN through the state machine.
            server = Int(cServer[slot])
            let expiry = director.receive(id, flags: .syn, direction: .input, now: now)
            arm(slot, expiry: expiry, engine: &engine)
            sync(server, now: now)
        } else {
            if let recorder {
                recorder.connect(id: Int(cSequence[slot]), now: now, client: clientEndpoint(slot), vip: vip, servers: director.table.services[serviceIndex].servers)
                if isPersistent {
                    let template = director.templateID(serviceIndex: serviceIndex, proto: .tcp, client: clientEndpoint(slot), destination: vip)
                        .map { director.connections[$0] }
                    recorder.template(template.map { Endpoint(address: $0.destination.address, port: $0.serverPort) })
                }
            }
            let outcome = director.connect(proto: .tcp, client: clientEndpoint(slot), destination: vip, flags: .syn, now: now, indexed: indexed)
            var scheduled: ScheduledConnection?
            switch outcome {
            case .scheduled(let s), .existing(let s): scheduled = s
            default: scheduled = nil
            }
            guard let s = scheduled, let id = s.id, s.serviceIndex == serviceIndex else {
                recorder?.chosen(nil)
                result.icmpRefusals += 1
                if retryRefused && Int(cAttempts[slot]) < synRetries {
                    scheduleRetry(slot, engine: &engine)
                } else {
                    clientFinished(slot: slot, outcome: .refused, engine: &engine)
                }
                return
            }
            recorder?.chosen(director.table.services[serviceIndex].servers[s.serverIndex].endpoint)
            server = s.serverIndex
            cEntry[slot] = id
            cServer[slot] = Int32(server)
            if cFlags[slot] & ConnFlag.measured != 0 { boundConnections[server] += 1 }
            arm(slot, expiry: s.expiresAtNanoseconds, engine: &engine)
            sync(server, now: now)
            if isPersistent { watchTemplate(slot: slot, engine: &engine) }
        }
        // The real server's listener: accept, or drop the SYN when the backlog is full.
        let capacity = isPS[server] ? workers[server] + backlog[server] : workers[server] + backlog[server]
        guard inSystem[server] < capacity else {
            result.synDrops += 1
            if inWindow { serverDrops[server] += 1 }
            scheduleRetry(slot, engine: &engine)
            return
        }
        // The handshake completes (no network delay): SYN-ACK out (NAT only), ACK in.
        // At zero delay the SYN-ACK leaves the entry as it is (SYN_RECV → SYN_RECV,
        // same expiry), so only the ACK is run through the director.
        let id = entryID(slot)!
        let expiry = director.receive(id, flags: .ack, direction: .input, now: now)
        arm(slot, expiry: expiry, engine: &engine)
        sync(server, now: now)
        accept(slot: slot, server: server, engine: &engine)
    }

    /// The SYN got no answer: retransmit after 1 s, 2 s, 4 s, … (`tcp_syn_retries`), then give up.
    mutating func scheduleRetry(_ slot: Int, engine: inout Engine) {
        let attempt = Int(cAttempts[slot])
        cAttempts[slot] = UInt8(min(255, attempt + 1))
        let delay = SimDuration.seconds(1 << min(attempt, 30))
        let kind = attempt < synRetries ? EventKind.synRetry : EventKind.giveUp
        engine.schedule(Event(kind: kind, a: UInt32(slot), b: cGeneration[slot]), after: delay)
    }

    /// Keeps the director's entry timer: `expiry` is when the entry runs out unless re-armed.
    /// Timers whose delay is a fixed state timeout go to that duration's FIFO
    /// list; an entry holds one live timer (`cTimerAt`), older ones are ignored when
    /// they come up, and ``IPVSDirector/expire(_:now:)`` answers `.notDue` when a
    /// later packet moved the expiry, which re-arms.
    mutating func arm(_ slot: Int, expiry: Int64, engine: inout Engine) {
        let now = engine.now.nanoseconds
        let delay = expiry - now
        for list in timerLists where list.nanoseconds == delay {
            cTimerAt[slot] = expiry
            engine.schedule(Event(kind: EventKind.entryTimer, a: UInt32(slot), b: cGeneration[slot]), in: list.id)
            return
        }
        if cTimerAt[slot] <= expiry { return }  // the live timer fires first and re-arms
        if delay > guardNanoseconds {
            cTimerAt[slot] = now + guardNanoseconds
            engine.schedule(Event(kind: EventKind.entryTimer, a: UInt32(slot), b: cGeneration[slot]), in: guardList)
        } else {
            cTimerAt[slot] = expiry
            engine.schedule(Event(kind: EventKind.entryTimer, a: UInt32(slot), b: cGeneration[slot]), at: SimTime(nanoseconds: expiry))
        }
    }

    mutating func entryTimer(slot: Int, generation: UInt32, engine: inout Engine) {
        let now = engine.now.nanoseconds
        guard cGeneration[slot] == generation, cTimerAt[slot] == now else { return }
        cTimerAt[slot] = .max
        guard let id = entryID(slot) else {
            cEntry[slot] = nil
            releaseIfDone(slot)
            return
        }
        switch director.expire(id, now: now) {
        case .removed, .stale:
            cEntry[slot] = nil
            sync(Int(cServer[slot]), now: now)
            releaseIfDone(slot)
        case .notDue(let at), .rearmed(let at):
            arm(slot, expiry: at, engine: &engine)
        }
    }

    /// Persistence: the template's timer is driven like an entry's.
    mutating func watchTemplate(slot: Int, engine: inout Engine) {
        guard let template = director.templateID(serviceIndex: serviceIndex, proto: .tcp, client: clientEndpoint(slot), destination: vip) else { return }
        if templateTimers[template.slot] != nil { return }
        let expiry = director.connections[template].expiresAtNanoseconds
        templateTimers[template.slot] = (template, expiry)
        engine.schedule(Event(kind: EventKind.templateTimer, a: UInt32(bitPattern: template.slot)), at: SimTime(nanoseconds: expiry))
    }

    mutating func templateTimer(slot: Int32, engine: inout Engine) {
        guard let (id, at) = templateTimers[slot], at == engine.now.nanoseconds else { return }
        let server = director.connections.isValid(id) ? director.locateServer(of: id)?.1 : nil
        switch director.expire(id, now: at) {
        case .removed, .stale:
            templateTimers[slot] = nil
            if let server { sync(server, now: at) }
        case .notDue(let next), .rearmed(let next):
            templateTimers[slot] = (id, next)
            engine.schedule(Event(kind: EventKind.templateTimer, a: UInt32(bitPattern: slot)), at: SimTime(nanoseconds: next))
        }
    }

    /// Brings server `server`'s time-weighted counters up to `now` and reads the director's.
    @inline(__always)
    mutating func sync(_ server: Int, now: Int64) {
        let real = director.table.services[serviceIndex].servers[server]
        if real.activeConnections != lastActive[server] || real.inactiveConnections != lastInactive[server] {
            integrate(server, now: now)
            lastActive[server] = real.activeConnections
            lastInactive[server] = real.inactiveConnections
            if real.activeConnections > maxActive[server] { maxActive[server] = real.activeConnections }
        }
    }

    @inline(__always)
    mutating func integrate(_ server: Int, now: Int64) {
        let end = windowEnd >= 0 ? min(now, windowEnd) : now
        let start = lastTime[server]
        if measuring && end > start {
            let dt = Double(end - start)
            areaActive[server] += Double(lastActive[server]) * dt
            areaInactive[server] += Double(lastInactive[server]) * dt
            areaBusy[server] += Double(busy[server]) * dt
            areaInSystem[server] += Double(inSystem[server]) * dt
        }
        lastTime[server] = max(start, now)
    }

    // MARK: Real servers

    mutating func accept(slot: Int, server: Int, engine: inout Engine) {
        let now = engine.now.nanoseconds
        integrate(server, now: now)
        inSystem[server] += 1
        cAccepted[slot] = now
        if isPS[server] {
            psAdvance(server, now: now)
            let tag = psVirtual[server] + Double(cDemand[slot])
            psPush(server, PSJob(tag: tag, slot: Int32(slot)))
            busy[server] = min(inSystem[server], workers[server])
            psReschedule(server, engine: &engine)
        } else if busy[server] < workers[server] {
            busy[server] += 1
            startService(slot, server: server, engine: &engine)
        } else {
            queue[server].append(Int32(slot))
        }
    }

    @inline(__always)
    mutating func startService(_ slot: Int, server: Int, engine: inout Engine) {
        let time = Int64(Double(cDemand[slot]) / speed[server])
        engine.schedule(Event(kind: EventKind.fcfsDone, a: UInt32(slot)), after: .nanoseconds(time))
    }

    mutating func fcfsDone(slot: Int, engine: inout Engine) {
        let server = Int(cServer[slot])
        let now = engine.now.nanoseconds
        integrate(server, now: now)
        inSystem[server] -= 1
        if queueHead[server] < queue[server].count {
            let next = Int(queue[server][queueHead[server]])
            queueHead[server] += 1
            if queueHead[server] >= 1024 && queueHead[server] * 2 >= queue[server].count {
                queue[server].removeFirst(queueHead[server])
                queueHead[server] = 0
            }
            startService(next, server: server, engine: &engine)
        } else {
            busy[server] -= 1
        }
        departed(slot: slot, server: server, engine: &engine)
    }

    // Processor sharing with c workers: each of n jobs progresses at speed·min(1, c/n).
    @inline(__always)
    func psRate(_ server: Int) -> Double {
        let n = inSystem[server]
        return n == 0 ? 0 : speed[server] * min(1, Double(workers[server]) / Double(n))
    }

    mutating func psAdvance(_ server: Int, now: Int64) {
        psVirtual[server] += psRate(server) * Double(now - psLastTime[server])
        psLastTime[server] = now
    }

    mutating func psReschedule(_ server: Int, engine: inout Engine) {
        psGeneration[server] &+= 1
        guard let first = psJobs[server].first else { return }
        let rate = psRate(server)
        let delay = Int64(max(0, (first.tag - psVirtual[server]) / rate).rounded(.up))
        engine.schedule(Event(kind: EventKind.psDone, a: UInt32(server), b: psGeneration[server]), after: .nanoseconds(delay))
    }

    mutating func psDone(server: Int, generation: UInt32, engine: inout Engine) {
        guard psGeneration[server] == generation else { return }
        let now = engine.now.nanoseconds
        integrate(server, now: now)
        psAdvance(server, now: now)
        var finished: [Int] = []
        while let first = psJobs[server].first, first.tag <= psVirtual[server] + 1 {
            finished.append(Int(psPop(server).slot))
        }
        if finished.isEmpty, !psJobs[server].isEmpty { finished.append(Int(psPop(server).slot)) }
        inSystem[server] -= finished.count
        busy[server] = min(inSystem[server], workers[server])
        psReschedule(server, engine: &engine)
        for slot in finished { departed(slot: slot, server: server, engine: &engine) }
    }

    mutating func psPush(_ server: Int, _ job: PSJob) {
        psJobs[server].append(job)
        var child = psJobs[server].count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if psJobs[server][parent].tag <= psJobs[server][child].tag { break }
            psJobs[server].swapAt(parent, child)
            child = parent
        }
    }

    mutating func psPop(_ server: Int) -> PSJob {
        let top = psJobs[server][0]
        let last = psJobs[server].removeLast()
        if !psJobs[server].isEmpty {
            psJobs[server][0] = last
            var parent = 0
            let n = psJobs[server].count
            while true {
                let left = 2 * parent + 1
                if left >= n { break }
                var best = left
                if left + 1 < n && psJobs[server][left + 1].tag < psJobs[server][left].tag { best = left + 1 }
                if psJobs[server][parent].tag <= psJobs[server][best].tag { break }
                psJobs[server].swapAt(parent, best)
                parent = best
            }
        }
        return top
    }

    /// The server finished the connection: the client closes it (FIN), the
    /// director's entry moves to TIME_WAIT (NAT, both directions seen) or
    /// FIN_WAIT (DR/TUN, client side only), and its timer runs.
    mutating func departed(slot: Int, server: Int, engine: inout Engine) {
        let now = engine.now.nanoseconds
        if inWindow {
            departures[server] += 1
            sojournSum[server] += Double(now - cAccepted[slot])
        }
        if let id = entryID(slot) {
            var expiry: Int64
            // NAT: client FIN (ESTABLISHED → CLOSE_WAIT), the server's FIN+ACK
            // (→ TIME_WAIT); the client's last ACK keeps TIME_WAIT at the same
            // instant (no change, same expiry), so it is not run. DR/TUN: the
            // director sees the client's FIN (→ FIN_WAIT); its later ACK keeps FIN_WAIT.
            let afterFIN = director.receive(id, flags: .finAck, direction: .input, now: now)
            if seesReplies[server] {
                expiry = director.receive(id, flags: .finAck, direction: .output, now: now)
            } else {
                expiry = afterFIN
            }
            arm(slot, expiry: expiry, engine: &engine)
            sync(server, now: now)
        }
        recorder?.close(id: Int(cSequence[slot]), now: now)
        clientFinished(slot: slot, outcome: .completed, engine: &engine)
    }

    enum Outcome: String { case completed, failed, refused }

    mutating func clientFinished(slot: Int, outcome: Outcome, engine: inout Engine) {
        let now = engine.now.nanoseconds
        let measured = cFlags[slot] & ConnFlag.measured != 0
        switch outcome {
        case .completed: result.completed += 1
        case .failed: result.failed += 1
        case .refused: result.refused += 1
        }
        if measured {
            let responseMs = Double(now - cArrival[slot]) / 1e6
            switch outcome {
            case .completed:
                result.measuredCompleted += 1
                result.latencyMs.add(responseMs)
                latency.record(responseMs)
                if windowEnd < 0 || now <= windowEnd { }
            case .failed: result.measuredFailed += 1
            case .refused: result.measuredRefused += 1
            }
            if options.collectDetails && result.samples.count < sampleLimit {
                let server = cServer[slot]
                result.samples.append(
                    ConnectionSample(
                        id: Int(cSequence[slot]), arrivalSeconds: Double(cArrival[slot]) / 1e9,
                        client: clientEndpoint(slot).description, server: server >= 0 ? serverNames[Int(server)] : "",
                        demandMs: Double(cDemand[slot]) / 1e6, responseMs: outcome == .completed ? responseMs : .nan,
                        attempts: Int(cAttempts[slot]) + 1, outcome: outcome.rawValue))
            }
            measuredOutstanding -= 1
            if measuredOutstanding == 0 && arrivalsDone { engine.stop() }
        }
        cFlags[slot] |= ConnFlag.clientDone
        releaseIfDone(slot)
    }


    mutating func seriesTick(engine: inout Engine) {
        let now = engine.now.nanoseconds
        for server in 0..<serverCount {
            let real = director.table.services[serviceIndex].servers[server]
            result.series.append(
                SeriesPoint(
                    timeSeconds: Double(now) / 1e9, server: serverNames[server], active: real.activeConnections,
                    inactive: real.inactiveConnections, inSystem: inSystem[server], busyWorkers: busy[server],
                    completed: boundConnections[server]))
        }
        if !arrivalsDone || measuredOutstanding > 0 {
            engine.schedule(Event(kind: EventKind.seriesTick), after: .nanoseconds(seriesIntervalNs))
        }
    }

    // MARK: Results

    mutating func finish(engine: Engine) -> ReplicationResult {
        let now = engine.now.nanoseconds
        closeWindow(now: now)
        var r = result
        r.events = engine.eventsProcessed
        r.simulatedSeconds = Double(now) / 1e9
        r.inFlight = r.arrived - r.completed - r.failed - r.refused
        let window = Double(max(1, windowEnd - windowStart))
        r.windowSeconds = window / 1e9
        r.throughput = Double(r.measuredCompleted) / (window / 1e9)
        r.latencyQuantilesMs = latency.count > 0 ? latency.quantiles(ReplicationResult.quantileLevels) : ReplicationResult.quantileLevels.map { _ in .nan }
        let totalBound = max(1, boundConnections.reduce(0, +))
        let weights = director.table.services[serviceIndex].servers.map { Double($0.weight) }
        let totalWeight = weights.reduce(0, +)
        let seconds = window / 1e9
        r.servers = []
        for s in 0..<serverCount {
            let share = Double(boundConnections[s]) / Double(totalBound)
            let utilization = areaBusy[s] / window / Double(workers[s])
            let sojourn = departures[s] > 0 ? sojournSum[s] / Double(departures[s]) / 1e9 : 0
            let server = ServerResult(
                address: serverNames[s], weight: Int32(weights[s]), workers: workers[s], speed: speed[s],
                connections: boundConnections[s], share: share, utilization: utilization,
                meanActive: areaActive[s] / window, maxActive: Int(maxActive[s]), meanInactive: areaInactive[s] / window,
                meanInSystem: areaInSystem[s] / window, departureRate: Double(departures[s]) / seconds,
                meanSojournSeconds: sojourn, synDrops: serverDrops[s])
            r.servers.append(server)
        }
        let utilizations = r.servers.map(\.utilization)
        r.jainUtilization = FairnessIndex.jain(utilizations)
        if totalWeight > 0 {
            let normalized = zip(r.servers, weights).map { server, weight in
                weight > 0 ? server.share / (weight / totalWeight) : 0
            }
            r.jainWeightedShare = FairnessIndex.jain(normalized)
        }
        let meanUtilization = utilizations.reduce(0, +) / Double(utilizations.count)
        r.maxOverMeanUtilization = meanUtilization > 0 ? utilizations.max()! / meanUtilization : 1
        return r
    }
}
