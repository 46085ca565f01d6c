/// Any of lvssim's workload distributions, as one value a configuration can hold.
public enum Distribution: RandomDistribution {
    case exponential(ExponentialDistribution)
    case lognormal(LognormalDistribution)
    case pareto(ParetoDistribution)
    case boundedPareto(BoundedParetoDistribution)
    case weibull(WeibullDistribution)
    case deterministic(DeterministicDistribution)
    case empirical(EmpiricalDistribution)
    case zipf(ZipfDistribution)
    case poisson(PoissonDistribution)

    /// The wrapped distribution.
    public var base: any RandomDistribution {
        switch self {
        case .exponential(let d): d
        case .lognormal(let d): d
        case .pareto(let d): d
        case .boundedPareto(let d): d
        case .weibull(let d): d
        case .deterministic(let d): d
        case .empirical(let d): d
        case .zipf(let d): d
        case .poisson(let d): d
        }
    }

    /// The analytic mean of the wrapped distribution (`+infinity` when it does not exist).
    public var mean: Double { base.mean }

    /// Draws from the wrapped distribution (switches, no existential dispatch).
    public func sample(using stream: RandomStream) -> Double {
        switch self {
        case .exponential(let d): d.sample(using: stream)
        case .lognormal(let d): d.sample(using: stream)
        case .pareto(let d): d.sample(using: stream)
        case .boundedPareto(let d): d.sample(using: stream)
        case .weibull(let d): d.sample(using: stream)
        case .deterministic(let d): d.sample(using: stream)
        case .empirical(let d): d.sample(using: stream)
        case .zipf(let d): d.sample(using: stream)
        case .poisson(let d): d.sample(using: stream)
        }
    }
}
