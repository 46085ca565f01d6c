import Foundation
import LVSModel
import Schedulers

/// The first decision where the model and the trace disagree.
public struct ReplayMismatch: Hashable, Sendable, Codable {
    public var line: Int
    public var id: Int
    public var expected: String?
    public var got: String?

    public init(line: Int, id: Int, expected: String?, got: String?) {
        self.line = line
        self.id = id
        self.expected = expected
        self.got = got
    }
}

/// What replaying one trace file found.
public struct ReplayFileResult: Hashable, Sendable, Codable {
    public var file: String
    public var scheduler: String
    /// Decisions checked (racy lines are skipped, not checked).
    public var decisions: Int = 0
    public var matched: Int = 0
    public var skipped: Int = 0
    /// `connect` lines whose `before` list differs from the model's list order or weights.
    public var orderMismatches: Int = 0
    /// `ipvsadm` lines where the model's success/failure differs from the kernel's.
    public var exitMismatches: Int = 0
    public var firstMismatch: ReplayMismatch?
    /// The first order/weight or exit mismatch, for diagnosis.
    public var firstOrderMismatchLine: Int?
    public var firstExitMismatchLine: Int?

    public var isClean: Bool { decisions == matched && orderMismatches == 0 && exitMismatches == 0 }

    enum CodingKeys: String, CodingKey {
        case file, scheduler, decisions, matched, skipped
        case orderMismatches = "order_mismatches"
        case exitMismatches = "exit_mismatches"
        case firstMismatch = "first_mismatch"
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(file, forKey: .file)
        try container.encode(scheduler, forKey: .scheduler)
        try container.encode(decisions, forKey: .decisions)
        try container.encode(matched, forKey: .matched)
        try container.encode(skipped, forKey: .skipped)
        try container.encode(orderMismatches, forKey: .orderMismatches)
        try container.encode(exitMismatches, forKey: .exitMismatches)
        // Explicit null when there is no mismatch.
        if let firstMismatch {
            try container.encode(firstMismatch, forKey: .firstMismatch)
        } else {
            try container.encodeNil(forKey: .firstMismatch)
        }
    }
}

/// Replays lvs-trace/1 files against the real schedulers with the replay
/// semantics of `spec/lvs-trace-format.md`.
public struct TraceReplayer: Sendable {
    /// Extra schedulers (user-registered) besides the kernel's.
    public var registry: SchedulerRegistry

    public init(registry: SchedulerRegistry = .allKernel) {
        self.registry = registry
    }

    /// Replays one parsed trace.
    public func replay(_ records: [(line: Int, record: LVSTraceRecord)], file: String) -> ReplayFileResult {
        var result = ReplayFileResult(file: file, scheduler: "")
        var table = IPVSTable()
        table.knownSchedulers = IPVSTable.kernel61Schedulers
        var director = IPVSDirector(table: table, registry: registry, random: SplitMix64RandomSource(seed: 0x1F5))
        director.expiresTemplatesLazily = true
        var connectionIDs: [Int: ConnectionID] = [:]
        var lastTotals: [ServiceKey: [Endpoint: Int64]] = [:]

        for (line, record) in records {
            switch record {
            case .meta(let meta):
                // twos arrived in Linux 6.7; a 6.1 kernel reports it "not found".
                var known = kernelVersionHasTwos(meta.source) ? IPVSTable.kernel612Schedulers : IPVSTable.kernel61Schedulers
                known.formUnion(registry.names)
                director.configure { table in
                    table.knownSchedulers = known
                    return []
                }
            case .ipvsadm(let command):
                let now = command.tMs * 1_000_000
                director.expireDue(now: now)
                var exitCode: Int32 = 0
                director.configure(now: now) { table in
                    let outcome = IPVSAdm.run(command.args, table: &table)
                    exitCode = outcome.exitCode
                    return outcome.changes
                }
                if (exitCode == 0) != (command.exit == 0) {
                    result.exitMismatches += 1
                    if result.firstExitMismatchLine == nil { result.firstExitMismatchLine = line }
                }
            case .close(let id, let tMs):
                guard let connection = connectionIDs.removeValue(forKey: id) else { continue }
                let now = tMs * 1_000_000
                // The client closes with FIN (NAT sees both sides): the entry ends in TIME_WAIT.
                director.receive(connection, flags: .finAck, direction: .input, now: now)
                director.receive(connection, flags: .ack, direction: .output, now: now)
                director.receive(connection, flags: .finAck, direction: .output, now: now)
                director.receive(connection, flags: .ack, direction: .input, now: now)
            case .listing:
                continue
            case .connect(let connect):
                replayConnect(connect, line: line, director: &director, result: &result, ids: &connectionIDs, lastTotals: &lastTotals)
            }
        }
        return result
    }

    private func kernelVersionHasTwos(_ source: String) -> Bool {
        // "linux 6.12.117+deb12-amd64 ip_vs" → (6, 12)
        let words = source.split(separator: " ")
        guard let version = words.first(where: { $0.first?.isNumber == true }) else { return false }
        let parts = version.split(separator: ".").prefix(2).map { Int($0.prefix { $0.isNumber }) ?? 0 }
        guard parts.count == 2 else { return false }
        return parts[0] > 6 || (parts[0] == 6 && parts[1] >= 7)
    }

    private func replayConnect(
        _ connect: TraceConnect, line: Int, director: inout IPVSDirector<SplitMix64RandomSource>,
        result: inout ReplayFileResult, ids: inout [Int: ConnectionID], lastTotals: inout [ServiceKey: [Endpoint: Int64]]
    ) {
        let now = connect.tMs * 1_000_000
        director.expireDue(now: now)
        guard let destination = connect.packetDestination else { return }
        let serviceKey: ServiceKey
        var fwmark: UInt32 = 0
        switch connect.service {
        case .address(let endpoint):
            serviceKey = .address(connect.proto, endpoint)
        case .fwmark(let mark):
            serviceKey = .fwmark(mark, destination.address.family)
            fwmark = mark
        }
        let serviceIndex = director.serviceIndex(for: serviceKey)
        if let serviceIndex {
            let service = director.table.services[serviceIndex]
            if result.scheduler.isEmpty { result.scheduler = service.scheduler }
            // 1. Same servers, same kernel order, same weights.
            let model = service.servers.map { ($0.endpoint, $0.weight) }
            let recorded = connect.before.map { ($0.server, $0.weight) }
            if !model.elementsEqual(recorded, by: { $0.0 == $1.0 && $0.1 == $1.1 }) {
                result.orderMismatches += 1
                if result.firstOrderMismatchLine == nil { result.firstOrderMismatchLine = line }
            }
            // 2. Seed counters, and OVERLOAD as the kernel's bind/unbind rules would have moved it.
            var totals = lastTotals[serviceKey] ?? [:]
            director.withService(at: serviceIndex) { service in
                for counters in connect.before {
                    guard let index = service.serverIndex(address: counters.server.address, port: counters.server.port) else {
                        continue
                    }
                    let previous = totals[counters.server] ?? service.servers[index].thresholdCount
                    service.servers[index].activeConnections = counters.active
                    service.servers[index].inactiveConnections = counters.inactive
                    service.servers[index].persistentConnections = counters.persist
                    let total = service.servers[index].thresholdCount
                    if total > previous {
                        service.servers[index].updateOverloadAfterBind()
                    } else if total < previous {
                        service.servers[index].updateOverloadAfterUnbind()
                    }
                    totals[counters.server] = total
                }
            }
            // 3. Persistence: the template the kernel held, when the trace says.
            if service.isPersistent && connect.hasTemplateField {
                director.seedTemplate(
                    serviceIndex: serviceIndex, proto: connect.proto, client: connect.client, destination: destination,
                    server: connect.template, now: now)
            }
        }
        // 4. The complete new-connection path.
        let seeded = serviceIndex.map { director.table.services[$0].servers } ?? []
        let outcome = director.connect(
            proto: connect.proto, client: connect.client, destination: destination, fwmark: fwmark, flags: .syn, now: now)
        let scheduled = outcome.connection
        let chosen = scheduled.map { director.table.services[$0.serviceIndex].servers[$0.serverIndex].endpoint }
        let fromTemplate = scheduled?.isFromTemplate ?? false
        if let entry = scheduled?.id {
            // The handshake completes: SYN-ACK out, ACK in.
            director.receive(entry, flags: .synAck, direction: .output, now: now)
            director.receive(entry, flags: .ack, direction: .input, now: now)
            ids[connect.id] = entry
        }
        // 5. Back to the kernel's view: the recorded counters plus the kernel's
        // own choice (a new TCP connection is active), so that a different
        // pick of ours (twos draws at random) does not leave OVERLOAD or
        // counters where the kernel never had them.
        if let serviceIndex {
            var totals = lastTotals[serviceKey] ?? [:]
            director.withService(at: serviceIndex) { service in
                for recorded in seeded {
                    guard let index = service.serverIndex(address: recorded.address, port: recorded.port) else { continue }
                    service.servers[index].activeConnections = recorded.activeConnections
                    service.servers[index].inactiveConnections = recorded.inactiveConnections
                    service.servers[index].persistentConnections = recorded.persistentConnections
                    service.servers[index].isOverloaded = recorded.isOverloaded
                    if recorded.endpoint == connect.chosen {
                        service.servers[index].activeConnections += 1
                        service.servers[index].updateOverloadAfterBind()
                    }
                    totals[recorded.endpoint] = service.servers[index].thresholdCount
                }
            }
            lastTotals[serviceKey] = totals
        }
        if connect.isRacy {
            result.skipped += 1
            return
        }
        result.decisions += 1
        let matches: Bool
        if let serviceIndex, director.table.services[serviceIndex].scheduler == "twos", !fromTemplate {
            matches = twosCouldChoose(connect.chosen, servers: seeded)
        } else {
            matches = chosen == connect.chosen
        }
        if matches {
            result.matched += 1
        } else if result.firstMismatch == nil {
            result.firstMismatch = ReplayMismatch(
                line: line, id: connect.id, expected: connect.chosen?.description, got: chosen?.description)
        }
    }

    /// twos draws at random: any eligible server (not OVERLOAD, weight > 0)
    /// is a possible outcome, and no server exactly when none is eligible.
    private func twosCouldChoose(_ expected: Endpoint?, servers: [RealServer]) -> Bool {
        let eligible = servers.filter { $0.weight > 0 && !$0.isOverloaded }.map(\.endpoint)
        guard let expected else { return eligible.isEmpty }
        return eligible.contains(expected)
    }
}
