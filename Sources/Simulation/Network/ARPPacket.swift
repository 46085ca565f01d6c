import LVSModel

/// An ARP packet for IPv4 over Ethernet, with the frame header it travels in.
///
/// A gratuitous ARP is one whose sender and target IP are both the address
/// being announced (`arping -U` sends it as a request, `arping -A` as a reply);
/// keepalived sends them when a director takes over the VIP.
public struct ARPPacket: Hashable, Sendable {
    /// The ARP operation.
    public enum Operation: UInt16, Hashable, Sendable, Codable {
        case request = 1
        case reply = 2
    }

    /// The frame header: broadcast for requests and gratuitous ARP, unicast for replies.
    public var ethernet: EthernetHeader
    public var operation: Operation
    public var senderMAC: MACAddress
    public var senderIP: IPAddress
    /// Zero in requests.
    public var targetMAC: MACAddress
    public var targetIP: IPAddress

    public init(
        ethernet: EthernetHeader, operation: Operation, senderMAC: MACAddress, senderIP: IPAddress,
        targetMAC: MACAddress, targetIP: IPAddress
    ) {
        self.ethernet = ethernet
        self.operation = operation
        self.senderMAC = senderMAC
        self.senderIP = senderIP
        self.targetMAC = targetMAC
        self.targetIP = targetIP
    }

    /// A broadcast "who has `targetIP`? tell `senderIP`".
    public static func request(senderMAC: MACAddress, senderIP: IPAddress, targetIP: IPAddress) -> ARPPacket {
        ARPPacket(
            ethernet: EthernetHeader(source: senderMAC, destination: .broadcast, etherType: .arp),
            operation: .request, senderMAC: senderMAC, senderIP: senderIP, targetMAC: .zero, targetIP: targetIP)
    }

    /// The unicast answer to `request` from the host owning `mac`.
    public static func reply(to request: ARPPacket, with mac: MACAddress) -> ARPPacket {
        ARPPacket(
            ethernet: EthernetHeader(source: mac, destination: request.senderMAC, etherType: .arp),
            operation: .reply, senderMAC: mac, senderIP: request.targetIP,
            targetMAC: request.senderMAC, targetIP: request.senderIP)
    }

    /// A broadcast announcement that `address` is now at `mac`.
    public static func gratuitous(
        address: IPAddress, mac: MACAddress, operation: Operation = .request
    ) -> ARPPacket {
        ARPPacket(
            ethernet: EthernetHeader(source: mac, destination: .broadcast, etherType: .arp),
            operation: operation, senderMAC: mac, senderIP: address,
            targetMAC: operation == .request ? .zero : .broadcast, targetIP: address)
    }

    /// Whether sender and target IP are the same address (an announcement).
    public var isGratuitous: Bool { senderIP == targetIP }

    /// The 28-byte ARP payload length for IPv4 over Ethernet.
    public static let length = 28
}
