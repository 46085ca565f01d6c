/// One entry of the director's connection table: a connection bound to a
/// real server, or a persistence template.
public struct Connection: Hashable, Sendable, Codable {
    /// nil for firewall-mark templates, which `ipvsadm -Lc` shows as `IP`.
    public var proto: TransportProtocol?
    public var client: Endpoint
    /// The virtual address and port (for a fwmark template, the mark as an
    /// address and port 0).
    public var virtual: Endpoint
    public var destination: Endpoint
    public var state: ConnectionState
    public var forwarding: ForwardingMethod
    /// The service the entry belongs to.
    public var service: ServiceKey
    public var isTemplate: Bool
    /// Templates turn ASSURED once a controlled connection is established.
    public var isAssured: Bool
    /// Whether the entry is currently counted in ActiveConn (else InActConn;
    /// templates are counted in PersistConn).
    public var isCountedActive: Bool
    /// Expiry time in nanoseconds of the owner's clock.
    public var expiresAtNanoseconds: Int64
    /// Current timeout in seconds (what `-Lnc --exact`'s expire column starts from).
    public var timeoutSeconds: UInt32
    /// The configured port of the real server the entry is bound to (the
    /// destination port may differ when that port is 0); with
    /// `destination.address` it names the server.
    public var serverPort: UInt16
    /// Where the bound server sat when the entry was last resolved, valid
    /// while the owner's table epoch equals ``locationEpoch`` (a cache that
    /// spares a search on every counter update).
    public var serviceIndex: Int32 = -1
    public var serverIndex: Int32 = -1
    public var locationEpoch: UInt32 = 0

    public init(
        proto: TransportProtocol?, client: Endpoint, virtual: Endpoint, destination: Endpoint,
        state: ConnectionState, forwarding: ForwardingMethod, service: ServiceKey, isTemplate: Bool = false,
        isAssured: Bool = false, expiresAtNanoseconds: Int64 = 0, timeoutSeconds: UInt32 = 0
    ) {
        self.proto = proto
        self.client = client
        self.virtual = virtual
        self.destination = destination
        self.state = state
        self.forwarding = forwarding
        self.service = service
        self.isTemplate = isTemplate
        self.isAssured = isAssured
        self.isCountedActive = !isTemplate && state.isActive
        self.expiresAtNanoseconds = expiresAtNanoseconds
        self.timeoutSeconds = timeoutSeconds
        self.serverPort = destination.port
    }

    /// The state column of `ipvsadm -Lc`: templates show NONE or ASSURED.
    public var listingState: String {
        if isTemplate { return isAssured ? "ASSURED" : "NONE" }
        return state.listingName
    }
}
