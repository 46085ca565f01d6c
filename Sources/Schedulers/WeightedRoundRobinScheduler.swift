import LVSModel

/// `wrr` (`ip_vs_wrr.c`): interleaved weighted round robin with the kernel's
/// cursor, current weight `cw`, maximum `mw` and gcd step `di` (spec §7.2).
///
/// Any add, delete or edit resets the cursor to the head and recomputes
/// `di`/`mw`, keeping `cw` when it is still in range (rounded down to a
/// multiple of `di`, plus one, when `di > 1`).
public struct WeightedRoundRobinScheduler: Scheduler {
    public static let name = "wrr"
    var cursor = ListCursor.head
    /// Current weight.
    public private(set) var currentWeight: Int32 = 0
    /// Maximum weight minus `(gcd − 1)`.
    public private(set) var maxWeight: Int32 = 0
    /// Gcd of the positive weights (1 if none).
    public private(set) var step: Int32 = 1

    public init(service: VirtualService) {
        recompute(service.servers)
        currentWeight = maxWeight
    }

    private mutating func recompute(_ servers: [RealServer]) {
        var divisor: Int32 = 0
        var maximum: Int32 = 0
        for server in servers {
            if server.weight > 0 { divisor = divisor > 0 ? Self.gcd(server.weight, divisor) : server.weight }
            if server.weight > maximum { maximum = server.weight }
        }
        step = divisor > 0 ? divisor : 1
        maxWeight = maximum - (step - 1)
    }

    static func gcd(_ a: Int32, _ b: Int32) -> Int32 {
        var (a, b) = (a, b)
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }

    public mutating func apply(_ change: TableChange, service: VirtualService) {
        switch change {
        case .serverAdded, .serverDeleted, .serverEdited:
            cursor = .head
            recompute(service.servers)
            if currentWeight > maxWeight || currentWeight == 0 {
                currentWeight = maxWeight
            } else if step > 1 {
                currentWeight = (currentWeight / step) * step + 1
            }
        default: break
        }
    }

    public mutating func select<Random: SchedulerRandomSource>(
        flow: FlowKey, service: VirtualService, nowNanoseconds: Int64, random: inout Random
    ) -> Int? {
        guard maxWeight != 0 else { return nil }
        let count = service.servers.count
        let start = cursor.index  // -1 = head
        var stop = -2  // no stop
        var lastPass = false
        var restarted = false
        var position = start
        while true {
            position += 1
            while position < count {
                let server = service.servers[position]
                if !server.isOverloaded && server.weight >= currentWeight {
                    cursor.index = position
                    return position
                }
                if position == stop {
                    cursor.index = position
                    return nil
                }
                position += 1
            }
            currentWeight -= step
            if currentWeight <= 0 {
                currentWeight = maxWeight
                if lastPass || start < 0 {
                    cursor = .head
                    return nil
                }
                restarted = true
            }
            lastPass = currentWeight <= step
            if lastPass && restarted && start >= 0 { stop = start }
            position = -1
        }
    }
}
