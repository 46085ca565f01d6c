/// A statistic could not be computed from the data or arguments given.
public enum StatisticsError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Fewer observations than the statistic needs.
    case insufficientData(needed: Int, got: Int)
    /// An argument outside its domain, described.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case .insufficientData(let needed, let got):
            "insufficient data: needs at least \(needed) observations, got \(got)"
        case .invalidArgument(let reason):
            "invalid argument: \(reason)"
        }
    }
}
