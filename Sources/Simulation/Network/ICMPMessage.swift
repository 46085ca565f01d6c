import LVSModel

/// An ICMP message of the kinds IPVS and the hosts around it send.
///
/// Error messages quote the offending packet's IP header and first 8 bytes
/// (its ports), which is what lets the receiver match them to a socket.
public struct ICMPMessage: Hashable, Sendable, Codable {
    /// The message type and its parameters.
    public enum Kind: Hashable, Sendable, Codable {
        case echoRequest
        case echoReply
        /// Type 3 code 3: no socket for the quoted packet, or IPVS found no
        /// destination for it.
        case portUnreachable
        /// Type 3 code 2: the receiver does not speak the quoted protocol
        /// (for example IPIP without a tunnel device).
        case protocolUnreachable
        /// Type 3 code 4: DF set and larger than the next hop's MTU.
        case fragmentationNeeded(nextHopMTU: Int)
        /// Type 11 code 0: TTL reached zero in transit.
        case timeExceeded
        /// Type 5 code 1: "reach this destination through `gateway`".
        case hostRedirect(gateway: IPAddress)

        /// The ICMP type and code numbers.
        public var typeAndCode: (type: UInt8, code: UInt8) {
            switch self {
            case .echoRequest: return (8, 0)
            case .echoReply: return (0, 0)
            case .portUnreachable: return (3, 3)
            case .protocolUnreachable: return (3, 2)
            case .fragmentationNeeded: return (3, 4)
            case .timeExceeded: return (11, 0)
            case .hostRedirect: return (5, 1)
            }
        }

        /// Whether this kind reports an error about another packet.
        public var isError: Bool {
            switch self {
            case .echoRequest, .echoReply: return false
            default: return true
            }
        }
    }

    /// The header of the packet an error is about, and its ports.
    public struct Quote: Hashable, Sendable, Codable {
        public var ip: IPv4Header
        public var sourcePort: UInt16
        public var destinationPort: UInt16
        /// How many bytes of the original packet the error carries.
        public var length: Int

        public init(ip: IPv4Header, sourcePort: UInt16, destinationPort: UInt16, length: Int) {
            self.ip = ip
            self.sourcePort = sourcePort
            self.destinationPort = destinationPort
            self.length = length
        }
    }

    public var kind: Kind
    /// The quoted packet; nil for echo messages.
    public var quote: Quote?

    public init(kind: Kind, quote: Quote? = nil) {
        self.kind = kind
        self.quote = quote
    }

    /// The 8-byte ICMP header length.
    public static let headerLength = 8

    /// The most an error quotes of the original packet: Linux `icmp_send`
    /// keeps the whole error within 576 bytes, so 576 − 20 − 8 = 548.
    public static let maximumQuoteLength = 548

    /// The ICMP header plus the quoted bytes.
    public var length: Int { ICMPMessage.headerLength + (quote?.length ?? 0) }
}
