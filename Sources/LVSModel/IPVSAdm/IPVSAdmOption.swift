/// The options ipvsadm 1.31 tracks for its option/command legality check,
/// in the order of its table (which is the order violations are reported).
public enum IPVSAdmOption: Int, CaseIterable, Hashable, Sendable {
    case numeric, connection, serviceAddress, scheduler, persistent, netmask, realServer, forwardingMethod
    case weight, upperThreshold, lowerThreshold, multicastInterface, timeout, daemon, stats, rate
    case thresholds, persistentConnections, noSort, syncID, exact, onePacket, persistenceEngine, schedulerFlags
    case multicastGroup, multicastPort, multicastTTL, syncMaxLength, tunnelInfo, tunnelType, tunnelPort
    case tunnelNoChecksum, tunnelChecksum, tunnelRemoteChecksum

    /// The name ipvsadm prints in its messages.
    public var name: String {
        switch self {
        case .numeric: return "numeric"
        case .connection: return "connection"
        case .serviceAddress: return "service-address"
        case .scheduler: return "scheduler"
        case .persistent: return "persistent"
        case .netmask: return "netmask"
        case .realServer: return "real-server"
        case .forwardingMethod: return "forwarding-method"
        case .weight: return "weight"
        case .upperThreshold: return "u-threshold"
        case .lowerThreshold: return "l-threshold"
        case .multicastInterface: return "mcast-interface"
        case .timeout: return "timeout"
        case .daemon: return "daemon"
        case .stats: return "stats"
        case .rate: return "rate"
        case .thresholds: return "thresholds"
        case .persistentConnections: return "persistent-conn"
        case .noSort: return "nosort"
        case .syncID: return "syncid"
        case .exact: return "exact"
        case .onePacket: return "ops"
        case .persistenceEngine: return "pe"
        case .schedulerFlags: return "sched-flags"
        case .multicastGroup: return "mcast-group"
        case .multicastPort: return "mcast-port"
        case .multicastTTL: return "mcast-ttl"
        case .syncMaxLength: return "sync-maxlen"
        case .tunnelInfo: return "tun-info"
        case .tunnelType: return "tun-type"
        case .tunnelPort: return "tun-port"
        case .tunnelNoChecksum: return "tun-nocsum"
        case .tunnelChecksum: return "tun-csum"
        case .tunnelRemoteChecksum: return "tun-remcsum"
        }
    }

    /// How a command treats an option.
    public enum Legality: Sendable {
        /// May be given.
        case allowed
        /// Must be given.
        case required
        /// Must not be given.
        case illegal
        /// At most one option of this class may be given.
        case exclusive
    }

    /// The legality-table entry for this option with `command`.
    public func legality(with command: IPVSAdmCommandKind) -> Legality {
        switch command {
        case .addService, .editService:
            if self == .serviceAddress { return .required }
            let allowed: Set<IPVSAdmOption> = [.scheduler, .persistent, .netmask, .onePacket, .persistenceEngine, .schedulerFlags]
            return allowed.contains(self) ? .allowed : .illegal
        case .deleteService:
            return self == .serviceAddress ? .required : .illegal
        case .addServer, .editServer:
            if self == .serviceAddress || self == .realServer { return .required }
            let allowed: Set<IPVSAdmOption> = [
                .forwardingMethod, .weight, .upperThreshold, .lowerThreshold, .tunnelType, .tunnelPort,
                .tunnelNoChecksum, .tunnelChecksum, .tunnelRemoteChecksum,
            ]
            return allowed.contains(self) ? .allowed : .illegal
        case .deleteServer:
            return self == .serviceAddress || self == .realServer ? .required : .illegal
        case .list:
            switch self {
            case .connection, .serviceAddress, .timeout, .daemon: return .exclusive
            case .numeric, .stats, .rate, .thresholds, .persistentConnections, .noSort, .exact, .tunnelInfo:
                return .allowed
            default: return .illegal
            }
        case .save:
            return self == .numeric || self == .noSort ? .allowed : .illegal
        case .zero:
            return self == .serviceAddress ? .allowed : .illegal
        case .startDaemon:
            let allowed: Set<IPVSAdmOption> = [
                .multicastInterface, .syncID, .multicastGroup, .multicastPort, .multicastTTL, .syncMaxLength,
            ]
            return allowed.contains(self) ? .allowed : .illegal
        case .stopDaemon:
            return self == .syncID ? .allowed : .illegal
        case .clear, .restore, .setTimeouts, .help, .version:
            return .illegal
        }
    }
}
