/// The command (first option) of an ipvsadm invocation.
public enum IPVSAdmCommandKind: Hashable, Sendable, CaseIterable {
    case addService, editService, deleteService, clear, list, addServer, deleteServer, editServer
    case setTimeouts, startDaemon, stopDaemon, restore, save, zero, help, version

    /// The name ipvsadm prints in legality messages.
    public var name: String {
        switch self {
        case .addService: return "add-service"
        case .editService: return "edit-service"
        case .deleteService: return "delete-service"
        case .clear: return "flush"
        case .list: return "list"
        case .addServer: return "add-server"
        case .deleteServer: return "delete-server"
        case .editServer: return "edit-server"
        case .setTimeouts: return "set"
        case .startDaemon: return "start-daemon"
        case .stopDaemon: return "stop-daemon"
        case .restore: return "restore"
        case .save: return "save"
        case .zero: return "zero"
        case .help: return "help"
        case .version: return "version"
        }
    }
}

/// A fully parsed and checked ipvsadm invocation, ready to execute.
public struct IPVSAdmCommand: Hashable, Sendable {
    public var kind: IPVSAdmCommandKind
    /// Every option given (for the legality check and the listing formats).
    public var options: Set<IPVSAdmOption> = []
    /// The virtual service (`-t/-u/--sctp-service/-f`), if given.
    public var service: ServiceKey?
    /// Scheduler, flags, timeout, netmask and engine for `-A`/`-E`.
    public var serviceConfig: VirtualService?
    /// The real server for `-a/-e/-d`.
    public var server: RealServer?
    /// `--set tcp tcpfin udp`.
    public var timeouts: (tcp: UInt32, tcpFin: UInt32, udp: UInt32)?
    /// `--start-daemon` / `--stop-daemon` settings.
    public var daemon: SyncDaemon?

    public init(kind: IPVSAdmCommandKind) {
        self.kind = kind
    }

    /// `-n`: print addresses and ports numerically.
    public var isNumeric: Bool { options.contains(.numeric) }

    public static func == (lhs: IPVSAdmCommand, rhs: IPVSAdmCommand) -> Bool {
        lhs.kind == rhs.kind && lhs.options == rhs.options && lhs.service == rhs.service
            && lhs.serviceConfig == rhs.serviceConfig && lhs.server == rhs.server
            && lhs.timeouts?.tcp == rhs.timeouts?.tcp && lhs.timeouts?.tcpFin == rhs.timeouts?.tcpFin
            && lhs.timeouts?.udp == rhs.timeouts?.udp && lhs.daemon == rhs.daemon
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind)
        hasher.combine(options)
        hasher.combine(service)
        hasher.combine(server)
    }
}
