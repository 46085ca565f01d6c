/// An address and port: `10.0.0.1:80` or `[2001:db8::1]:80`.
public struct Endpoint: Hashable, Sendable, Comparable {
    public var address: IPAddress
    public var port: UInt16

    public init(address: IPAddress, port: UInt16) {
        self.address = address
        self.port = port
    }

    /// Parses numeric `A.B.C.D:PORT`, `[v6]:PORT`, or, when `defaultPort` is
    /// given, a bare address. Names are resolved by the ipvsadm layer, not here.
    public init?<S: StringProtocol>(_ text: S, defaultPort: UInt16? = nil) {
        let text = Substring(text)
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), let address = IPAddress(text[text.index(after: text.startIndex)..<close]),
                address.family == .inet6
            else { return nil }
            let rest = text[text.index(after: close)...]
            if rest.isEmpty {
                guard let defaultPort else { return nil }
                self.init(address: address, port: defaultPort)
            } else {
                guard rest.hasPrefix(":"), let port = UInt16(rest.dropFirst()) else { return nil }
                self.init(address: address, port: port)
            }
            return
        }
        if let colon = text.lastIndex(of: ":"), text.firstIndex(of: ":") == colon {
            guard let address = IPAddress(text[..<colon]), address.family == .inet,
                let port = UInt16(text[text.index(after: colon)...])
            else { return nil }
            self.init(address: address, port: port)
            return
        }
        guard let defaultPort, let address = IPAddress(text) else { return nil }
        self.init(address: address, port: defaultPort)
    }

    public static func < (lhs: Endpoint, rhs: Endpoint) -> Bool {
        (lhs.address, lhs.port) < (rhs.address, rhs.port)
    }
}

extension Endpoint: CustomStringConvertible {
    /// `A.B.C.D:PORT` or `[v6]:PORT`, the form traces and ipvsadm use.
    public var description: String {
        switch address {
        case .v4: return "\(address):\(port)"
        case .v6: return "[\(address)]:\(port)"
        }
    }
}

extension Endpoint: Codable {
    public init(from decoder: Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let endpoint = Endpoint(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "bad endpoint \"\(text)\"")
        }
        self = endpoint
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}
