/// Simulation-only bookkeeping carried with a packet; never on the wire.
public struct PacketMeta: Hashable, Sendable {
    /// The flow (client connection) this packet belongs to.
    public var flowID: UInt64
    /// When the packet was first sent.
    public var birthTime: SimTime

    public init(flowID: UInt64 = 0, birthTime: SimTime = .zero) {
        self.flowID = flowID
        self.birthTime = birthTime
    }
}
