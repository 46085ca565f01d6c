/// Service flags the kernel keeps (`IP_VS_SVC_F_*`).
public struct ServiceFlags: OptionSet, Hashable, Sendable, Codable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let persistent = ServiceFlags(rawValue: 0x0001)
    public static let hashed = ServiceFlags(rawValue: 0x0002)
    public static let onePacket = ServiceFlags(rawValue: 0x0004)
    /// `-b` bit 1: sh-fallback / mh-fallback / flag-1.
    public static let sched1 = ServiceFlags(rawValue: 0x0008)
    /// `-b` bit 2: sh-port / mh-port / flag-2.
    public static let sched2 = ServiceFlags(rawValue: 0x0010)
    /// `-b` bit 3: flag-3 (no 6.1 scheduler reads it).
    public static let sched3 = ServiceFlags(rawValue: 0x0020)

    public static let schedulerFlags: ServiceFlags = [.sched1, .sched2, .sched3]
}

/// A virtual service and its real servers in the kernel's list order.
public struct VirtualService: Hashable, Sendable, Codable {
    public var key: ServiceKey
    /// The scheduler name ("wlc", "rr", … or "none").
    public var scheduler: String
    public var flags: ServiceFlags
    /// Persistence timeout in seconds (meaningful with `.persistent`).
    public var timeout: UInt32
    /// Persistence granularity: an IPv4 netmask (host order), or an IPv6 prefix length.
    public var netmask: UInt32
    /// Persistence engine name (`--pe`), if any.
    public var persistenceEngine: String?
    /// Real servers in kernel list order: index 0 is the head, the most
    /// recently added server.
    public var servers: [RealServer]
    public var stats: TrafficStats

    public init(
        key: ServiceKey, scheduler: String = "wlc", flags: ServiceFlags = [], timeout: UInt32 = 0,
        netmask: UInt32? = nil, persistenceEngine: String? = nil
    ) {
        self.key = key
        self.scheduler = scheduler
        self.flags = flags
        self.timeout = timeout
        self.netmask = netmask ?? VirtualService.defaultNetmask(for: key.family)
        self.persistenceEngine = persistenceEngine
        self.servers = []
        self.stats = TrafficStats()
    }

    /// 255.255.255.255 for IPv4, prefix length 128 for IPv6.
    public static func defaultNetmask(for family: AddressFamily) -> UInt32 {
        family == .inet ? 0xFFFF_FFFF : 128
    }

    public var isPersistent: Bool { flags.contains(.persistent) }
    public var isOnePacket: Bool { flags.contains(.onePacket) }

    /// The index of the real server with this address and port, if any.
    public func serverIndex(address: IPAddress, port: UInt16) -> Int? {
        servers.firstIndex { $0.address == address && $0.port == port }
    }

    /// The client address as persistence groups it (`-M`).
    public func persistenceClientKey(_ client: IPAddress) -> IPAddress {
        switch client {
        case .v4: return client.masked(v4Mask: netmask)
        case .v6: return client.masked(prefixLength: Int(netmask))
        }
    }
}
