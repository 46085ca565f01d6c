import LVSModel

/// `rr` (`ip_vs_rr.c`): round robin over eligible servers (not OVERLOAD,
/// weight > 0) in kernel list order, resuming after the last pick.
///
/// The cursor survives additions; deleting the server under the cursor moves
/// it to that server's predecessor. A failed decision leaves it unchanged.
public struct RoundRobinScheduler: Scheduler {
    public static let name = "rr"
    var cursor = ListCursor.head

    public init(service: VirtualService) {}

    public mutating func apply(_ change: TableChange, service: VirtualService) {
        switch change {
        case .serverAdded: cursor.serverInserted()
        case .serverDeleted(_, let index, _): cursor.serverRemoved(at: index)
        default: break
        }
    }

    public mutating func select<Random: SchedulerRandomSource>(
        flow: FlowKey, service: VirtualService, nowNanoseconds: Int64, random: inout Random
    ) -> Int? {
        let count = service.servers.count
        guard count > 0 else { return nil }
        let last = cursor.index
        // From the head: 0 … end. From element k: k+1 … end, then 0 … k.
        var position = last
        for _ in 0..<count {
            position += 1
            if position >= count { position = 0 }
            let server = service.servers[position]
            if !server.isOverloaded && server.weight > 0 {
                cursor.index = position
                return position
            }
        }
        return nil
    }
}
