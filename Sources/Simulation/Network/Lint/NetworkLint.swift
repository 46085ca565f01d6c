import LVSModel

/// Static checks of an LVS cluster's host configuration: the settings of
/// spec §8 (host settings checklist) that, when wrong, produce the failures
/// of §9 — the ARP problem, replies bypassing a NAT director, missing VIPs,
/// strict reverse-path filtering on `tunl0`, the IPIP path MTU and ignored
/// port mappings.
///
/// A pure function of the hosts (``NetworkHost``) and the director's service;
/// every decision is made with the same host model the packet simulation
/// uses (``ARPPolicy``, ``NetworkHost/route(to:)``,
/// ``NetworkHost/effectiveSysctls(on:)``), so a finding here is a failure the
/// simulation will show.
///
/// Filling ``Input`` from a built topology (the `network` section):
/// - `director`, `router`: the built hosts (addresses, aliases, `tunl0`,
///   sysctls, `gateway` as a default route, `routes`, `ip_forward`);
/// - `realServers`: one ``RealServer`` per destination of the service in the
///   director's table — the host whose interfaces hold the RIP, the rule's
///   port and forwarding method (`.masquerade`, `.directRouting`, `.tunnel`);
/// - `vip`, `vipPort`: the scenario's virtual service;
/// - `clientNetwork`/`clientPrefixLength`: the scenario's `clients.subnet`
///   (or the first client address with prefix 32), `clientSegment`:
///   `network.clients.segment`;
/// - `segments`: ``Input/attach(_:device:to:)`` for every interface entry with
///   a `segment` (device = the label up to `:`), `segmentMTU`: each
///   segment's `mtu`;
/// - `mss`, `clientDontFragment`: `network.mss`, `network.client_dont_fragment`.
///
/// `lvssim validate` prints each finding's `description`
/// (`error: rs1: net.ipv4.conf.all.arp_ignore: … — fix: …`); ``NetworkFinding/detail``
/// has the problem, symptom and fix on separate lines.
public enum NetworkLint {
    /// One real server of the service, with the forwarding method its rule asks for.
    public struct RealServer: Hashable, Sendable {
        public var host: NetworkHost
        /// The address the director's rule names (`-r RIP:port`).
        public var rip: IPAddress
        /// The rule's real-server port.
        public var port: UInt16
        /// `.masquerade` (NAT), `.directRouting` (DR) or `.tunnel` (TUN).
        public var forwarding: ForwardingMethod

        public init(host: NetworkHost, rip: IPAddress, port: UInt16, forwarding: ForwardingMethod) {
            self.host = host
            self.rip = rip
            self.port = port
            self.forwarding = forwarding
        }
    }

    /// A device of a host, as a key of ``Input/segments``.
    public struct Attachment: Hashable, Sendable {
        public var host: String
        public var device: String

        public init(host: String, device: String) {
            self.host = host
            self.device = device
        }
    }

    /// Everything the checks look at. Fill it from a built topology: the
    /// hosts, which L2 segment each Ethernet device is plugged into, the
    /// segments' MTUs, the clients' network and the service.
    public struct Input: Hashable, Sendable {
        public var director: NetworkHost
        /// The router between the clients and the cluster (it is the one that
        /// ARPs for the VIP); nil when the clients share the director's segment.
        public var router: NetworkHost?
        public var realServers: [RealServer]
        /// The virtual service address and port.
        public var vip: IPAddress
        public var vipPort: UInt16
        /// The clients' network (the scenario's `clients.subnet`).
        public var clientNetwork: IPAddress
        public var clientPrefixLength: Int
        /// The segment the clients live on (for their MTU), if known.
        public var clientSegment: String?
        /// Segment name of each Ethernet device (`lo` and `tunl0` have none).
        /// A device missing here is taken to be on no known segment, and
        /// checks that need its segment assume it is the relevant one.
        public var segments: [Attachment: String]
        /// MTU of each segment in bytes (missing: the devices' own MTUs only).
        public var segmentMTU: [String: Int]
        /// The TCP MSS the hosts advertise (the network section's `mss`).
        public var mss: Int
        /// Whether the clients set DF (Linux PMTU discovery: yes).
        public var clientDontFragment: Bool

        public init(
            director: NetworkHost, router: NetworkHost? = nil, realServers: [RealServer], vip: IPAddress,
            vipPort: UInt16, clientNetwork: IPAddress, clientPrefixLength: Int, clientSegment: String? = nil,
            segments: [Attachment: String] = [:], segmentMTU: [String: Int] = [:], mss: Int = 1460,
            clientDontFragment: Bool = true
        ) {
            self.director = director
            self.router = router
            self.realServers = realServers
            self.vip = vip
            self.vipPort = vipPort
            self.clientNetwork = clientNetwork.masked(prefixLength: clientPrefixLength)
            self.clientPrefixLength = clientPrefixLength
            self.clientSegment = clientSegment
            self.segments = segments
            self.segmentMTU = segmentMTU
            self.mss = mss
            self.clientDontFragment = clientDontFragment
        }

        /// Records that `device` of host `host` is plugged into `segment`.
        public mutating func attach(_ host: String, device: String, to segment: String) {
            segments[Attachment(host: host, device: device)] = segment
        }

        /// The segment `device` of host `host` is plugged into, if known.
        public func segment(of host: String, device: String) -> String? {
            segments[Attachment(host: host, device: device)]
        }

        /// A representative client address: the first host of the clients' network.
        public var sampleClient: IPAddress {
            if case .v4(let network) = clientNetwork, clientPrefixLength < 31 { return .v4(network &+ 1) }
            return clientNetwork
        }

        /// `172.16.0.0/16`.
        var clientNetworkText: String { "\(clientNetwork)/\(clientPrefixLength)" }
    }

    /// IPIP encapsulation overhead: one outer IPv4 header.
    public static let ipipOverhead = 20
    /// IPv4 + TCP headers without options, added to the MSS to get a full-size packet.
    public static let tcpIPHeaderBytes = 40

    /// All findings, director first, then the real servers in input order.
    public static func check(_ input: Input) -> [NetworkFinding] {
        var findings: [NetworkFinding] = []
        let nat = input.realServers.filter { $0.forwarding == .masquerade }
        if !nat.isEmpty {
            findings += natDirectorChecks(input, natServers: nat)
        }
        for server in input.realServers {
            switch server.forwarding {
            case .masquerade:
                findings += natRealServerChecks(input, server)
            case .directRouting:
                findings += directRoutingChecks(input, server)
            case .tunnel:
                findings += tunnelChecks(input, server)
            case .local:
                break
            }
        }
        var seen = Set<NetworkFinding>()
        return findings.filter { seen.insert($0).inserted }
    }
}
