import LVSModel

extension Scenario {
    /// How finely a scenario is simulated.
    public enum Level: String, Sendable, CaseIterable {
        /// Connections go straight from client to director to real server (no network).
        case connection
        /// Every frame crosses the simulated segments (`docs/packet-level.md`).
        case packet
    }

    /// The `network` section of a scenario: segments, the client network, the
    /// router, the director and the real servers as hosts (`docs/packet-level.md`).
    public struct Network: Sendable, Equatable {
        /// An L2 segment (a switch).
        public struct Segment: Sendable, Equatable {
            public var name: String
            /// One-way propagation delay, microseconds.
            public var latencyMicroseconds: Double
            /// Bandwidth of each sending interface, Mbit/s.
            public var bandwidthMbps: Double
            public var mtu: Int

            public init(name: String, latencyMicroseconds: Double = 100, bandwidthMbps: Double = 1000, mtu: Int = 1500) {
                self.name = name
                self.latencyMicroseconds = latencyMicroseconds
                self.bandwidthMbps = bandwidthMbps
                self.mtu = mtu
            }
        }

        /// One address on a device (or alias label) of a host.
        public struct Interface: Sendable, Equatable {
            /// The device or alias label: `eth0`, `eth0:0`, `lo:0`, `tunl0`.
            public var device: String
            public var address: IPAddress
            public var prefixLength: Int
            /// The segment an Ethernet device is plugged into (nil for `lo`, `tunl0`, aliases).
            public var segment: String?
            public var mac: MACAddress?
            public var mtu: Int?
            public var up: Bool

            public init(
                device: String, address: IPAddress, prefixLength: Int, segment: String? = nil, mac: MACAddress? = nil,
                mtu: Int? = nil, up: Bool = true
            ) {
                self.device = device
                self.address = address
                self.prefixLength = prefixLength
                self.segment = segment
                self.mac = mac
                self.mtu = mtu
                self.up = up
            }

            /// The device name: the label up to its first `:`.
            public var deviceName: String { String(device.prefix { $0 != ":" }) }
        }

        /// A static route `to` via the gateway `via`.
        public struct RouteSpec: Sendable, Equatable {
            public var destination: IPAddress
            public var prefixLength: Int
            public var via: IPAddress
            public init(destination: IPAddress, prefixLength: Int, via: IPAddress) {
                self.destination = destination
                self.prefixLength = prefixLength
                self.via = via
            }
        }

        /// Sysctl values given for one device or `all` (nil: not given, kernel default).
        public struct Sysctls: Sendable, Equatable {
            public var arpIgnore: UInt8?
            public var arpAnnounce: UInt8?
            public var rpFilter: UInt8?
            public var sendRedirects: Bool?
            public var arpNotify: Bool?
            public var arpAccept: Bool?
            public init(
                arpIgnore: UInt8? = nil, arpAnnounce: UInt8? = nil, rpFilter: UInt8? = nil, sendRedirects: Bool? = nil,
                arpNotify: Bool? = nil, arpAccept: Bool? = nil
            ) {
                self.arpIgnore = arpIgnore
                self.arpAnnounce = arpAnnounce
                self.rpFilter = rpFilter
                self.sendRedirects = sendRedirects
                self.arpNotify = arpNotify
                self.arpAccept = arpAccept
            }

            /// These values over the kernel defaults.
            public var resolved: InterfaceSysctls {
                InterfaceSysctls(
                    arpIgnore: arpIgnore ?? 0, arpAnnounce: arpAnnounce ?? 0, rpFilter: rpFilter ?? 0,
                    sendRedirects: sendRedirects ?? true, arpNotify: arpNotify ?? false, arpAccept: arpAccept ?? false)
            }
        }

        /// A router, director or real server.
        public struct Host: Sendable, Equatable {
            public var name: String
            public var interfaces: [Interface]
            /// The default gateway.
            public var gateway: IPAddress?
            public var routes: [RouteSpec]
            /// By device name or `all`.
            public var sysctls: [String: Sysctls]
            /// `net.ipv4.ip_forward`.
            public var ipForward: Bool
            /// The scenario line of the host's section (for messages).
            public var line: Int

            public init(
                name: String, interfaces: [Interface], gateway: IPAddress? = nil, routes: [RouteSpec] = [],
                sysctls: [String: Sysctls] = [:], ipForward: Bool = false, line: Int = 0
            ) {
                self.name = name
                self.interfaces = interfaces
                self.gateway = gateway
                self.routes = routes
                self.sysctls = sysctls
                self.ipForward = ipForward
                self.line = line
            }
        }

        /// Where the clients live.
        public struct ClientAttachment: Sendable, Equatable {
            public var segment: String
            /// The router's address on that segment.
            public var gateway: IPAddress
            public init(segment: String, gateway: IPAddress) {
                self.segment = segment
                self.gateway = gateway
            }
        }

        public var mss: Int
        public var requestBytes: Int
        public var responseBytes: Int
        public var clientDontFragment: Bool
        public var segments: [Segment]
        public var clients: ClientAttachment
        public var router: Host
        public var director: Host
        public var realServers: [Host]

        public init(
            mss: Int = 1460, requestBytes: Int = 300, responseBytes: Int = 20000, clientDontFragment: Bool = true,
            segments: [Segment], clients: ClientAttachment, router: Host, director: Host, realServers: [Host]
        ) {
            self.mss = mss
            self.requestBytes = requestBytes
            self.responseBytes = responseBytes
            self.clientDontFragment = clientDontFragment
            self.segments = segments
            self.clients = clients
            self.router = router
            self.director = director
            self.realServers = realServers
        }
    }
}
