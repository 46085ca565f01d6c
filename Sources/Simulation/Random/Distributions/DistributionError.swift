/// A distribution was given parameters outside its domain.
public struct DistributionError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The distribution being built, e.g. `"lognormal"`.
    public let distribution: String
    /// The offending parameter, e.g. `"coefficientOfVariation"`.
    public let parameter: String
    /// The value it was given (`nan` when the problem is not a single number).
    public let value: Double
    /// What the parameter must satisfy, e.g. `"finite and > 0"`.
    public let requirement: String

    public init(distribution: String, parameter: String, value: Double, requirement: String) {
        self.distribution = distribution
        self.parameter = parameter
        self.value = value
        self.requirement = requirement
    }

    public var description: String {
        "\(distribution) distribution: \(parameter) = \(value) is invalid; it must be \(requirement)"
    }

    /// Throws unless `condition` holds.
    static func require(
        _ condition: Bool, _ distribution: String, _ parameter: String, _ value: Double, _ requirement: String
    ) throws(DistributionError) {
        if !condition {
            throw DistributionError(
                distribution: distribution, parameter: parameter, value: value, requirement: requirement)
        }
    }

    /// Throws unless `value` is finite and strictly positive.
    static func requirePositive(_ value: Double, _ distribution: String, _ parameter: String) throws(DistributionError) {
        try require(value.isFinite && value > 0, distribution, parameter, value, "finite and > 0")
    }
}
