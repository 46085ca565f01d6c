import LVSModel

// MARK: - Replay support

extension IPVSDirector {
    /// Expires every entry whose time has come (in expiry order per sweep),
    /// for owners that do not keep a timer per entry (trace replay).
    public mutating func expireDue(now: Int64) {
        let due = connections.entries.filter { $0.connection.expiresAtNanoseconds <= now }
            .sorted { ($0.connection.expiresAtNanoseconds, $0.id.slot) < ($1.connection.expiresAtNanoseconds, $1.id.slot) }
        // Connections first, so a template sees its controlled count drop before its own check.
        for (id, connection) in due where !connection.isTemplate { _ = expire(id, now: now) }
        for (id, connection) in due where connection.isTemplate { _ = expire(id, now: now) }
    }

    /// The persistence template a new connection from `client` to
    /// `destination` of service `serviceIndex` would use, if one exists.
    public func templateID(serviceIndex: Int, proto: TransportProtocol, client: Endpoint, destination: Endpoint)
        -> ConnectionID?
    {
        let service = table.services[serviceIndex]
        let (key, _) = templateKey(service: service, proto: proto, client: client, destination: destination)
        return connections.lookup(key)
    }

    /// Makes the template for that client point at `server` (or removes it
    /// when `server` is nil), as a trace recorded it. Counters are left to
    /// the caller, which seeds them from the same trace line.
    public mutating func seedTemplate(
        serviceIndex: Int, proto: TransportProtocol, client: Endpoint, destination: Endpoint, server: Endpoint?, now: Int64
    ) {
        let service = table.services[serviceIndex]
        let (key, usesServerPort) = templateKey(service: service, proto: proto, client: client, destination: destination)
        if let existing = connections.lookup(key) {
            let entry = connections[existing]
            if let server, entry.destination.address == server.address, entry.serverPort == server.port {
                if entry.expiresAtNanoseconds <= now {
                    connections[existing].expiresAtNanoseconds = now + Int64(entry.timeoutSeconds) * 1_000_000_000
                }
                return
            }
            connections.rekey(existing, virtualPort: 65535, destinationPort: 65535)
            connections[existing].expiresAtNanoseconds = now
        }
        guard let server, let serverIndex = service.serverIndex(address: server.address, port: server.port) else { return }
        let real = service.servers[serverIndex]
        var entry = Connection(
            proto: key.proto, client: key.client, virtual: key.virtual,
            destination: Endpoint(address: real.address, port: usesServerPort ? real.port : 0), state: .none,
            forwarding: real.forwarding, service: service.key, isTemplate: true, timeoutSeconds: service.timeout)
        entry.serverPort = real.port
        entry.expiresAtNanoseconds = now + Int64(service.timeout) * 1_000_000_000
        connections.insert(entry, indexed: true)
    }
}
