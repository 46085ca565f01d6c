import LVSModel

extension IPAddress {
    /// Whether this is an IPv4 loopback address (127.0.0.0/8).
    var isIPv4Loopback: Bool {
        if case .v4(let value) = self { return value >> 24 == 127 }
        return false
    }
}
