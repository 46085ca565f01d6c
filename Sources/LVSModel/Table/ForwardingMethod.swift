/// How the director hands a connection to a real server (the "Forward"
/// column of `ipvsadm -L`).
public enum ForwardingMethod: UInt8, Hashable, Sendable, Codable, CaseIterable {
    /// NAT (`-m`, "Masq"): destination rewritten inbound, source outbound.
    case masquerade = 0
    /// The director itself serves the connection ("Local"); only a listing name.
    case local = 1
    /// IP-in-IP and friends (`-i`, "Tunnel").
    case tunnel = 2
    /// Direct routing / gatewaying (`-g`, "Route"), ipvsadm's default.
    case directRouting = 3

    /// The Forward column text.
    public var listingName: String {
        switch self {
        case .masquerade: return "Masq"
        case .local: return "Local"
        case .tunnel: return "Tunnel"
        case .directRouting: return "Route"
        }
    }

    /// The ipvsadm option that selects it (`-m`, `-g`, `-i`).
    public var ipvsadmFlag: String {
        switch self {
        case .masquerade: return "-m"
        case .local, .directRouting: return "-g"
        case .tunnel: return "-i"
        }
    }

    /// Whether the director sees the replies (only NAT does): masquerade and local,
    /// the two lowest raw values.
    @inlinable
    public var seesReplies: Bool { rawValue <= ForwardingMethod.local.rawValue }
}

/// The encapsulation of a tunnelling real server (`--tun-type`).
public enum TunnelType: UInt8, Hashable, Sendable, Codable {
    case ipip = 0
    case gue = 1
    case gre = 2

    public var name: String {
        switch self {
        case .ipip: return "ipip"
        case .gue: return "gue"
        case .gre: return "gre"
        }
    }
}

/// Tunnel checksum options (`--tun-nocsum`, `--tun-csum`, `--tun-remcsum`).
public enum TunnelChecksum: UInt8, Hashable, Sendable, Codable {
    case unset = 0
    case none = 1
    case checksum = 2
    case remoteChecksum = 4
}

/// A tunnelling real server's encapsulation settings.
public struct TunnelConfig: Hashable, Sendable, Codable {
    public var type: TunnelType
    /// Destination UDP port of GUE encapsulation (0 = none).
    public var port: UInt16
    public var checksum: TunnelChecksum

    public init(type: TunnelType = .ipip, port: UInt16 = 0, checksum: TunnelChecksum = .unset) {
        self.type = type
        self.port = port
        self.checksum = checksum
    }

    public static let ipip = TunnelConfig()
}
