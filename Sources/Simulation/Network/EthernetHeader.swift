import LVSModel

/// The EtherType values the simulator puts in Ethernet frames.
public enum EtherType: UInt16, Hashable, Sendable, Codable {
    /// IPv4 (`ETH_P_IP`).
    case ipv4 = 0x0800
    /// ARP (`ETH_P_ARP`).
    case arp = 0x0806
}

/// An Ethernet II header: the link-layer addressing of one hop.
///
/// DR rewrites only this header on the director (the destination becomes the
/// real server's MAC, the source the director's egress MAC); every other
/// method also readdresses it on each hop, as any router does.
public struct EthernetHeader: Hashable, Sendable, Codable {
    /// The sender's MAC (the egress interface of the hop).
    public var source: MACAddress
    /// The receiver's MAC, or ``MACAddress/broadcast`` for ARP requests.
    public var destination: MACAddress
    /// What the frame carries.
    public var etherType: EtherType

    public init(source: MACAddress, destination: MACAddress, etherType: EtherType = .ipv4) {
        self.source = source
        self.destination = destination
        self.etherType = etherType
    }

    /// The 14-byte header length (no VLAN tag, no FCS).
    public static let length = 14
}
