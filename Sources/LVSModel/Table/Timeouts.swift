/// The three timeouts `ipvsadm --set tcp tcpfin udp` controls, in seconds.
public struct IPVSTimeouts: Hashable, Sendable, Codable {
    /// ESTABLISHED (default 900 s).
    public var tcp: UInt32 = 900
    /// FIN_WAIT (default 120 s).
    public var tcpFin: UInt32 = 120
    /// UDP (default 300 s).
    public var udp: UInt32 = 300

    public init(tcp: UInt32 = 900, tcpFin: UInt32 = 120, udp: UInt32 = 300) {
        self.tcp = tcp
        self.tcpFin = tcpFin
        self.udp = udp
    }
}

/// The role of a connection-sync daemon.
public enum SyncDaemonRole: String, Hashable, Sendable, Codable, CaseIterable {
    case master
    case backup
}

/// One running connection-sync daemon (`--start-daemon`).
public struct SyncDaemon: Hashable, Sendable, Codable {
    public var role: SyncDaemonRole
    public var multicastInterface: String
    public var syncID: UInt8
    /// Options of sync protocol version 1 (`--sync-maxlen`, `--mcast-group`, …), 0/nil = default.
    public var maxLength: UInt16
    public var multicastGroup: IPAddress?
    public var multicastPort: UInt16
    public var multicastTTL: UInt8

    public init(
        role: SyncDaemonRole, multicastInterface: String, syncID: UInt8 = 0, maxLength: UInt16 = 0,
        multicastGroup: IPAddress? = nil, multicastPort: UInt16 = 0, multicastTTL: UInt8 = 0
    ) {
        self.role = role
        self.multicastInterface = multicastInterface
        self.syncID = syncID
        self.maxLength = maxLength
        self.multicastGroup = multicastGroup
        self.multicastPort = multicastPort
        self.multicastTTL = multicastTTL
    }
}
