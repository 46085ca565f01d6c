import LVSModel

/// A scheduler of any origin: a kernel one (enum-dispatched, the fast path)
/// or a user-registered type (behind an existential).
public enum AnyScheduler: Sendable {
    case kernel(KernelScheduler)
    case custom(any Scheduler)

    /// The ipvsadm name of the algorithm.
    public var name: String {
        switch self {
        case .kernel(let scheduler): return scheduler.kind.name
        case .custom(let scheduler): return type(of: scheduler).name
        }
    }

    /// See ``Scheduler/apply(_:service:)``.
    public mutating func apply(_ change: TableChange, service: VirtualService) {
        switch self {
        case .kernel(var scheduler):
            self = .custom(PlaceholderScheduler())
            scheduler.apply(change, service: service)
            self = .kernel(scheduler)
        case .custom(var scheduler):
            scheduler.apply(change, service: service)
            self = .custom(scheduler)
        }
    }

    /// See ``Scheduler/advance(to:)``.
    public mutating func advance(to nowNanoseconds: Int64) {
        switch self {
        case .kernel(var scheduler):
            self = .custom(PlaceholderScheduler())
            scheduler.advance(to: nowNanoseconds)
            self = .kernel(scheduler)
        case .custom(var scheduler):
            scheduler.advance(to: nowNanoseconds)
            self = .custom(scheduler)
        }
    }

    /// See ``Scheduler/select(flow:service:nowNanoseconds:random:)``.
    public mutating func select<Random: SchedulerRandomSource>(
        flow: FlowKey, service: VirtualService, nowNanoseconds: Int64, random: inout Random
    ) -> Int? {
        switch self {
        case .kernel(var scheduler):
            self = .custom(PlaceholderScheduler())
            let chosen = scheduler.select(flow: flow, service: service, nowNanoseconds: nowNanoseconds, random: &random)
            self = .kernel(scheduler)
            return chosen
        case .custom(var scheduler):
            self = .custom(PlaceholderScheduler())
            let chosen = scheduler.select(flow: flow, service: service, nowNanoseconds: nowNanoseconds, random: &random)
            self = .custom(scheduler)
            return chosen
        }
    }
}

/// Occupies an ``AnyScheduler`` while its payload is moved out to be mutated.
struct PlaceholderScheduler: Scheduler {
    static let name = "none"
    init(service: VirtualService) {}
    init() {}
    mutating func apply(_ change: TableChange, service: VirtualService) {}
    mutating func select<Random: SchedulerRandomSource>(
        flow: FlowKey, service: VirtualService, nowNanoseconds: Int64, random: inout Random
    ) -> Int? { nil }
}
