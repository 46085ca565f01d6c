import LVSModel

/// `wlc` (`ip_vs_wlc.c`, ipvsadm's default): minimal overhead/weight, compared
/// by 64-bit cross-multiplication. The first non-OVERLOAD server with weight
/// > 0 is the initial candidate; a later non-OVERLOAD server replaces it only
/// when strictly less loaded, so ties go to the first in kernel list order.
/// Stateless.
public struct WeightedLeastConnectionScheduler: StatelessScheduler {
    public static let name = "wlc"
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
        LoadSelection.weightedLeast(servers) { $0.overhead }
    }
}
