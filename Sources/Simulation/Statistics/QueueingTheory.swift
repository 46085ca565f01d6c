/// Closed-form results for M/M/c queues, used to validate the simulator.
public enum QueueingTheory {
    /// Erlang's C formula: the probability that an arrival waits in an M/M/c queue with
    /// `servers` = c and offered load a = λ/μ (in Erlangs), computed through the stable
    /// Erlang-B recursion B₀ = 1, Bₖ = a·Bₖ₋₁ / (k + a·Bₖ₋₁), then C = c·B / (c − a(1 − B)).
    /// - Precondition: c ≥ 1 and 0 ≤ a < c (a stable queue).
    public static func erlangC(servers: Int, offeredLoad: Double) -> Double {
        precondition(servers >= 1, "need at least one server")
        precondition(offeredLoad >= 0 && offeredLoad < Double(servers), "unstable: offered load must be < servers")
        var blocking = 1.0
        for k in 1...servers {
            blocking = offeredLoad * blocking / (Double(k) + offeredLoad * blocking)
        }
        let c = Double(servers)
        return c * blocking / (c - offeredLoad * (1 - blocking))
    }

    /// The mean time in queue W_q = C(c, λ/μ) / (cμ − λ) of an M/M/c queue (time units of 1/rate).
    public static func mmcMeanWaitingTime(arrivalRate: Double, serviceRate: Double, servers: Int) -> Double {
        let load = arrivalRate / serviceRate
        return erlangC(servers: servers, offeredLoad: load) / (Double(servers) * serviceRate - arrivalRate)
    }

    /// The mean response (sojourn) time T = W_q + 1/μ of an M/M/c queue.
    public static func mmcMeanResponseTime(arrivalRate: Double, serviceRate: Double, servers: Int) -> Double {
        mmcMeanWaitingTime(arrivalRate: arrivalRate, serviceRate: serviceRate, servers: servers) + 1 / serviceRate
    }
}
