import LVSModel

/// The scope of an interface address, as `ip addr` shows it.
public enum AddressScope: UInt8, Hashable, Sendable, Codable, Comparable {
    /// Valid everywhere (`scope global`, RT_SCOPE_UNIVERSE).
    case global = 0
    /// Valid on the attached link only (`scope link`).
    case link = 253
    /// Valid inside the host only (`scope host`; iproute2 gives 127/8 this scope).
    case host = 254

    public static func < (lhs: AddressScope, rhs: AddressScope) -> Bool { lhs.rawValue < rhs.rawValue }
}

/// One IPv4 address configured on an interface, with its prefix and label.
///
/// The label is what `ifconfig` calls an alias (`lo:0`, `eth0:0`): in Linux an
/// alias is only a label on an address of the underlying device, so ARP and
/// routing decisions use the device, never the label.
public struct InterfaceAddress: Hashable, Sendable {
    public var address: IPAddress
    /// Prefix length: 32 for a host address such as a VIP on `lo:0`.
    public var prefixLength: Int
    /// The label (`lo:0`), or the device name when the address has no alias.
    public var label: String
    public var scope: AddressScope

    public init(_ address: IPAddress, prefixLength: Int, label: String, scope: AddressScope? = nil) {
        self.address = address
        self.prefixLength = prefixLength
        self.label = label
        self.scope = scope ?? (address.isIPv4Loopback ? .host : .global)
    }

    /// The network part (`192.168.10.0` for `192.168.10.254/24`).
    public var network: IPAddress { address.masked(prefixLength: prefixLength) }

    /// Whether `other` is in this address's subnet (kernel `inet_ifa_match`).
    public func contains(_ other: IPAddress) -> Bool {
        other.family == address.family && other.masked(prefixLength: prefixLength) == network
    }
}

extension InterfaceAddress: CustomStringConvertible {
    /// `192.168.10.254/24 (eth1)` or `202.99.59.110/32 (lo:0)`.
    public var description: String { "\(address)/\(prefixLength) (\(label))" }
}
