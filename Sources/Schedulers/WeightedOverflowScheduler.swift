import LVSModel

/// `ovf` (`ip_vs_ovf.c`): among servers that are not OVERLOAD, have weight ≠ 0
/// and `active ≤ weight`, the highest weight; ties go to the first in list
/// order. Inactive connections are ignored. Stateless.
public struct WeightedOverflowScheduler: StatelessScheduler {
    public static let name = "ovf"
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
            let weight = server.weight
            if server.isOverloaded || server.activeConnections > weight || weight == 0 { continue }
            if best == nil || weight > bestWeight {
                best = index
                bestWeight = weight
            }
        }
        return best
    }
}
