/// A real server ("destination") of one virtual service, with the counters
/// and flags the kernel keeps for it.
///
/// The fields a scheduler reads on every decision (weight, counters, flags)
/// come first so they share a cache line.
public struct RealServer: Hashable, Sendable, Codable {
    /// Current weight (0 = quiescent: no new connections).
    public var weight: Int32
    /// ActiveConn: connections in an active TCP state.
    public var activeConnections: Int32
    /// InActConn: every other connection (all UDP connections).
    public var inactiveConnections: Int32
    /// PersistConn: persistence templates bound to this server.
    public var persistentConnections: Int32
    /// OVERLOAD, set and cleared by the `-x`/`-y` thresholds.
    public var isOverloaded: Bool
    /// AVAILABLE: set while the server is in its service's list.
    public var isAvailable: Bool

    public var address: IPAddress
    /// Port 0 means "use the packet's destination port".
    public var port: UInt16
    public var forwarding: ForwardingMethod
    public var tunnel: TunnelConfig
    /// The weight given at add time (even 0), or at edit time when non-zero; only mh reads it.
    public var lastWeight: Int32
    /// `-x`; 0 = unset.
    public var upperThreshold: UInt32
    /// `-y`; 0 = unset.
    public var lowerThreshold: UInt32
    public var stats: TrafficStats

    public init(
        address: IPAddress, port: UInt16, forwarding: ForwardingMethod = .directRouting,
        tunnel: TunnelConfig = .ipip, weight: Int32 = 1, upperThreshold: UInt32 = 0, lowerThreshold: UInt32 = 0
    ) {
        self.weight = weight
        self.activeConnections = 0
        self.inactiveConnections = 0
        self.persistentConnections = 0
        self.isOverloaded = false
        self.isAvailable = true
        self.address = address
        self.port = port
        self.forwarding = forwarding
        self.tunnel = tunnel
        self.lastWeight = weight
        self.upperThreshold = upperThreshold
        self.lowerThreshold = lowerThreshold
        self.stats = TrafficStats()
    }

    public var endpoint: Endpoint { Endpoint(address: address, port: port) }

    /// The kernel's load measure for lc, wlc, lblc, lblcr and twos:
    /// `active × 256 + inactive`.
    @inlinable
    public var overhead: Int64 { Int64(activeConnections) << 8 + Int64(inactiveConnections) }

    /// Connections counted against the thresholds (persistent ones are not).
    @inlinable
    public var thresholdCount: Int64 { Int64(activeConnections) + Int64(inactiveConnections) }
}

extension RealServer {
    /// Binding a connection or template to the server: if an upper threshold
    /// is set and the counted total reaches it, the server becomes OVERLOADed.
    /// Call after incrementing a counter.
    public mutating func updateOverloadAfterBind() {
        if upperThreshold != 0 && thresholdCount >= Int64(upperThreshold) {
            isOverloaded = true
        }
    }

    /// An expiring connection or template may clear OVERLOAD: below `-y` if
    /// set, else below three quarters of `-x`, else unconditionally.
    /// Call after decrementing a counter.
    public mutating func updateOverloadAfterUnbind() {
        guard isOverloaded else { return }
        let total = thresholdCount
        if lowerThreshold != 0 {
            if total < Int64(lowerThreshold) { isOverloaded = false }
        } else if upperThreshold != 0 {
            if total * 4 < Int64(upperThreshold) * 3 { isOverloaded = false }
        } else {
            isOverloaded = false
        }
    }

    /// An edit that changes `-x` or `-y` re-evaluates OVERLOAD from the
    /// current counters: no upper threshold clears it, reaching the upper
    /// threshold sets it, falling below the lower one (`-y`, else three
    /// quarters of `-x`) clears it, anything in between leaves it alone.
    ///
    /// This is the rule of the recorded kernel (Debian 6.1.192, which carries
    /// the upstream fix "properly update the overload flag on dest edit"),
    /// shown by the `lblc-thresholds` trace; the older rule of
    /// `spec/ipvs-schedulers.md` §3 (clear only when `-x` is removed or
    /// raised) does not reproduce it.
    public mutating func reevaluateOverloadAfterThresholdEdit() {
        guard upperThreshold != 0 else {
            isOverloaded = false
            return
        }
        let total = thresholdCount
        let lower = lowerThreshold != 0 ? Int64(lowerThreshold) : Int64(upperThreshold) - Int64(upperThreshold >> 2)
        if total >= Int64(upperThreshold) {
            isOverloaded = true
        } else if total < lower {
            isOverloaded = false
        }
    }
}
