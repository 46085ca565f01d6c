/// The protocol state of an IPVS connection entry (TCP states, or the
/// single UDP state), as `ipvsadm -Lc` names them.
public enum ConnectionState: UInt8, Hashable, Sendable, Codable, CaseIterable {
    case none = 0
    case established
    case synSent
    case synRecv
    case finWait
    case timeWait
    case close
    case closeWait
    case lastAck
    case listen
    case synAck
    /// UDP's one state.
    case udp

    /// The name `ipvsadm -Lc` prints.
    public var listingName: String {
        switch self {
        case .none: return "NONE"
        case .established: return "ESTABLISHED"
        case .synSent: return "SYN_SENT"
        case .synRecv: return "SYN_RECV"
        case .finWait: return "FIN_WAIT"
        case .timeWait: return "TIME_WAIT"
        case .close: return "CLOSE"
        case .closeWait: return "CLOSE_WAIT"
        case .lastAck: return "LAST_ACK"
        case .listen: return "LISTEN"
        case .synAck: return "SYNACK"
        case .udp: return "UDP"
        }
    }

    /// Linux 6.1 counts exactly ESTABLISHED, SYN_SENT, SYN_RECV and SYNACK as active.
    @inlinable
    public var isActive: Bool {
        switch self {
        case .established, .synSent, .synRecv, .synAck: return true
        default: return false
        }
    }

    /// The kernel's default timeout of the state in seconds; ESTABLISHED,
    /// FIN_WAIT and UDP come from `--set` (``IPVSTimeouts``).
    @inlinable
    public func timeoutSeconds(_ timeouts: IPVSTimeouts) -> UInt32 {
        switch self {
        case .none: return 2
        case .established: return timeouts.tcp
        case .synSent: return 120
        case .synRecv: return 60
        case .finWait: return timeouts.tcpFin
        case .timeWait: return 120
        case .close: return 10
        case .closeWait: return 60
        case .lastAck: return 30
        case .listen: return 120
        case .synAck: return 120
        case .udp: return timeouts.udp
        }
    }
}
