import LVSModel

/// `twos` (`ip_vs_twos.c`, Linux ≥ 6.7): weighted random two choices.
///
/// Eligible: not OVERLOAD and weight > 0, with total weight W. Two values are
/// drawn uniformly in `0...W` (the kernel's `get_random_u32_below(W + 1)`);
/// each picks the first eligible server whose running weight sum reaches it.
/// The second choice wins only if `weight2 × overhead1 > weight1 × overhead2`
/// in 32-bit signed wrapping arithmetic, as the kernel computes it. Stateless.
public struct TwoChoicesScheduler: StatelessScheduler {
    public static let name = "twos"
    public init() {}

    public mutating func select<Random: SchedulerRandomSource>(
        flow: FlowKey, service: VirtualService, nowNanoseconds: Int64, random: inout Random
    ) -> Int? {
        var total: Int32 = 0
        var any = false
        for server in service.servers where !server.isOverloaded && server.weight > 0 {
            total &+= server.weight
            any = true
        }
        guard any else { return nil }
        let bound = UInt32(bitPattern: total &+ 1)
        var remaining1 = Int32(bitPattern: random.nextUInt32(below: bound))
        var remaining2 = Int32(bitPattern: random.nextUInt32(below: bound))
        var choice1 = -1, choice2 = -1
        var weight1: Int32 = -1, weight2: Int32 = -1
        var overhead1: Int32 = 0, overhead2: Int32 = 0
        for index in service.servers.indices {
            let server = service.servers[index]
            if server.isOverloaded || server.weight <= 0 { continue }
            let weight = server.weight
            remaining1 &-= weight
            remaining2 &-= weight
            if remaining1 <= 0 && weight1 == -1 {
                choice1 = index
                weight1 = weight
                overhead1 = Int32(truncatingIfNeeded: server.overhead)
            }
            if remaining2 <= 0 && weight2 == -1 {
                choice2 = index
                weight2 = weight
                overhead2 = Int32(truncatingIfNeeded: server.overhead)
            }
            if weight1 != -1 && weight2 != -1 { break }
        }
        if weight2 &* overhead1 > weight1 &* overhead2 { return choice2 }
        return choice1
    }
}
