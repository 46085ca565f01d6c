import LVSModel

/// `lc` (`ip_vs_lc.c`): the eligible server (not OVERLOAD, weight ≠ 0) with
/// the smallest overhead `active × 256 + inactive`; strict `<`, so ties go to
/// the first in kernel list order. Weights are otherwise ignored. Stateless.
public struct LeastConnectionScheduler: StatelessScheduler {
    public static let name = "lc"
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
        for index in servers.indices {
            let server = servers[index]
            if server.isOverloaded || server.weight == 0 { continue }
            let load = server.overhead
            if best == nil || load < bestLoad {
                best = index
                bestLoad = load
            }
        }
        return best
    }
}
