import Foundation
import LVSModel
import Schedulers
import Testing

@testable import Simulation

/// A scenario from YAML text (the loader is part of what is tested).
private func scenario(_ yaml: String, file: String = "test.yaml") throws -> Scenario {
    try ScenarioLoader(file: file).parse(yaml)
}

private func queueScenario(workers: Int, utilization: Double, connections: Int, warmup: Int, replications: Int) -> String {
    """
    name: queue
    seed: 99
    replications: \(replications)
    connections: \(connections)
    warmup_connections: \(warmup)
    director: {service: 10.10.0.100:80, scheduler: wlc, forwarding: dr}
    servers:
      - {address: 10.30.0.1:80, workers: \(workers), backlog: 1000000}
    workload:
      arrivals: {process: poisson, utilization: \(utilization)}
      demand: {distribution: exponential, mean_ms: 10}
    """
}

private let heteroYAML = """
    name: hetero
    seed: 5
    replications: 2
    connections: 3000
    warmup_connections: 300
    director:
      service: 10.10.0.100:80
      scheduler: wrr
      forwarding: nat
    servers:
      - {address: 10.30.0.1:80, weight: 4, speed: 4, workers: 2}
      - {address: 10.30.0.2:80, weight: 2, speed: 2, workers: 2}
      - {address: 10.30.0.3:80, weight: 1, speed: 1, workers: 2, discipline: ps}
      - {address: 10.30.0.4:80, weight: 1, speed: 1, workers: 2, backlog: 2}
    clients: {subnet: 10.20.0.0/16, count: 500, zipf: 1.0}
    workload:
      arrivals: {process: poisson, utilization: 0.85}
      demand: {distribution: lognormal, mean_ms: 10, cv: 2}
      requests: {distribution: exponential, mean: 2}
    """

@Suite("Cluster simulation: theory, accounting, determinism")
struct ClusterSimulationTests {
    @Test("M/M/1 (ρ = 0.5, 10 ms): the 95% CI of the mean response time covers 1/(μ − λ) = 20 ms")
    func mm1() throws {
        let s = try scenario(queueScenario(workers: 1, utilization: 0.5, connections: 6_000, warmup: 600, replications: 8))
        let results = try Experiment.run(scenario: s, schedulers: [nil], replications: 8)
        let ci = try ConfidenceInterval(replicationMeans: results[0].values("latency_mean_ms"))
        #expect(ci.contains(20.0), "\(ci)")
        #expect(ci.relativeHalfWidth < 0.1)
    }

    @Test("M/M/4 (ρ = 0.7, 10 ms): the 95% CI covers Erlang C")
    func mm4() throws {
        let s = try scenario(queueScenario(workers: 4, utilization: 0.7, connections: 8_000, warmup: 800, replications: 8))
        let results = try Experiment.run(scenario: s, schedulers: [nil], replications: 8)
        let ci = try ConfidenceInterval(replicationMeans: results[0].values("latency_mean_ms"))
        let theory = QueueingTheory.mmcMeanResponseTime(arrivalRate: 280, serviceRate: 100, servers: 4) * 1e3
        #expect(ci.contains(theory), "\(ci) vs \(theory)")
        // Utilization is the offered load.
        let utilization = results[0].serverEstimate(0, "utilization")
        #expect(abs(utilization.value - 0.7) < 0.02)
    }

    @Test("Little's law L = λW holds on every real server")
    func littlesLaw() throws {
        // A long window: the boundary terms (connections present at its ends) shrink as 1/T.
        var s = try scenario(heteroYAML)
        s.connections = 20_000
        var simulation = try ClusterSimulation(scenario: s, replication: 0)
        let result = simulation.run()
        for server in result.servers {
            let lambdaW = server.departureRate * server.meanSojournSeconds
            #expect(server.meanInSystem > 0)
            #expect(abs(server.meanInSystem - lambdaW) / server.meanInSystem < 0.02, "\(server.address): L=\(server.meanInSystem) λW=\(lambdaW)")
        }
    }

    @Test("Conservation: arrived = completed + failed + refused + in flight, counted independently, mid-run and at the end")
    func conservation() throws {
        // Overloaded small backlogs: SYN drops, retransmissions and failures happen.
        let yaml = """
            name: overload
            seed: 3
            connections: 4000
            director: {service: 10.10.0.100:80, scheduler: rr}
            servers:
              - {address: 10.30.0.1:80, count: 2, workers: 1, backlog: 1}
            clients: {syn_retries: 2}
            workload:
              arrivals: {process: poisson, rate: 250}
              demand: {distribution: exponential, mean_ms: 10}
            """
        var simulation = try ClusterSimulation(scenario: try scenario(yaml), replication: 0)
        for t in [1.0, 3.5, 8.0] {
            simulation.advance(untilSeconds: t)
            let r = simulation.partialResult
            let open = simulation.openClients
            #expect(r.arrived == r.completed + r.failed + r.refused + open)
            #expect(open >= simulation.connectionsAtServers)
            // Director side: every live entry is counted once, active or inactive.
            let counted = simulation.counters.reduce(0) { $0 + Int($1.active) + Int($1.inactive) }
            #expect(counted == simulation.director.connections.count)
        }
        let result = simulation.run()
        #expect(result.synDrops > 0 && result.retries > 0 && result.failed > 0)
        #expect(result.arrived == result.completed + result.failed + result.refused + simulation.openClients)
        #expect(result.measured == result.measuredCompleted + result.measuredFailed + result.measuredRefused)
    }

    @Test("Same seed, same JSON bytes (and replications run in parallel do not change it)")
    func determinism() throws {
        let s = try scenario(heteroYAML)
        let first = try Experiment.run(scenario: s, schedulers: ["rr", "wlc"], replications: 3)
        let second = try Experiment.run(scenario: s, schedulers: ["rr", "wlc"], replications: 3)
        let a = ExperimentReport(version: "t", scenario: s, results: first, labels: ["rr", "wlc"], compare: true, includeTiming: false).json()
        let b = ExperimentReport(version: "t", scenario: s, results: second, labels: ["rr", "wlc"], compare: true, includeTiming: false).json()
        #expect(a == b)
        #expect(a.contains("\"latency_ms\""))
        var other = s
        other.seed = 6
        let third = try Experiment.run(scenario: other, schedulers: ["rr", "wlc"], replications: 3)
        let c = ExperimentReport(version: "t", scenario: other, results: third, labels: ["rr", "wlc"], compare: true, includeTiming: false).json()
        #expect(a != c)
    }

    @Test("Common random numbers: rr and wlc see identical arrivals, clients and demands")
    func commonRandomNumbers() throws {
        var s = try scenario(heteroYAML)
        s.sampleConnections = 100_000
        let results = try Experiment.run(scenario: s, schedulers: ["rr", "wlc"], replications: 1, collectDetails: true)
        func workload(_ r: SchedulerResult) -> [Int: String] {
            Dictionary(uniqueKeysWithValues: r.replications[0].samples.map { ($0.id, "\($0.arrivalSeconds) \($0.client) \($0.demandMs)") })
        }
        let rr = workload(results[0]), wlc = workload(results[1])
        #expect(rr.count == s.connections!)
        #expect(rr == wlc)
        // …while the schedulers did decide differently.
        let rrServers = results[0].replications[0].samples.map(\.server)
        let wlcServers = results[1].replications[0].samples.map(\.server)
        #expect(rrServers != wlcServers)
    }

    @Test("The per-connection sample is a reservoir over the whole run, identical on rerun, other streams unmoved")
    func reservoirSample() throws {
        var s = try scenario(heteroYAML)
        s.sampleConnections = 200
        let first = try Experiment.run(scenario: s, schedulers: ["wlc"], replications: 1, collectDetails: true)
        let again = try Experiment.run(scenario: s, schedulers: ["wlc"], replications: 1, collectDetails: true)
        let samples = first[0].replications[0].samples
        #expect(samples.count == 200)
        // Deterministic: a rerun keeps the same connections.
        #expect(samples.map(\.id) == again[0].replications[0].samples.map(\.id))
        // Listed in connection order, each connection once.
        #expect(samples.map(\.id) == samples.map(\.id).sorted())
        #expect(Set(samples.map(\.id)).count == samples.count)
        // Spread over the whole measured run, not its first 200 connections: the ids
        // (arrival order, 300 warm-up then 3000 measured) average near the middle.
        let meanID = Double(samples.map(\.id).reduce(0, +)) / Double(samples.count)
        #expect(abs(meanID - 1800) < 250)
        #expect(samples.map(\.id).max()! > 3000)
        let arrivals = samples.map(\.arrivalSeconds)
        let meanArrival = arrivals.reduce(0, +) / Double(arrivals.count)
        let lastArrival = first[0].replications[0].samples.map(\.arrivalSeconds).max()!
        #expect(meanArrival > 0.35 * lastArrival && meanArrival < 0.65 * lastArrival)
        // The sample's stream is its own: the run's figures are those of a run without details.
        let plain = try Experiment.run(scenario: s, schedulers: ["wlc"], replications: 1)
        #expect(plain[0].replications[0].latencyMs.mean == first[0].replications[0].latencyMs.mean)
        #expect(plain[0].replications[0].measuredCompleted == first[0].replications[0].measuredCompleted)
    }

    /// One connection at t = 0 with 5 s of work, closed at t = 5 s.
    private func timeline(
        forwarding: String, extra: String = "", demandMs: Int = 5000, more: [(seconds: Double, demandMs: Int)] = [], workers: Int = 4
    ) throws -> ClusterSimulation {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("lvssim-timeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        var log = "t_s,client,demand_ms\n0,10.20.0.1,\(demandMs)\n"
        for (index, row) in more.enumerated() { log += "\(row.seconds),10.20.0.\(index + 2),\(row.demandMs)\n" }
        try log.write(to: folder.appendingPathComponent("log.csv"), atomically: true, encoding: .utf8)
        let yaml = """
            name: timeline
            connections: \(1 + more.count)
            director: {service: 10.10.0.100:80, scheduler: wlc, forwarding: \(forwarding)\(extra)}
            servers: [{address: 10.30.0.1:80, workers: \(workers)}]
            workload:
              arrivals: {process: replay, file: log.csv}
              demand: {distribution: deterministic, value_ms: 1}
            """
        return try ClusterSimulation(scenario: try scenario(yaml, file: folder.appendingPathComponent("s.yaml").path), replication: 0)
    }

    @Test("The last arrival finding an idle cluster still runs to completion (none left in flight)")
    func lastArrivalIntoAnEmptySystemCompletes() throws {
        // Deterministic arrivals 1 s apart, 10 ms of work: every connection,
        // the last one included, arrives to an empty cluster.
        let s = try scenario(
            """
            name: sparse
            seed: 3
            replications: 1
            connections: 3
            director: {service: 10.10.0.100:80, scheduler: rr, forwarding: nat}
            servers:
              - {address: 10.30.0.1:80, workers: 1}
            workload:
              arrivals: {process: deterministic, rate: 1}
              demand: {distribution: deterministic, value_ms: 10}
            """)
        var sim = try ClusterSimulation(scenario: s, replication: 0)
        let result = sim.run()
        #expect(result.arrived == 3)
        #expect(result.completed == 3)
        #expect(result.measuredCompleted == 3)
        #expect(result.inFlight == 0)
    }

    @Test("NAT: active until the close at 5 s, inactive in TIME_WAIT for 120 s, gone at 125 s (kernel timeouts)")
    func natTimeline() throws {
        var sim = try timeline(forwarding: "nat")
        sim.advance(untilSeconds: 0.5)
        #expect(sim.counters[0] == (1, 0))
        sim.advance(untilSeconds: 4.999)
        #expect(sim.counters[0] == (1, 0))
        sim.advance(untilSeconds: 5.001)
        #expect(sim.counters[0] == (0, 1))
        #expect(sim.director.connections.entries.first?.connection.state == .timeWait)
        sim.advance(untilSeconds: 124.999)
        #expect(sim.counters[0] == (0, 1))
        sim.advance(untilSeconds: 125.001)
        #expect(sim.counters[0] == (0, 0))
        #expect(sim.director.connections.count == 0)
    }

    @Test("DR: the client's FIN leaves the entry in FIN_WAIT for tcpfin (here 30 s via --set)")
    func drTimeline() throws {
        var sim = try timeline(forwarding: "dr", extra: ", timeouts: {tcp: 900, tcpfin: 30, udp: 300}")
        sim.advance(untilSeconds: 4.9)
        #expect(sim.counters[0] == (1, 0))
        sim.advance(untilSeconds: 5.1)
        #expect(sim.counters[0] == (0, 1))
        #expect(sim.director.connections.entries.first?.connection.state == .finWait)
        sim.advance(untilSeconds: 34.9)
        #expect(sim.counters[0] == (0, 1))
        sim.advance(untilSeconds: 35.1)
        #expect(sim.counters[0] == (0, 0))
    }

    @Test("A connection open longer than the ESTABLISHED timeout (tcp 20 s) is expired by the director at 20 s")
    func establishedTimeout() throws {
        var sim = try timeline(forwarding: "nat", extra: ", timeouts: {tcp: 20, tcpfin: 120, udp: 300}", demandMs: 30_000)
        sim.advance(untilSeconds: 19.9)
        #expect(sim.counters[0] == (1, 0))
        sim.advance(untilSeconds: 20.1)
        #expect(sim.counters[0] == (0, 0))
        #expect(sim.director.connections.count == 0)
        let result = sim.run()
        #expect(result.completed == 1)
    }

    @Test("A connection queued past the ESTABLISHED timeout (tcp 10 s) loses its entry at 10 s while it waits")
    func queuedPastEstablishedTimeout() throws {
        // One worker: the first connection is served 0–15 s, the second (accepted at 1 ms,
        // ESTABLISHED until 10.001 s) waits until 15 s. Both entries run out while the
        // connections are still at the server, the first at 10 s, the second at 10.001 s.
        var sim = try timeline(
            forwarding: "nat", extra: ", timeouts: {tcp: 10, tcpfin: 120, udp: 300}", demandMs: 15_000,
            more: [(0.001, 1_000)], workers: 1)
        sim.advance(untilSeconds: 9.9)
        #expect(sim.counters[0] == (2, 0))
        sim.advance(untilSeconds: 10.0005)
        #expect(sim.counters[0] == (1, 0))
        sim.advance(untilSeconds: 10.002)
        #expect(sim.counters[0] == (0, 0))
        let result = sim.run()
        #expect(result.completed == 2)
    }

    @Test("Connections that leave before their ESTABLISHED timeout need no timer until the close")
    func noTimerWhileTheServerIsSureToFinishFirst() throws {
        // Same queue with tcp 20 s: the second connection leaves at 16.001 s, before 20.001 s.
        // Events up to 130 s, counted by hand: 2 arrivals, 2 service completions, and no
        // entry timer at all (the SYN_RECV timer is skipped for an accepted SYN and the
        // ESTABLISHED one because each connection is sure to close first); the TIME_WAIT
        // timers fall due at 135 s and 136.001 s.
        var sim = try timeline(
            forwarding: "nat", extra: ", timeouts: {tcp: 20, tcpfin: 120, udp: 300}", demandMs: 15_000,
            more: [(0.001, 1_000)], workers: 1)
        sim.advance(untilSeconds: 15.5)
        #expect(sim.counters[0] == (1, 1))
        sim.advance(untilSeconds: 20.5)
        #expect(sim.counters[0] == (0, 2))
        sim.advance(untilSeconds: 130)
        #expect(sim.counters[0] == (0, 2))
        #expect(sim.eventsDelivered == 4)
        sim.advance(untilSeconds: 136.1)
        #expect(sim.counters[0] == (0, 0))
        #expect(sim.eventsDelivered == 6)
    }

    @Test("An entry's timer record changes hands: the client slot that held it lets go, and a stale timer never severs a slot's newer entry")
    func entryTimerRecordsChangeHands() throws {
        var sim = try timeline(forwarding: "nat")
        let a = sim.model.allocateSlot(), b = sim.model.allocateSlot()
        sim.model.conns[a].flags = ConnFlag.clientDone
        // The same entry (table slot 5) attached to a, then to b (a reused client port):
        // a, done, is freed; b holds the entry; a pending timer of that entry is kept.
        let entry = ConnectionID(rawSlot: 5, generation: 3)
        sim.model.attach(entry, to: a, server: 0)
        sim.model.entryTimers[5].at = 42
        sim.model.attach(entry, to: b, server: 0)
        #expect(sim.model.conns[a].entry == nil)
        #expect(sim.model.freeSlots.contains(Int32(a)))
        #expect(sim.model.conns[b].entry == entry)
        #expect(sim.model.entryTimers[5].connection == Int32(b) && sim.model.entryTimers[5].at == 42)
        // b moves on to a newer entry (table slot 7); the old entry's timer then comes up
        // and finds its entry gone: b keeps the newer one.
        let newer = ConnectionID(rawSlot: 7, generation: 1)
        sim.model.attach(newer, to: b, server: 0)
        sim.model.entryTimers[5].at = sim.engine.now.nanoseconds
        sim.model.entryTimer(entrySlot: 5, generation: 3, engine: &sim.engine)
        #expect(sim.model.conns[b].entry == newer)
        #expect(!sim.model.freeSlots.contains(Int32(b)))
    }

    @Test("Scenario errors name file, line and key")
    func validationErrors() throws {
        let typo = """
            name: x
            director: {scheduler: wlc}
            servers: [{address: 10.30.0.1:80}]
            wokload:
              arrivals: {process: poisson, rate: 10}
            """
        #expect(throws: ScenarioError.self) { try scenario(typo, file: "bad.yaml") }
        do {
            _ = try scenario(typo, file: "bad.yaml")
        } catch let error as ScenarioError {
            #expect(error.description.hasPrefix("bad.yaml:4: unknown key \"wokload\" in the scenario (expected "))
        }
        let badValue = """
            name: x
            director: {scheduler: wlc}
            servers: [{address: 10.30.0.1:80}]
            workload:
              arrivals: {process: poisson, rate: 10}
              demand:
                distribution: lognormal
                mean_ms: 10
                cv: -4
            """
        do {
            _ = try scenario(badValue, file: "bad.yaml")
            Issue.record("accepted cv: -4")
        } catch let error as ScenarioError {
            #expect(error.description == "bad.yaml:9: workload.demand.cv: -4 is invalid; must be > 0")
        }
        let nested = """
            name: x
            director: {scheduler: wlc}
            servers:
              - address: 10.30.0.1:80
                wrokers: 4
            workload:
              arrivals: {process: poisson, rate: 10}
              demand: {distribution: exponential, mean_ms: 10}
            """
        do {
            _ = try scenario(nested, file: "n.yaml")
            Issue.record("accepted wrokers")
        } catch let error as ScenarioError {
            #expect(error.description.hasPrefix("n.yaml:5: unknown key \"wrokers\" in servers[0] (expected address,"))
        }
        let badScheduler = """
            director: {scheduler: wlcc}
            servers: [{address: 10.30.0.1:80}]
            workload:
              arrivals: {process: poisson, rate: 10}
              demand: {distribution: exponential, mean_ms: 10}
            """
        do {
            _ = try scenario(badScheduler, file: "s.yaml")
            Issue.record("accepted wlcc")
        } catch let error as ScenarioError {
            #expect(error.description.hasPrefix("s.yaml:1: director.scheduler: unknown scheduler \"wlcc\""))
        }
    }

    @Test("The bundled scenarios validate, with the issue's parameters")
    func bundledScenarios() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let skewed = try ScenarioLoader.load(path: root.appendingPathComponent("Scenarios/skewed-heavy-tail.yaml").path)
        #expect(skewed.servers.count == 4 && skewed.servers.allSatisfy { $0.workers == 4 && $0.weight == 1 && $0.discipline == .fcfs })
        #expect(skewed.connections == 1_000_000 && skewed.warmupConnections == 50_000)
        guard case .poisson(let rate) = skewed.arrivals, case .lognormal(let d) = skewed.demand else {
            Issue.record("skewed workload")
            return
        }
        #expect(rate == 1280 && d.mean == 0.010 && d.coefficientOfVariation == 4)
        #expect(skewed.ipvsadm[0].contains("wlc") && skewed.ipvsadm[1].contains("-m"))
        let hetero = try ScenarioLoader.load(path: root.appendingPathComponent("Scenarios/hetero-weights.yaml").path)
        #expect(hetero.servers.map(\.speed) == [4, 2, 1, 1] && hetero.servers.map(\.weight) == [4, 2, 1, 1])
        #expect(abs(hetero.arrivals.meanRate - 0.8 * 32 / 0.010) < 1e-6)
        let mmc = try ScenarioLoader.load(path: root.appendingPathComponent("Scenarios/mmc-validation.yaml").path)
        #expect(mmc.servers.count == 1 && mmc.servers[0].workers == 4 && abs(mmc.arrivals.meanRate - 320) < 1e-9)
    }

    @Test("A recorded trace replays 100% (wlc and wrr over a weighted NAT cluster, and a persistent service)")
    func recordedTraceReplays() throws {
        for (scheduler, persistent) in [("wlc", false), ("wrr", false), ("rr", true)] {
            var s = try scenario(heteroYAML).withScheduler(scheduler)
            if persistent { s.ipvsadm[0] += ["-p", "30"] }
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("lvssim-\(UUID().uuidString).jsonl").path
            let recorder = try TraceRecorder(path: path, scenario: "test")
            var simulation = try ClusterSimulation(scenario: s, replication: 0, recorder: recorder)
            _ = simulation.run()
            recorder.flush()
            let records = try LVSTrace.read(path: path)
            let result = TraceReplayer().replay(records, file: path)
            #expect(result.decisions >= 3_300, "\(scheduler)")
            #expect(result.isClean, "\(scheduler): \(String(describing: result.firstMismatch))")
            #expect(result.matched == result.decisions)
        }
    }

    @Test("Scheduler override rewrites -s in -A lines only")
    func schedulerOverride() {
        #expect(Scenario.overrideScheduler(["-A", "-t", "1.2.3.4:80", "-s", "wlc", "-p", "60"], "rr") == ["-A", "-t", "1.2.3.4:80", "-s", "rr", "-p", "60"])
        #expect(Scenario.overrideScheduler(["-A", "-t", "1.2.3.4:80"], "sed") == ["-A", "-t", "1.2.3.4:80", "-s", "sed"])
        #expect(Scenario.overrideScheduler(["-a", "-t", "1.2.3.4:80", "-r", "10.0.0.1:80"], "rr") == ["-a", "-t", "1.2.3.4:80", "-r", "10.0.0.1:80"])
    }
}
