import LVSModel

/// `nq` (`ip_vs_nq.c`): the first eligible server (not OVERLOAD, weight ≠ 0)
/// with no active connection wins at once; otherwise the sed rule (load
/// `active + 1`, cross-multiplied, ties to the first in list order). Stateless.
public struct NeverQueueScheduler: StatelessScheduler {
    public static let name = "nq"
    public init() {}

    public mutating func select<Random: SchedulerRandomSource>(
        flow: FlowKey, service: VirtualService, nowNanoseconds: Int64, random: inout Random
    ) -> Int? {
        var best: Int? = nil
        var bestLoad: Int64 = 0
        var bestWeight: Int64 = 0
        for index in service.servers.indices {
            let server = service.servers[index]
            if server.isOverloaded || server.weight == 0 { continue }
            if server.activeConnections == 0 { return index }
            let load = Int64(server.activeConnections) + 1
            if best == nil || bestLoad * Int64(server.weight) > load * bestWeight {
                best = index
                bestLoad = load
                bestWeight = Int64(server.weight)
            }
        }
        return best
    }
}
