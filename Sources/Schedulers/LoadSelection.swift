import LVSModel

/// The selection loops several kernel schedulers share.
enum LoadSelection {
    /// The kernel's weighted-least-load walk (`ip_vs_wlc_schedule` and the
    /// copies inside lblc, lblcr and sed): the first server that is not
    /// OVERLOAD with weight > 0 is the candidate; each later non-OVERLOAD
    /// server replaces it when `candLoad × s.weight > sLoad × cand.weight`
    /// (64-bit, strict, so ties stay with the earlier server).
    @inlinable
    static func weightedLeast<Servers: RandomAccessCollection<RealServer>>(
        _ servers: Servers, load: (RealServer) -> Int64
    ) -> Int? where Servers.Index == Int {
        var index = 0
        let count = servers.count
        while index < count {
            let server = servers[index]
            if !server.isOverloaded && server.weight > 0 { break }
            index += 1
        }
        guard index < count else { return nil }
        var best = index
        var bestLoad = load(servers[index])
        var bestWeight = Int64(servers[index].weight)
        index += 1
        while index < count {
            let server = servers[index]
            if !server.isOverloaded {
                let serverLoad = load(server)
                if bestLoad * Int64(server.weight) > serverLoad * bestWeight {
                    best = index
                    bestLoad = serverLoad
                    bestWeight = Int64(server.weight)
                }
            }
            index += 1
        }
        return best
    }

    /// The kernel's lblc/lblcr `is_overloaded()` half-load rule: the server
    /// has more active connections than its weight while some server of the
    /// service (OVERLOAD flag ignored) is below half of its weight.
    @inlinable
    static func isHalfLoadOverloaded(_ server: RealServer, in servers: [RealServer]) -> Bool {
        guard server.activeConnections > server.weight else { return false }
        for other in servers where Int64(other.activeConnections) * 2 < Int64(other.weight) {
            return true
        }
        return false
    }
}

/// A position in the kernel's circular server list: `head` (the sentinel) or
/// an index. Kept valid across the list changes a ``TableChange`` describes.
struct ListCursor: Hashable, Sendable {
    /// -1 = the list head.
    var index: Int = -1

    static let head = ListCursor(index: -1)
    var isHead: Bool { index < 0 }

    /// Follows an insertion at the head of the list.
    mutating func serverInserted() {
        if index >= 0 { index += 1 }
    }

    /// Follows a removal at `removed`; a cursor on the removed server moves to
    /// its predecessor (the head if it was first), as rr's `del_dest` does.
    mutating func serverRemoved(at removed: Int) {
        if index == removed {
            index = removed - 1
        } else if index > removed {
            index -= 1
        }
    }
}
