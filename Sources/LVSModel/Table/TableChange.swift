/// What a successful table operation changed, so that the owner of
/// per-service scheduler state can run the kernel's hooks (init, add,
/// delete, edit) in the same order the kernel does.
public enum TableChange: Hashable, Sendable {
    /// A service was created: initialise its scheduler from its (empty or revived) list.
    case serviceAdded(ServiceKey)
    /// `-E`: `schedulerChanged` is true when the scheduler name differs
    /// (the old state is discarded and the new one initialised).
    case serviceEdited(ServiceKey, schedulerChanged: Bool)
    /// A service was deleted (`-D`, or each service of `-C`).
    case serviceDeleted(ServiceKey)
    /// A real server was linked at the head of the list (index 0).
    case serverAdded(ServiceKey, RealServer)
    /// A real server was edited in place at `index`.
    case serverEdited(ServiceKey, index: Int, old: RealServer)
    /// A real server was unlinked; `index` is where it was.
    case serverDeleted(ServiceKey, index: Int, server: RealServer)
    /// Statistics were zeroed (`-Z`).
    case statsZeroed(ServiceKey?)
    /// Timeouts changed (`--set`).
    case timeoutsChanged
    /// The sync daemon state changed.
    case daemonChanged
}
