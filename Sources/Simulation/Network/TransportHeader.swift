import LVSModel

/// The layer-4 header of a ``Packet``.
public enum TransportHeader: Hashable, Sendable, Codable {
    case tcp(TCPHeader)
    case udp(UDPHeader)
    case icmp(ICMPMessage)

    /// The IP protocol number that carries this header.
    public var protocolNumber: IPProtocolNumber {
        switch self {
        case .tcp: return .tcp
        case .udp: return .udp
        case .icmp: return .icmp
        }
    }

    /// The header length in bytes (for ICMP, including any quoted packet).
    public var length: Int {
        switch self {
        case .tcp: return TCPHeader.length
        case .udp: return UDPHeader.length
        case .icmp(let message): return message.length
        }
    }

    /// The source port, or nil for ICMP.
    public var sourcePort: UInt16? {
        get {
            switch self {
            case .tcp(let header): return header.sourcePort
            case .udp(let header): return header.sourcePort
            case .icmp: return nil
            }
        }
        set {
            guard let newValue else { return }
            switch self {
            case .tcp(var header): header.sourcePort = newValue; self = .tcp(header)
            case .udp(var header): header.sourcePort = newValue; self = .udp(header)
            case .icmp: break
            }
        }
    }

    /// The destination port, or nil for ICMP.
    public var destinationPort: UInt16? {
        get {
            switch self {
            case .tcp(let header): return header.destinationPort
            case .udp(let header): return header.destinationPort
            case .icmp: return nil
            }
        }
        set {
            guard let newValue else { return }
            switch self {
            case .tcp(var header): header.destinationPort = newValue; self = .tcp(header)
            case .udp(var header): header.destinationPort = newValue; self = .udp(header)
            case .icmp: break
            }
        }
    }

    /// The TCP header, if this is TCP.
    public var tcp: TCPHeader? {
        if case .tcp(let header) = self { return header }
        return nil
    }

    /// The ICMP message, if this is ICMP.
    public var icmp: ICMPMessage? {
        if case .icmp(let message) = self { return message }
        return nil
    }
}
