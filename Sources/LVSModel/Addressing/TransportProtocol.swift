/// The transport protocols an IPVS virtual service can carry.
public enum TransportProtocol: UInt8, Hashable, Sendable, Codable, CaseIterable {
    case tcp = 6
    case udp = 17
    case sctp = 132

    /// The upper-case name ipvsadm listings print (`TCP`, `UDP`, `SCTP`).
    public var listingName: String {
        switch self {
        case .tcp: return "TCP"
        case .udp: return "UDP"
        case .sctp: return "SCTP"
        }
    }

    /// The lower-case name used in traces, scenarios and `/etc/services`.
    public var name: String {
        switch self {
        case .tcp: return "tcp"
        case .udp: return "udp"
        case .sctp: return "sctp"
        }
    }

    public init?(name: String) {
        switch name.lowercased() {
        case "tcp": self = .tcp
        case "udp": self = .udp
        case "sctp": self = .sctp
        default: return nil
        }
    }
}
