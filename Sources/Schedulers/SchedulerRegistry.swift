import LVSModel

/// Maps ipvsadm scheduler names to implementations: the kernel's, plus any a
/// user registers. Its ``names`` feed `IPVSTable.knownSchedulers`.
///
/// ```swift
/// var registry = SchedulerRegistry.linux61
/// registry.register(MyScheduler.self)       // now "-s my" works
/// table.knownSchedulers = registry.names
/// ```
public struct SchedulerRegistry: Sendable {
    /// Builds a user scheduler for a service.
    public typealias Factory = @Sendable (VirtualService) -> any Scheduler

    /// The kernel schedulers served by the enum-dispatched fast path.
    public private(set) var kernelKinds: Set<SchedulerKind>
    /// User schedulers by name; they take precedence over kernel ones.
    private var factories: [String: Factory] = [:]

    /// A registry with the given kernel schedulers and no user ones.
    public init(kernelKinds: some Sequence<SchedulerKind> = SchedulerKind.allCases) {
        self.kernelKinds = Set(kernelKinds)
    }

    /// The schedulers of Linux 6.1 (no `twos`).
    public static var linux61: SchedulerRegistry { SchedulerRegistry(kernelKinds: SchedulerKind.linux61) }
    /// All fourteen kernel schedulers (Linux ≥ 6.7).
    public static var allKernel: SchedulerRegistry { SchedulerRegistry() }

    /// Registers `type` under `type.name` (replacing any scheduler of that name).
    public mutating func register<S: Scheduler>(_ type: S.Type) {
        factories[S.name] = { S(service: $0) }
    }

    /// Registers a factory under `name`.
    public mutating func register(name: String, factory: @escaping Factory) {
        factories[name] = factory
    }

    /// Removes a user scheduler, or a kernel one, by name.
    public mutating func unregister(_ name: String) {
        factories[name] = nil
        if let kind = SchedulerKind(name: name) { kernelKinds.remove(kind) }
    }

    /// Every name `-s` accepts, including "none".
    public var names: Set<String> {
        var result = Set(kernelKinds.map(\.name))
        result.formUnion(factories.keys)
        result.insert("none")
        return result
    }

    /// Whether `-s name` is accepted.
    public func contains(_ name: String) -> Bool { names.contains(name) }

    /// A fresh scheduler (`init_service`) for `service.scheduler`; nil for
    /// "none" or an unknown name.
    public func makeScheduler(for service: VirtualService) -> AnyScheduler? {
        if let factory = factories[service.scheduler] { return .custom(factory(service)) }
        guard let kind = SchedulerKind(name: service.scheduler), kernelKinds.contains(kind) else { return nil }
        return .kernel(KernelScheduler(kind: kind, service: service))
    }
}
