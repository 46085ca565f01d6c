/// Fairness measures for a share of work (connections, bytes, utilisation) across servers.
public enum FairnessIndex {
    /// Jain's index, (Σxᵢ)² / (n·Σxᵢ²), for non-negative xᵢ: 1 when all shares are equal,
    /// 1/n when one server takes everything. Defined as 1 when every share is 0.
    /// - Precondition: `shares` is non-empty and every share is ≥ 0.
    public static func jain(_ shares: [Double]) -> Double {
        precondition(!shares.isEmpty, "Jain's index of no shares")
        var sum = 0.0, sumOfSquares = 0.0
        for share in shares {
            precondition(share >= 0, "Jain's index needs non-negative shares, got \(share)")
            sum += share
            sumOfSquares += share * share
        }
        return sumOfSquares == 0 ? 1 : sum * sum / (Double(shares.count) * sumOfSquares)
    }

    /// Jain's index of shares normalised by capacity (xᵢ / wᵢ), for weighted servers.
    /// - Precondition: equal counts, every weight > 0.
    public static func jain(_ shares: [Double], weights: [Double]) -> Double {
        precondition(shares.count == weights.count, "one weight per share")
        return jain(zip(shares, weights).map { share, weight in
            precondition(weight > 0, "weights must be > 0")
            return share / weight
        })
    }
}
