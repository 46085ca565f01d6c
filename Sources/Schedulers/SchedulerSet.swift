import LVSModel

/// One scheduler instance per virtual service of a table, kept in step with
/// the table's ``TableChange``s exactly as the kernel's hooks are called.
public struct SchedulerSet: Sendable {
    public var registry: SchedulerRegistry
    /// Live schedulers by service (absent for "none").
    public private(set) var schedulers: [ServiceKey: AnyScheduler] = [:]

    public init(registry: SchedulerRegistry = .allKernel) {
        self.registry = registry
    }

    /// The scheduler of one service.
    public subscript(key: ServiceKey) -> AnyScheduler? { schedulers[key] }

    /// Applies the changes one mutation of `table` returned (`table` already
    /// mutated): init on `serviceAdded` or a scheduler change, drop on
    /// `serviceDeleted`, add/delete/edit hooks otherwise. New schedulers see
    /// `advance(to: nowNanoseconds)` to start their timers.
    public mutating func apply(_ changes: [TableChange], table: IPVSTable, nowNanoseconds: Int64) {
        for change in changes { apply(change, table: table, nowNanoseconds: nowNanoseconds) }
    }

    /// Applies one change; see ``apply(_:table:nowNanoseconds:)``.
    public mutating func apply(_ change: TableChange, table: IPVSTable, nowNanoseconds: Int64) {
        switch change {
        case .serviceAdded(let key):
            initialise(key, table: table, nowNanoseconds: nowNanoseconds)
        case .serviceEdited(let key, let schedulerChanged):
            if schedulerChanged { initialise(key, table: table, nowNanoseconds: nowNanoseconds) }
        case .serviceDeleted(let key):
            schedulers[key] = nil
        case .serverAdded(let key, _), .serverEdited(let key, _, _), .serverDeleted(let key, _, _):
            guard let service = table.service(key) else { return }
            schedulers[key]?.apply(change, service: service)
        case .statsZeroed, .timeoutsChanged, .daemonChanged:
            break
        }
    }

    private mutating func initialise(_ key: ServiceKey, table: IPVSTable, nowNanoseconds: Int64) {
        guard let service = table.service(key), var scheduler = registry.makeScheduler(for: service) else {
            schedulers[key] = nil
            return
        }
        scheduler.advance(to: nowNanoseconds)
        schedulers[key] = scheduler
    }

    /// Runs timers of every scheduler up to `nowNanoseconds`.
    public mutating func advance(to nowNanoseconds: Int64) {
        for key in schedulers.keys { schedulers[key]?.advance(to: nowNanoseconds) }
    }

    /// Schedules a new connection of `service`; nil = no destination
    /// (including a service whose scheduler is "none").
    public mutating func select<Random: SchedulerRandomSource>(
        flow: FlowKey, service: VirtualService, nowNanoseconds: Int64, random: inout Random
    ) -> Int? {
        schedulers[service.key]?.select(flow: flow, service: service, nowNanoseconds: nowNanoseconds, random: &random)
    }
}
