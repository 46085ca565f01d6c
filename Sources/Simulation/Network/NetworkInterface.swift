import LVSModel

/// A network device of a simulated host: `eth0`, `lo`, `tunl0`.
public struct NetworkInterface: Hashable, Sendable {
    /// What sort of device it is, which decides how it takes part in ARP.
    public enum Kind: Hashable, Sendable {
        /// An Ethernet device: ARPs, has a MAC.
        case ethernet
        /// The loopback device: never sends or receives ARP.
        case loopback
        /// The IPIP fallback device `tunl0` (module `ipip`): decapsulates
        /// protocol-4 packets addressed to a local address.
        case ipipTunnel
    }

    /// The device name (`eth0`), never an alias label.
    public var name: String
    public var kind: Kind
    /// The MAC address; ``MACAddress/zero`` for `lo` and `tunl0`.
    public var mac: MACAddress
    /// Addresses in configuration order; the first in each subnet is the primary.
    public var addresses: [InterfaceAddress]
    /// Link MTU in bytes.
    public var mtu: Int
    /// Whether the device is up (`ip link set up`).
    public var isUp: Bool
    public var sysctls: InterfaceSysctls

    public init(
        name: String, kind: Kind = .ethernet, mac: MACAddress = .zero, addresses: [InterfaceAddress] = [],
        mtu: Int? = nil, isUp: Bool = true, sysctls: InterfaceSysctls = .kernelDefaults
    ) {
        self.name = name
        self.kind = kind
        self.mac = mac
        self.addresses = addresses
        self.mtu = mtu ?? (kind == .loopback ? 65536 : (kind == .ipipTunnel ? 1480 : 1500))
        self.isUp = isUp
        self.sysctls = sysctls
    }

    /// Whether `address` is configured on this device (under any label).
    public func hasAddress(_ address: IPAddress) -> Bool {
        addresses.contains { $0.address == address }
    }

    /// Addresses that are the first of their subnet on this device; later
    /// ones in the same subnet are secondaries, which `arp_announce=2` avoids.
    public var primaryAddresses: [InterfaceAddress] {
        var result: [InterfaceAddress] = []
        for candidate in addresses
        where !result.contains(where: { $0.prefixLength == candidate.prefixLength && $0.contains(candidate.address) }) {
            result.append(candidate)
        }
        return result
    }
}
