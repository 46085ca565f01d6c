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
        Self.choose(service.servers)
    }

    /// The choice from `servers` (zero-based, kernel list order): all that
    /// ``select(flow:service:nowNanoseconds:random:)`` reads, so a director can
    /// pass its server list in place.
    public static func choose<Servers: RandomAccessCollection<RealServer>>(_ servers: Servers) -> Int?
    where Servers.Index == Int {
        var best: Int? = nil
        var bestWeight: Int32 = 0
        for index in servers.indices {
            let server = servers[index]
            if !server.isOverloaded && server.weight > bestWeight {
                best = index
                bestWeight = server.weight
            }
        }
        return best
    }
}
