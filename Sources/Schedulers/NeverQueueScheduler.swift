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
        Self.choose(service.servers)
    }

    /// The choice from `servers` (zero-based, kernel list order): all that
    /// ``select(flow:service:nowNanoseconds:random:)`` reads, so a director can
    /// pass its server list in place.
    public static func choose<Servers: RandomAccessCollection<RealServer>>(_ servers: Servers) -> Int?
    where Servers.Index == Int {
        var best: Int? = nil
        var bestLoad: Int64 = 0
        var bestWeight: Int64 = 0
        for index in servers.indices {
            let server = servers[index]
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
