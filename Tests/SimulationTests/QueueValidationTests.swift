import Testing
@testable import Simulation

/// An M/M/c FIFO queue on the engine: arrivals (kind 0) and departures (kind 1, a = customer).
private struct MMcModel: EventHandler {
    let arrivals: RandomStream
    let service: RandomStream
    let interarrival: ExponentialDistribution
    let serviceTime: ExponentialDistribution
    let servers: Int
    let customers: Int
    let warmup: Int
    var busy = 0
    var waiting: [UInt32] = []
    var waitingHead = 0
    var arrivalTimes: [SimTime] = []
    var responseTimes = RunningStats()

    init(seed: UInt64, replication: Int, arrivalRate: Double, serviceRate: Double, servers: Int,
         customers: Int, warmup: Int) throws {
        arrivals = RandomStream(seed: seed, replication: replication, stream: .arrivals)
        service = RandomStream(seed: seed, replication: replication, stream: .serviceDemand)
        interarrival = try ExponentialDistribution(mean: 1 / arrivalRate)
        serviceTime = try ExponentialDistribution(mean: 1 / serviceRate)
        self.servers = servers
        self.customers = customers
        self.warmup = warmup
    }

    mutating func handle(_ event: Event, engine: inout Engine) {
        switch event.kind {
        case 0:
            let id = UInt32(arrivalTimes.count)
            arrivalTimes.append(engine.now)
            if arrivalTimes.count < customers {
                engine.schedule(Event(kind: 0), after: .seconds(interarrival.sample(using: arrivals)))
            }
            if busy < servers {
                busy += 1
                startService(id, &engine)
            } else {
                waiting.append(id)
            }
        default:
            let id = Int(event.a)
            if id >= warmup { responseTimes.add((engine.now - arrivalTimes[id]).inSeconds) }
            if waitingHead < waiting.count {
                let next = waiting[waitingHead]
                waitingHead += 1
                startService(next, &engine)
            } else {
                busy -= 1
            }
        }
    }

    private func startService(_ id: UInt32, _ engine: inout Engine) {
        engine.schedule(Event(kind: 1, a: id), after: .seconds(serviceTime.sample(using: service)))
    }

    static func meanResponse(seed: UInt64, replication: Int) throws -> Double {
        var model = try MMcModel(seed: seed, replication: replication, arrivalRate: 3, serviceRate: 1, servers: 4,
                                 customers: 30_000, warmup: 3_000)
        var engine = Engine()
        engine.schedule(Event(kind: 0), at: .zero)
        engine.run(handler: &model)
        return model.responseTimes.mean
    }
}

@Suite("End-to-end validation against queueing theory")
struct QueueValidationTests {
    @Test("Simulated M/M/4 (λ = 3, μ = 1) mean response time: 95% CI covers 80/53")
    func mm4() throws {
        let means = try (0..<10).map { try MMcModel.meanResponse(seed: 2024, replication: $0) }
        let ci = try ConfidenceInterval(replicationMeans: means)
        let theory = QueueingTheory.mmcMeanResponseTime(arrivalRate: 3, serviceRate: 1, servers: 4)
        #expect(ci.contains(theory), "\(ci) vs \(theory)")
        #expect(ci.relativeHalfWidth < 0.05)
    }

    @Test("A replication is a deterministic function of (seed, replication)")
    func reproducible() throws {
        let first = try MMcModel.meanResponse(seed: 7, replication: 2)
        #expect(try MMcModel.meanResponse(seed: 7, replication: 2) == first)
        #expect(try MMcModel.meanResponse(seed: 7, replication: 3) != first)
    }
}
