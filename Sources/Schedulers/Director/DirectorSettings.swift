/// The IPVS sysctls that change which server a connection gets
/// (`/proc/sys/net/ipv4/vs/*`), with the kernel's defaults.
public struct DirectorSettings: Hashable, Sendable, Codable {
    /// `expire_nodest_conn` (default 0).
    public var expireNodestConn = false
    /// `conn_reuse_mode` (default 1).
    public var connReuseMode: UInt8 = 1
    /// `expire_quiescent_template` (default 0).
    public var expireQuiescentTemplate = false
    /// `sloppy_tcp` (default 0).
    public var sloppyTCP = false

    public init() {}
}

/// What the director did with a packet that opens a connection.
public enum ScheduleOutcome: Hashable, Sendable {
    /// A new entry bound to a real server.
    case scheduled(ScheduledConnection)
    /// The packet matched an existing entry that is not rescheduled.
    case existing(ScheduledConnection)
    /// No virtual service matches: the packet goes to the director's own stack.
    case noService
    /// The packet is never scheduled (FTP data from port 20, TCP without SYN, RST).
    case notScheduled
    /// The service has no usable server: ICMP port unreachable to the client.
    case noDestination

    /// The connection the packet goes to, new or existing; nil when it is not forwarded.
    @inlinable
    public var connection: ScheduledConnection? {
        switch self {
        case .scheduled(let connection), .existing(let connection): connection
        case .noService, .notScheduled, .noDestination: nil
        }
    }
}
