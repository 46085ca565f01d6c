import LVSModel

/// `sed` (`ip_vs_sed.c`): wlc's procedure with the load `active + 1`
/// (inactive connections ignored); ties go to the first in kernel list order.
/// Stateless.
public struct ShortestExpectedDelayScheduler: StatelessScheduler {
    public static let name = "sed"
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
        LoadSelection.weightedLeast(servers) { Int64($0.activeConnections) + 1 }
    }
}
