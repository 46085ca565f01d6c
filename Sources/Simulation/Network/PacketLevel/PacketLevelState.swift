import LVSModel

/// Event kinds of the packet level (the connection level uses 0–9).
enum PacketEventKind {
    /// A frame (`a` = frame index) reaches the device (`b` = port index) it was sent to.
    static let frameArrives: UInt32 = 20
    /// An ARP request (`a` = pending resolution index, `b` = its generation) got no answer yet.
    static let arpRetry: UInt32 = 21
    /// A client's retransmission timer (`a` = connection slot, `b` = slot generation).
    static let clientTimer: UInt32 = 22
    /// Host `a` brings its devices up: gratuitous ARP on those with `arp_notify`.
    static let announce: UInt32 = 23
    /// The flow of frames that belong to no connection (gratuitous ARP); traced with any connection.
    static let announceFlow: UInt64 = .max - 1
}

/// One frame in flight: an IP packet or an ARP packet, with the connection
/// it is about (for traces) and the hop record that shows it (when tracing).
struct Frame {
    var packet: Packet
    var arp: ARPPacket?
    /// `slot | generation << 32` of the connection the frame belongs to or was sent for.
    var flow: UInt64
    /// Index of the frame's hop in the trace, or -1.
    var hop: Int32
}

/// A device plugged into a segment, with its transmit FIFO.
struct Port {
    var host: Int32
    var segment: Int32
    var device: String
    var mac: MACAddress
    /// When the device finishes sending everything queued so far (ns).
    var busyUntil: Int64
}

/// An ARP resolution in progress on one host: the frames waiting for it.
struct PendingResolution {
    var host: Int32
    var port: Int32
    var target: IPAddress
    var tries: UInt8
    var generation: UInt32
    var frames: [Int32]
    var request: ARPPacket
    var flow: UInt64
    var isLive: Bool
}

/// The TCP endpoints of one connection (client and server side), by slot.
struct Flow {
    var generation: UInt32 = 0
    /// Client: 0 none, 1 SYN sent, 2 established, 3 FIN sent, 4 done.
    var client: UInt8 = 0
    /// Server: 0 none, 1 SYN received, 2 established, 3 request complete, 4 response sent, 5 closed.
    var server: UInt8 = 0
    var synTries: UInt8 = 0
    /// The real-server host serving the connection (-1 none).
    var serverHost: Int16 = -1
    /// The client's segment size (lowered by ICMP fragmentation-needed).
    var clientMSS: UInt16 = 1460
    var clientISN: UInt32 = 0
    var serverISN: UInt32 = 0
    /// Request bytes the server received in order; response bytes the client received in order.
    var requestReceived: Int32 = 0
    var responseReceived: Int32 = 0
    var responseSegments: Int32 = 0
    /// The address:port the server's socket answers from (VIP:vport for DR/TUN, RIP:rport for NAT).
    var serverAddress: IPAddress = .v4(0)
    var serverPort: UInt16 = 0
    var lastByteAt: Int64 = -1
    /// When the client last heard from the service; its live timer.
    var lastProgress: Int64 = 0
    var timerAt: Int64 = .max
}

/// The packet-level half of the cluster model: hosts, segments, ARP caches,
/// frames in flight and the TCP endpoints (`docs/packet-level.md`).
struct PacketLevelState {
    var enabled = false
    var hosts: [NetworkHost] = []
    var names: [String] = []
    var segments: [NetworkTopology.Segment] = []
    var ports: [Port] = []
    /// Per host: device name → port.
    var portOfDevice: [[String: Int32]] = []
    /// Per segment: MAC → port (a switch's forwarding table).
    var portOfMAC: [[MACAddress: Int32]] = []
    /// The same tables flat, scanned linearly (a handful of devices per
    /// segment): segment `s` owns `macPorts[macStart[s] ..< macStart[s + 1]]`.
    var macPorts: [MACPort] = []
    var macStart: [Int32] = []
    /// Per host: its routing table, built once (configurations do not change during a run).
    var routingTables: [RoutingTable] = []
    /// The FIFO timer list of the first SYN's 1 s retransmission timer (made on first use).
    var synList: TimerListID? = nil
    /// Per segment × {60-byte, other}: the frame size last serialised and its nanoseconds.
    var serialisationBytes: [Int] = []
    var serialisationNanoseconds: [Int64] = []
    /// The director's `ip_forward`.
    var directorForwards = false
    var arp: [ARPCache] = []
    /// Per host: bumped whenever an ARP packet changes or refreshes its cache.
    var arpGeneration: [UInt32] = []
    var pendingByHost: [[IPAddress: Int32]] = []
    var pending: [PendingResolution] = []
    var freePending: [Int32] = []
    /// Per host: destination → route and the port of its device (-1: not on a segment).
    var routes: [[RouteKey: CachedRoute]] = []
    /// ``PacketReceiver`` verdicts by (port, addresses): a pure function of them and the host.
    var receiveMemo: [ReceiveKey: ReceiveMemo] = [:]
    /// Direct-mapped fronts of `routes` and `receiveMemo` (a multiplicative hash
    /// instead of SipHash; a miss falls back to the dictionary).
    /// Empty at connection level; `frontSize` entries each at packet level.
    var routeFront: [RouteFrontEntry] = []
    var receiveFront: [ReceiveFrontEntry] = []
    static let frontSize = 1 << 15
    /// Entries `receiveMemo` and each host's `routes` may hold before they are emptied (pure caches).
    static let memoLimit = 1 << 16
    /// Per director server index: how ``DirectorForwarder`` sent its last inbound packet.
    var inboundTemplates: [InboundTemplate?] = []
    var frames: [Frame] = []
    var freeFrames: [Int32] = []
    var flows: [Flow] = []
    /// Director server index → host; host → director server index (-1).
    var hostOfServer: [Int] = []
    var serverOfHost: [Int] = []
    /// The port each real-server host listens on.
    var listenPort: [UInt16] = []
    /// Notes and rewritten fields of traced frames waiting for ARP.
    var heldNotes: [Int32: (String, [PacketField])] = [:]
    var forwarder = DirectorForwarder(host: NetworkHost(name: ""))
    var vipPort: UInt16 = 0
    var mss = 1460
    var requestBytes = 300
    var responseBytes = 20000
    var dontFragment = true
    var ipID: UInt16 = 0
    /// The run's seed (ARP reply delays).
    var seed: UInt64 = 0
    /// Packet events handled (frame arrivals, ARP and client timers).
    var events = 0
    /// Tracing: the connection sequence (0-based) to follow, its flow once known, the hops.
    var traceSequence: Int32 = -1
    var traceFlow: UInt64 = .max
    var traceDone = false
    var hops: [PacketHop] = []
    var schedulerName = ""

    @inline(__always) var tracing: Bool { traceSequence >= 0 }
}

/// A device's MAC and port, one row of a segment's forwarding table.
struct MACPort {
    var mac: UInt64
    var port: Int32
}

/// What the packet path uses of a ``RouteDecision``: plain values, no
/// interface name (the port stands for it), so copies need no retain.
struct CachedDecision {
    var nextHop: IPAddress
    var isLocal: Bool
    var mtu: Int
}

/// A route lookup result with the port its device is plugged into.
struct CachedRoute {
    var decision: CachedDecision
    var port: Int32
    /// The next hop's MAC as the host's ARP cache gave it, usable until
    /// `macValidUntil` while the cache's generation is still `macGeneration`.
    var mac: MACAddress = .zero
    var macValidUntil: Int64 = .min
    var macGeneration: UInt32 = 0
}

/// What identifies a ``PacketReceiver`` verdict: the arrival port and the addresses.
struct ReceiveKey: Hashable {
    var port: Int32
    var hasOuter: Bool
    var outerSource: UInt32
    var outerDestination: UInt32
    var source: UInt32
    var destination: UInt32

    /// Two words instead of six fields: one hash round less per lookup.
    func hash(into hasher: inout Hasher) {
        hasher.combine(UInt64(source) << 32 | UInt64(destination))
        hasher.combine(UInt64(outerSource) << 32 | UInt64(outerDestination) ^ UInt64(UInt32(bitPattern: port)) << 1)
    }
}

/// A remembered ``ReceiveVerdict`` without its packet.
enum ReceiveMemo {
    /// Delivered locally (after stripping the IPIP header, if any).
    case deliver
    case forward
    case drop(DropReason)
}

/// ``DirectorForwarder/forwardInbound(_:to:method:identification:)`` for one real
/// server, remembered from its first result: the same rewrite applies to every
/// later packet that passes the same checks (TTL > 1, fits the MTU, next hop resolved).
struct InboundTemplate {
    var destination: Endpoint
    var method: ForwardingMethod
    var port: Int32
    var sourceMAC: MACAddress
    var nextHop: IPAddress
    /// The MTU the packet is checked against (tunnel overhead deducted; Int.max: no check).
    var mtu: Int
    var outerSource: IPAddress?
    var rewritten: [PacketField]
    /// The next hop's MAC as the director's ARP cache gave it, usable until
    /// `macValidUntil` while the cache's generation is still `macGeneration`.
    var mac: MACAddress = .zero
    var macValidUntil: Int64 = .min
    var macGeneration: UInt32 = 0
}

/// A route-cache key: an IPv4 address as its 32 bits (IPv6 folded, never used at packet level).
struct RouteKey: Hashable {
    var raw: UInt32
    init(_ address: IPAddress) {
        if case .v4(let value) = address { raw = value } else { raw = address.folded }
    }
    func hash(into hasher: inout Hasher) { hasher.combine(raw) }
}

struct RouteFrontEntry {
    var host: Int32 = -1
    var destination: UInt32 = 0
    var route: CachedRoute? = nil
}

struct ReceiveFrontEntry {
    var key: ReceiveKey? = nil
    var memo: ReceiveMemo = .forward
}

extension ReceiveKey {
    /// A cheap mix of the key for the direct-mapped front.
    @inline(__always) var slot: Int {
        var x = (UInt64(source) << 32 | UInt64(destination)) &* 0x9E37_79B9_7F4A_7C15
        x ^= (UInt64(outerSource) << 32 | UInt64(outerDestination)) &* 0xC2B2_AE3D_27D4_EB4F
        x ^= UInt64(UInt32(bitPattern: port)) &* 0x1656_67B1_9E37_79F9
        return Int(truncatingIfNeeded: x >> 49)
    }
}
