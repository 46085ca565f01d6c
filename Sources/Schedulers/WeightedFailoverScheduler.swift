import LVSModel

/// `fo` (`ip_vs_fo.c`): the non-OVERLOAD server with the highest weight; a
/// server replaces the candidate only with a strictly higher weight (starting
/// from 0, so weight 0 never qualifies); ties go to the first in list order.
/// Stateless.
public struct WeightedFailoverScheduler: StatelessScheduler {
    public static let name = "fo"
    public init() {}

    public mutating func select<Random: SchedulerRandomSource>(
        flow: FlowKey, service: VirtualService, nowNanoseconds: Int64, random: inout Random
    ) -> Int? {
        var best: Int? = nil
        var bestWeight: Int32 = 0
        for index in service.servers.indices {
            let server = service.servers[index]
            if !server.isOverloaded && server.weight > bestWeight {
                best = index
                bestWeight = server.weight
            }
        }
        return best
    }
}
