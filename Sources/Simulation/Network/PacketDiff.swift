/// Lists the header fields that differ between two versions of a packet.
///
/// Checksums are implied: the IP checksum changes with TTL or addresses, the
/// TCP/UDP checksum with addresses (its pseudo-header) or ports.
enum PacketDiff {
    /// The fields changed from `before` to `after`, in header order.
    static func changedFields(from before: Packet, to after: Packet) -> [PacketField] {
        var fields: [PacketField] = []
        if before.ethernet.source != after.ethernet.source { fields.append(.ethernetSource) }
        if before.ethernet.destination != after.ethernet.destination { fields.append(.ethernetDestination) }
        if before.outer == nil, let outer = after.outer {
            fields.append(.outerHeader)
            if before.ip.dontFragment && !outer.dontFragment { fields.append(.outerDontFragment) }
        }
        let addressesChanged = before.ip.source != after.ip.source || before.ip.destination != after.ip.destination
        if before.ip.source != after.ip.source { fields.append(.ipSource) }
        if before.ip.destination != after.ip.destination { fields.append(.ipDestination) }
        if before.ip.ttl != after.ip.ttl { fields.append(.ttl) }
        if addressesChanged || before.ip.ttl != after.ip.ttl { fields.append(.ipChecksum) }
        let portsChanged = before.transport.sourcePort != after.transport.sourcePort
            || before.transport.destinationPort != after.transport.destinationPort
        if before.transport.sourcePort != after.transport.sourcePort { fields.append(.sourcePort) }
        if before.transport.destinationPort != after.transport.destinationPort { fields.append(.destinationPort) }
        if (addressesChanged || portsChanged) && before.transport.icmp == nil { fields.append(.transportChecksum) }
        return fields
    }
}
