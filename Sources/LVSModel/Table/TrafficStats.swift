/// Traffic statistics the kernel keeps per service and per real server
/// (`ipvsadm -L --stats` and `--rate`). `-Z` zeroes them.
public struct TrafficStats: Hashable, Sendable, Codable {
    public var connections: UInt64 = 0
    public var inPackets: UInt64 = 0
    public var outPackets: UInt64 = 0
    public var inBytes: UInt64 = 0
    public var outBytes: UInt64 = 0
    /// Rates as the kernel's estimator reports them (per second).
    public var connectionsPerSecond: UInt32 = 0
    public var inPacketsPerSecond: UInt32 = 0
    public var outPacketsPerSecond: UInt32 = 0
    public var inBytesPerSecond: UInt32 = 0
    public var outBytesPerSecond: UInt32 = 0

    public init() {}

    public static func += (lhs: inout TrafficStats, rhs: TrafficStats) {
        lhs.connections &+= rhs.connections
        lhs.inPackets &+= rhs.inPackets
        lhs.outPackets &+= rhs.outPackets
        lhs.inBytes &+= rhs.inBytes
        lhs.outBytes &+= rhs.outBytes
        lhs.connectionsPerSecond &+= rhs.connectionsPerSecond
        lhs.inPacketsPerSecond &+= rhs.inPacketsPerSecond
        lhs.outPacketsPerSecond &+= rhs.outPacketsPerSecond
        lhs.inBytesPerSecond &+= rhs.inBytesPerSecond
        lhs.outBytesPerSecond &+= rhs.outBytesPerSecond
    }
}
