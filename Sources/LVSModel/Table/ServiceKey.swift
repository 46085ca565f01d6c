/// What identifies a virtual service: protocol, VIP and port, or a firewall
/// mark and address family.
public enum ServiceKey: Hashable, Sendable, Codable {
    case address(TransportProtocol, Endpoint)
    case fwmark(UInt32, AddressFamily)

    public var family: AddressFamily {
        switch self {
        case .address(_, let endpoint): return endpoint.address.family
        case .fwmark(_, let family): return family
        }
    }

    public var isFirewallMark: Bool {
        if case .fwmark = self { return true }
        return false
    }

    /// The service port (0 for firewall-mark services).
    public var port: UInt16 {
        if case .address(_, let endpoint) = self { return endpoint.port }
        return 0
    }

    /// The protocol the kernel stores: fwmark services are stored as TCP.
    public var storedProtocol: TransportProtocol {
        if case .address(let proto, _) = self { return proto }
        return .tcp
    }

    /// The bucket of the kernel's 256-entry service hash tables, which
    /// decides the order of `ipvsadm -L --nosort`. The kernel also mixes in
    /// the address of the network namespace (`ipvs >> 8`); that salt is
    /// applied by ``IPVSTable/kernelOrder`` (``IPVSTable/kernelHashSalt``).
    public var kernelHashBucket: Int {
        switch self {
        case .address(let proto, let endpoint):
            let port = UInt32(endpoint.port)
            return Int((UInt32(proto.rawValue) ^ endpoint.address.folded ^ (port >> 8) ^ port) & 0xFF)
        case .fwmark(let mark, _):
            return Int(mark & 0xFF)
        }
    }
}

extension ServiceKey: CustomStringConvertible {
    /// `tcp 10.0.0.1:80` or `fwmark:5`, as traces and error messages name services.
    public var description: String {
        switch self {
        case .address(let proto, let endpoint): return "\(proto.name) \(endpoint)"
        case .fwmark(let mark, let family): return family == .inet6 ? "fwmark:\(mark) IPv6" : "fwmark:\(mark)"
        }
    }
}
