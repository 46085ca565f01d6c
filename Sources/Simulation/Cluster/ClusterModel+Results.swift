import Foundation
import LVSModel
import Schedulers

extension ClusterModel {
    // Results

    mutating func finish(engine: Engine) -> ReplicationResult {
        let now = engine.now.nanoseconds
        closeWindow(now: now)
        var r = result
        r.samples = sortedSamples()
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
            let utilization = clock[s].areaBusy / window / Double(workers[s])
            let sojourn = departures[s] > 0 ? sojournSum[s] / Double(departures[s]) / 1e9 : 0
            let server = ServerResult(
                address: serverNames[s], weight: Int32(weights[s]), workers: workers[s], speed: speed[s],
                connections: boundConnections[s], share: share, utilization: utilization,
                meanActive: clock[s].areaActive / window, maxActive: Int(clock[s].maxActive), meanInactive: clock[s].areaInactive / window,
                meanInSystem: clock[s].areaInSystem / window, departureRate: Double(departures[s]) / seconds,
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
