import LVSModel

/// One packet crossing one link: what `lvssim trace` prints per row.
///
/// A hop is recorded when a frame leaves a host onto an L2 segment (the
/// `link`), with the frame exactly as it is on the wire there. `rewritten`
/// names the header fields the sending host changed relative to the frame it
/// received (empty for a packet the host originated). Dropped packets and
/// ICMP errors are hops too; `note` says what happened ("director: NAT to
/// rs1", "dropped: rp_filter=1 on tunl0 …").
public struct PacketHop: Hashable, Sendable {
    /// The kind of payload the frame carries.
    public enum Proto: String, Hashable, Sendable, Codable {
        case tcp, udp, icmp, arp
    }

    /// The IPIP outer header of a tunnelled packet (LVS-TUN), as on the wire.
    public struct Outer: Hashable, Sendable {
        public var sourceIP: IPAddress
        public var destinationIP: IPAddress
        public var dontFragment: Bool
        public init(sourceIP: IPAddress, destinationIP: IPAddress, dontFragment: Bool) {
            self.sourceIP = sourceIP
            self.destinationIP = destinationIP
            self.dontFragment = dontFragment
        }
    }

    /// The ARP fields of an ARP frame.
    public struct ARPFields: Hashable, Sendable {
        public var operation: ARPPacket.Operation
        public var senderMAC: MACAddress
        public var senderIP: IPAddress
        public var targetMAC: MACAddress
        public var targetIP: IPAddress
        public init(
            operation: ARPPacket.Operation, senderMAC: MACAddress, senderIP: IPAddress, targetMAC: MACAddress,
            targetIP: IPAddress
        ) {
            self.operation = operation
            self.senderMAC = senderMAC
            self.senderIP = senderIP
            self.targetMAC = targetMAC
            self.targetIP = targetIP
        }
    }

    /// Simulated time the frame starts onto the link (nanoseconds).
    public var timeNanoseconds: Int64
    /// The L2 segment's name (from the scenario's `network.segments`).
    public var link: String
    /// Sending host's name ("client", "router", "director", a real server's name).
    public var from: String
    /// Receiving host's name, or "*" for a broadcast nobody in particular receives.
    public var to: String
    public var sourceMAC: MACAddress
    public var destinationMAC: MACAddress
    public var proto: Proto
    /// Inner IP header addresses (nil for ARP).
    public var sourceIP: IPAddress?
    public var destinationIP: IPAddress?
    /// Transport ports (nil for ARP and ICMP).
    public var sourcePort: UInt16?
    public var destinationPort: UInt16?
    /// TCP flags in the kernel's order, e.g. "SYN", "SYN,ACK", "PSH,ACK" ("" when not TCP).
    public var flags: String
    /// TCP sequence and acknowledgement numbers (nil when not TCP).
    public var sequence: UInt32?
    public var acknowledgement: UInt32?
    /// Application bytes carried.
    public var payloadLength: Int
    /// The IP length on the wire (outer header included), compared with the MTU.
    public var ipLength: Int
    public var outer: Outer?
    public var arp: ARPFields?
    /// Header fields the sending host rewrote (``PacketField`` names, header order).
    public var rewritten: [PacketField]
    /// What happened, in words.
    public var note: String

    public init(
        timeNanoseconds: Int64, link: String, from: String, to: String, sourceMAC: MACAddress,
        destinationMAC: MACAddress, proto: Proto, sourceIP: IPAddress? = nil, destinationIP: IPAddress? = nil,
        sourcePort: UInt16? = nil, destinationPort: UInt16? = nil, flags: String = "", sequence: UInt32? = nil,
        acknowledgement: UInt32? = nil, payloadLength: Int = 0, ipLength: Int = 0, outer: Outer? = nil,
        arp: ARPFields? = nil, rewritten: [PacketField] = [], note: String = ""
    ) {
        self.timeNanoseconds = timeNanoseconds
        self.link = link
        self.from = from
        self.to = to
        self.sourceMAC = sourceMAC
        self.destinationMAC = destinationMAC
        self.proto = proto
        self.sourceIP = sourceIP
        self.destinationIP = destinationIP
        self.sourcePort = sourcePort
        self.destinationPort = destinationPort
        self.flags = flags
        self.sequence = sequence
        self.acknowledgement = acknowledgement
        self.payloadLength = payloadLength
        self.ipLength = ipLength
        self.outer = outer
        self.arp = arp
        self.rewritten = rewritten
        self.note = note
    }

    /// The hop of an IP packet as it is on the wire.
    public init(
        packet: Packet, timeNanoseconds: Int64, link: String, from: String, to: String,
        rewritten: [PacketField] = [], note: String = ""
    ) {
        let proto: Proto
        var flags = ""
        var sequence: UInt32?
        var acknowledgement: UInt32?
        switch packet.transport {
        case .tcp(let tcp):
            proto = .tcp
            flags = tcp.flags.traceDescription
            sequence = tcp.sequenceNumber
            acknowledgement = tcp.acknowledgementNumber
        case .udp: proto = .udp
        case .icmp: proto = .icmp
        }
        self.init(
            timeNanoseconds: timeNanoseconds, link: link, from: from, to: to, sourceMAC: packet.ethernet.source,
            destinationMAC: packet.ethernet.destination, proto: proto, sourceIP: packet.ip.source,
            destinationIP: packet.ip.destination, sourcePort: packet.transport.sourcePort,
            destinationPort: packet.transport.destinationPort, flags: flags, sequence: sequence,
            acknowledgement: acknowledgement, payloadLength: packet.payloadLength, ipLength: packet.ipLength,
            outer: packet.outer.map {
                Outer(sourceIP: $0.source, destinationIP: $0.destination, dontFragment: $0.dontFragment)
            }, rewritten: rewritten, note: note)
    }

    /// The hop of an ARP frame.
    public init(arp packet: ARPPacket, timeNanoseconds: Int64, link: String, from: String, to: String, note: String = "")
    {
        self.init(
            timeNanoseconds: timeNanoseconds, link: link, from: from, to: to, sourceMAC: packet.ethernet.source,
            destinationMAC: packet.ethernet.destination, proto: .arp, ipLength: ARPPacket.length,
            arp: ARPFields(
                operation: packet.operation, senderMAC: packet.senderMAC, senderIP: packet.senderIP,
                targetMAC: packet.targetMAC, targetIP: packet.targetIP), note: note)
    }
}

extension TCPFlags {
    /// The flags as a trace shows them, in tcpdump's order: "SYN", "SYN,ACK", "FIN,ACK", "RST".
    public var traceDescription: String {
        var names: [String] = []
        if contains(.syn) { names.append("SYN") }
        if contains(.fin) { names.append("FIN") }
        if contains(.rst) { names.append("RST") }
        if contains(.psh) { names.append("PSH") }
        if contains(.ack) { names.append("ACK") }
        return names.joined(separator: ",")
    }
}
