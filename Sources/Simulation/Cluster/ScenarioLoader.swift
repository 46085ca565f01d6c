import Foundation
import LVSModel
import Yams

/// A problem in a scenario file, located by file and line.
public struct ScenarioError: Error, CustomStringConvertible, Sendable, Equatable {
    public var file: String
    public var line: Int
    public var message: String

    public init(file: String, line: Int, message: String) {
        self.file = file
        self.line = line
        self.message = message
    }

    public var description: String { "\(file):\(line): \(message)" }
}

/// Reads YAML scenarios (schema: `docs/scenarios.md`), reporting unknown keys
/// and bad values with file, line and key.
public struct ScenarioLoader {
    let file: String
    let directory: String

    public init(file: String) {
        self.file = file
        directory = (file as NSString).deletingLastPathComponent
    }

    /// Reads and validates `path`.
    public static func load(path: String) throws(ScenarioError) -> Scenario {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw ScenarioError(file: path, line: 0, message: "cannot read file")
        }
        return try ScenarioLoader(file: path).parse(text)
    }

    /// Parses scenario text (`file` names it in messages; relative paths resolve against its folder).
    public func parse(_ text: String) throws(ScenarioError) -> Scenario {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ScenarioError(file: file, line: ScenarioLoader.line(of: error), message: "YAML syntax: \(ScenarioLoader.summary(of: error))")
        } catch {
            throw ScenarioError(file: file, line: 0, message: "YAML syntax: \(error)")
        }
        guard let root else { throw ScenarioError(file: file, line: 1, message: "empty scenario") }
        return try scenario(root)
    }

    static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return 0
        }
    }

    static func summary(of error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): return problem
        default: return "\(error)"
        }
    }

    // MARK: Helpers

    struct Section {
        let name: String
        let node: Node
        let pairs: [(key: String, keyNode: Node, value: Node)]
    }

    func fail(_ node: Node?, _ message: String) -> ScenarioError {
        ScenarioError(file: file, line: node?.mark?.line ?? 0, message: message)
    }

    func section(_ node: Node, _ name: String, allowed: [String]) throws(ScenarioError) -> Section {
        guard case .mapping(let mapping) = node else {
            throw fail(node, "\(name) must be a mapping of keys to values")
        }
        var pairs: [(key: String, keyNode: Node, value: Node)] = []
        var seen: Set<String> = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.string else { throw fail(keyNode, "keys in \(name) must be strings") }
            guard allowed.contains(key) else {
                throw fail(keyNode, "unknown key \"\(key)\" in \(name) (expected \(allowed.joined(separator: ", ")))")
            }
            guard seen.insert(key).inserted else { throw fail(keyNode, "duplicate key \"\(key)\" in \(name)") }
            pairs.append((key, keyNode, value))
        }
        return Section(name: name, node: node, pairs: pairs)
    }

    func value(_ section: Section, _ key: String) -> Node? {
        section.pairs.first { $0.key == key }?.value
    }

    func keyPath(_ section: Section, _ key: String) -> String {
        section.name == "the scenario" ? key : "\(section.name).\(key)"
    }

    func number(_ section: Section, _ key: String, min: Double? = nil, above: Double? = nil, max: Double? = nil)
        throws(ScenarioError) -> Double?
    {
        guard let node = value(section, key) else { return nil }
        guard case .scalar(let scalar) = node, let number = Double(scalar.string.replacingOccurrences(of: "_", with: "")),
            number.isFinite
        else {
            throw fail(node, "\(keyPath(section, key)): expected a number, got \(describe(node))")
        }
        if let min, number < min { throw fail(node, "\(keyPath(section, key)): \(scalar.string) is invalid; must be ≥ \(format(min))") }
        if let above, number <= above {
            throw fail(node, "\(keyPath(section, key)): \(scalar.string) is invalid; must be > \(format(above))")
        }
        if let max, number > max { throw fail(node, "\(keyPath(section, key)): \(scalar.string) is invalid; must be ≤ \(format(max))") }
        return number
    }

    func integer(_ section: Section, _ key: String, min: Int = 0, max: Int = Int.max) throws(ScenarioError) -> Int? {
        guard let node = value(section, key) else { return nil }
        guard case .scalar(let scalar) = node, let number = Int(scalar.string.replacingOccurrences(of: "_", with: "")) else {
            throw fail(node, "\(keyPath(section, key)): expected an integer, got \(describe(node))")
        }
        guard number >= min && number <= max else {
            let range = max == Int.max ? "≥ \(min)" : "between \(min) and \(max)"
            throw fail(node, "\(keyPath(section, key)): \(number) is invalid; must be \(range)")
        }
        return number
    }

    func string(_ section: Section, _ key: String, oneOf choices: [String]? = nil) throws(ScenarioError) -> String? {
        guard let node = value(section, key) else { return nil }
        guard case .scalar(let scalar) = node else {
            throw fail(node, "\(keyPath(section, key)): expected a string, got \(describe(node))")
        }
        if let choices, !choices.contains(scalar.string) {
            throw fail(node, "\(keyPath(section, key)): \"\(scalar.string)\" is invalid; expected one of \(choices.joined(separator: ", "))")
        }
        return scalar.string
    }

    func bool(_ section: Section, _ key: String) throws(ScenarioError) -> Bool? {
        guard let node = value(section, key) else { return nil }
        guard case .scalar(let scalar) = node, let flag = Bool(scalar.string.lowercased()) else {
            throw fail(node, "\(keyPath(section, key)): expected true or false, got \(describe(node))")
        }
        return flag
    }

    func endpoint(_ section: Section, _ key: String) throws(ScenarioError) -> Endpoint? {
        guard let text = try string(section, key) else { return nil }
        guard let endpoint = Endpoint(text), endpoint.port != 0 else {
            throw fail(value(section, key), "\(keyPath(section, key)): \"\(text)\" is not an address:port")
        }
        return endpoint
    }

    func describe(_ node: Node) -> String {
        switch node {
        case .scalar(let scalar): return "\"\(scalar.string)\""
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    func format(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int(value)) : String(value)
    }

    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : (directory.isEmpty ? path : (directory as NSString).appendingPathComponent(path))
    }

    // MARK: Sections

    static let topKeys = [
        "name", "description", "seed", "replications", "connections", "duration_s", "warmup_connections", "warmup_s",
        "director", "servers", "clients", "workload", "output", "level", "network",
    ]

    func scenario(_ root: Node) throws(ScenarioError) -> Scenario {
        let top = try section(root, "the scenario", allowed: ScenarioLoader.topKeys)
        let name = try string(top, "name") ?? ((file as NSString).lastPathComponent as NSString).deletingPathExtension
        let seed = try integer(top, "seed", min: 0) ?? 1
        let replications = try integer(top, "replications", min: 1, max: 10_000) ?? 5
        var connections = try integer(top, "connections", min: 1)
        let duration = try number(top, "duration_s", above: 0)
        if connections != nil && duration != nil {
            throw fail(value(top, "duration_s"), "give either connections or duration_s, not both")
        }
        if connections == nil && duration == nil { connections = 10_000 }
        let warmupConnections = try integer(top, "warmup_connections", min: 0) ?? 0
        let warmupSeconds = try number(top, "warmup_s", min: 0) ?? 0
        if warmupConnections > 0 && warmupSeconds > 0 {
            throw fail(value(top, "warmup_s"), "give either warmup_connections or warmup_s, not both")
        }
        guard let serversNode = value(top, "servers") else { throw fail(root, "missing key \"servers\" in the scenario") }
        let servers = try parseServers(serversNode)
        guard let directorNode = value(top, "director") else { throw fail(root, "missing key \"director\" in the scenario") }
        let (rules, vip) = try parseDirector(directorNode, servers: servers)
        let clients = try value(top, "clients").map { node throws(ScenarioError) in try parseClients(node) } ?? Scenario.Clients()
        guard let workloadNode = value(top, "workload") else { throw fail(root, "missing key \"workload\" in the scenario") }
        let workload = try section(workloadNode, "workload", allowed: ["arrivals", "demand", "requests"])
        guard let demandNode = value(workload, "demand") else { throw fail(workloadNode, "missing key \"demand\" in workload") }
        let demand = try parseDistribution(demandNode, "workload.demand", unit: "_ms", scale: 1e-3)
        let requests = try value(workload, "requests").map { node throws(ScenarioError) in
            try parseDistribution(node, "workload.requests", unit: "", scale: 1)
        }
        let meanWork = demand.mean * max(1, requests?.mean ?? 1)
        let capacity = servers.reduce(0) { $0 + Double($1.workers) * $1.speed }
        guard let arrivalsNode = value(workload, "arrivals") else { throw fail(workloadNode, "missing key \"arrivals\" in workload") }
        let arrivals = try parseArrivals(arrivalsNode, meanWork: meanWork, capacity: capacity)
        var seriesInterval = 0.0
        var sampleConnections = 10_000
        if let outputNode = value(top, "output") {
            let output = try section(outputNode, "output", allowed: ["series_interval_s", "sample_connections"])
            seriesInterval = try number(output, "series_interval_s", above: 0) ?? 0
            sampleConnections = try integer(output, "sample_connections", min: 0) ?? sampleConnections
        }
        var scenario = Scenario(
            name: name, file: file, description: try string(top, "description") ?? "", seed: UInt64(seed),
            replications: replications, connections: connections, durationSeconds: duration,
            warmupConnections: warmupConnections, warmupSeconds: warmupSeconds, ipvsadm: rules, virtualService: vip,
            servers: servers, clients: clients, arrivals: arrivals, demand: demand, requests: requests,
            seriesIntervalSeconds: seriesInterval, sampleConnections: sampleConnections)
        try parseLevelAndNetwork(top, root: root, into: &scenario)
        return scenario
    }

    static let serverKeys = [
        "address", "count", "weight", "workers", "speed", "discipline", "backlog", "upper_threshold", "lower_threshold",
    ]

    func parseServers(_ node: Node) throws(ScenarioError) -> [Scenario.Server] {
        guard case .sequence(let sequence) = node, !sequence.isEmpty else {
            throw fail(node, "servers must be a non-empty list")
        }
        var servers: [Scenario.Server] = []
        for (index, item) in sequence.enumerated() {
            let s = try section(item, "servers[\(index)]", allowed: ScenarioLoader.serverKeys)
            guard let endpoint = try endpoint(s, "address") else { throw fail(item, "missing key \"address\" in servers[\(index)]") }
            let count = try integer(s, "count", min: 1, max: 4096) ?? 1
            let weight = try integer(s, "weight", min: 0, max: 65535) ?? 1
            let workers = try integer(s, "workers", min: 1, max: 1_000_000) ?? 1
            let speed = try number(s, "speed", above: 0) ?? 1
            let discipline = try string(s, "discipline", oneOf: Scenario.Discipline.allCases.map(\.rawValue)).flatMap(Scenario.Discipline.init) ?? .fcfs
            let backlog = try integer(s, "backlog", min: 0) ?? 511
            let upper = try integer(s, "upper_threshold", min: 0, max: Int(UInt32.max)) ?? 0
            let lower = try integer(s, "lower_threshold", min: 0, max: Int(UInt32.max)) ?? 0
            for offset in 0..<count {
                guard case .v4(let raw) = endpoint.address else {
                    if count > 1 { throw fail(value(s, "count"), "servers[\(index)].count needs an IPv4 address") }
                    servers.append(Scenario.Server(endpoint: endpoint, weight: Int32(weight), workers: workers, speed: speed,
                        discipline: discipline, backlog: backlog, upperThreshold: UInt32(upper), lowerThreshold: UInt32(lower)))
                    break
                }
                let address = Endpoint(address: .v4(raw &+ UInt32(offset)), port: endpoint.port)
                if servers.contains(where: { $0.endpoint == address }) {
                    throw fail(item, "servers[\(index)]: \(address) is listed twice")
                }
                servers.append(Scenario.Server(endpoint: address, weight: Int32(weight), workers: workers, speed: speed,
                    discipline: discipline, backlog: backlog, upperThreshold: UInt32(upper), lowerThreshold: UInt32(lower)))
            }
        }
        return servers
    }

    static let directorKeys = ["service", "scheduler", "forwarding", "persistence_s", "ipvsadm", "ipvsadm_save", "timeouts"]

    func parseDirector(_ node: Node, servers: [Scenario.Server]) throws(ScenarioError) -> ([[String]], Endpoint) {
        let d = try section(node, "director", allowed: ScenarioLoader.directorKeys)
        let vip = try endpoint(d, "service") ?? Endpoint(address: .v4(0x0A0A_0064), port: 80)
        let scheduler = try string(d, "scheduler")
        if let scheduler, !IPVSTable.kernel612Schedulers.contains(scheduler) {
            throw fail(value(d, "scheduler"), "director.scheduler: unknown scheduler \"\(scheduler)\" (expected one of \(IPVSTable.kernel612Schedulers.sorted().joined(separator: ", ")))")
        }
        let forwarding = try string(d, "forwarding", oneOf: ["nat", "dr", "tun"]) ?? "nat"
        let persistence = try integer(d, "persistence_s", min: 1, max: Int(UInt32.max))
        var rules: [[String]] = []
        var ruleNode: Node?
        if let inline = value(d, "ipvsadm") {
            if value(d, "ipvsadm_save") != nil { throw fail(inline, "give either director.ipvsadm or director.ipvsadm_save, not both") }
            guard case .sequence(let lines) = inline else { throw fail(inline, "director.ipvsadm must be a list of ipvsadm command lines") }
            for line in lines {
                guard case .scalar(let scalar) = line else { throw fail(line, "director.ipvsadm: each entry is one command line (a string)") }
                let words = ScenarioLoader.words(scalar.string)
                if words.first == "ipvsadm" { rules.append(Array(words.dropFirst())) } else { rules.append(words) }
            }
            ruleNode = inline
        } else if let path = try string(d, "ipvsadm_save") {
            let full = resolve(path)
            guard let data = FileManager.default.contents(atPath: full), let text = String(data: data, encoding: .utf8) else {
                throw fail(value(d, "ipvsadm_save"), "director.ipvsadm_save: cannot read \(full)")
            }
            for line in text.split(separator: "\n") {
                let words = ScenarioLoader.words(String(line))
                if let first = words.first, !first.hasPrefix("#") { rules.append(words) }
            }
            ruleNode = value(d, "ipvsadm_save")
        } else {
            let flag = forwarding == "nat" ? "-m" : forwarding == "dr" ? "-g" : "-i"
            var service = ["-A", "-t", vip.description, "-s", scheduler ?? "wlc"]
            if let persistence { service += ["-p", String(persistence)] }
            rules.append(service)
            for server in servers {
                var line = ["-a", "-t", vip.description, "-r", server.endpoint.description, flag, "-w", String(server.weight)]
                if server.upperThreshold > 0 { line += ["-x", String(server.upperThreshold)] }
                if server.lowerThreshold > 0 { line += ["-y", String(server.lowerThreshold)] }
                rules.append(line)
            }
        }
        if ruleNode != nil, let scheduler {
            rules = rules.map { Scenario.overrideScheduler($0, scheduler) }
        }
        if let timeoutsNode = value(d, "timeouts") {
            let t = try section(timeoutsNode, "director.timeouts", allowed: ["tcp", "tcpfin", "udp"])
            let tcp = try integer(t, "tcp", min: 0, max: Int(Int32.max)) ?? 0
            let fin = try integer(t, "tcpfin", min: 0, max: Int(Int32.max)) ?? 0
            let udp = try integer(t, "udp", min: 0, max: Int(Int32.max)) ?? 0
            rules.append(["--set", String(tcp), String(fin), String(udp)])
        }
        // Check the rules now, with the kernel's semantics, so `validate` reports them.
        var table = IPVSTable()
        table.knownSchedulers = IPVSTable.kernel612Schedulers
        for args in rules {
            let outcome = IPVSAdm.run(args, table: &table, resolver: .empty)
            if !outcome.succeeded {
                throw fail(ruleNode ?? node, "director: ipvsadm \(args.joined(separator: " ")) fails: \(outcome.stderr.trimmingCharacters(in: .whitespacesAndNewlines))")
            }
        }
        guard let service = table.services.first(where: { $0.key == .address(.tcp, vip) }) ?? (value(d, "service") == nil ? table.services.first : nil),
            case .address(_, let target) = service.key
        else {
            throw fail(value(d, "service") ?? node, "director.service: no TCP virtual service \(vip) in the rules")
        }
        for real in service.servers where !servers.contains(where: { $0.endpoint == real.endpoint }) {
            throw fail(ruleNode ?? node, "director: real server \(real.endpoint) has no entry in servers (workers, speed, …)")
        }
        return (rules, target)
    }

    static func words(_ line: String) -> [String] {
        line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
    }

    static let clientKeys = ["count", "subnet", "zipf", "syn_retries", "retry_refused"]

    func parseClients(_ node: Node) throws(ScenarioError) -> Scenario.Clients {
        let c = try section(node, "clients", allowed: ScenarioLoader.clientKeys)
        var clients = Scenario.Clients()
        if let subnet = try string(c, "subnet") {
            let parts = subnet.split(separator: "/")
            guard parts.count == 2, let address = IPAddress(parts[0]), case .v4(let raw) = address, let bits = Int(parts[1]),
                bits >= 0, bits <= 32
            else { throw fail(value(c, "subnet"), "clients.subnet: \"\(subnet)\" is not an IPv4 subnet like 10.20.0.0/16") }
            let mask: UInt32 = bits == 0 ? 0 : ~UInt32(0) << (32 - bits)
            clients.baseAddress = (raw & mask) &+ 1
            let room = bits >= 31 ? 1 : Int((~mask) - 1)
            clients.count = min(room, 65536)
            if let count = try integer(c, "count", min: 1) {
                guard count <= room else { throw fail(value(c, "count"), "clients.count: \(count) does not fit in \(subnet)") }
                clients.count = count
            }
        } else {
            clients.count = try integer(c, "count", min: 1, max: 1 << 24) ?? clients.count
        }
        clients.zipf = try number(c, "zipf", min: 0)
        clients.synRetries = try integer(c, "syn_retries", min: 0, max: 30) ?? 6
        clients.retryRefused = try bool(c, "retry_refused") ?? false
        return clients
    }

    static let arrivalKeys = ["process", "rate", "utilization", "on_rate", "off_rate", "on_s", "off_s", "segments", "file"]

    func parseArrivals(_ node: Node, meanWork: Double, capacity: Double) throws(ScenarioError) -> Scenario.Arrivals {
        let a = try section(node, "workload.arrivals", allowed: ScenarioLoader.arrivalKeys)
        let process = try string(a, "process", oneOf: ["poisson", "deterministic", "onoff", "piecewise", "replay"]) ?? "poisson"
        func rate() throws(ScenarioError) -> Double {
            let rate = try number(a, "rate", above: 0)
            let utilization = try number(a, "utilization", above: 0)
            if rate != nil && utilization != nil { throw fail(value(a, "utilization"), "give either rate or utilization, not both") }
            if let rate { return rate }
            if let utilization { return utilization * capacity / meanWork }
            throw fail(node, "workload.arrivals: \(process) needs rate (connections/s) or utilization")
        }
        switch process {
        case "poisson": return .poisson(rate: try rate())
        case "deterministic": return .deterministic(rate: try rate())
        case "onoff":
            guard let on = try number(a, "on_rate", above: 0) else { throw fail(node, "workload.arrivals: onoff needs on_rate") }
            let off = try number(a, "off_rate", min: 0) ?? 0
            guard let onS = try number(a, "on_s", above: 0), let offS = try number(a, "off_s", above: 0) else {
                throw fail(node, "workload.arrivals: onoff needs on_s and off_s")
            }
            return .onOff(onRate: on, offRate: off, onSeconds: onS, offSeconds: offS)
        case "piecewise":
            guard let segmentsNode = value(a, "segments"), case .sequence(let items) = segmentsNode, !items.isEmpty else {
                throw fail(value(a, "segments") ?? node, "workload.arrivals: piecewise needs segments, a non-empty list of {until_s, rate}")
            }
            var segments: [(untilSeconds: Double, rate: Double)] = []
            for (index, item) in items.enumerated() {
                let s = try section(item, "workload.arrivals.segments[\(index)]", allowed: ["until_s", "rate"])
                guard let r = try number(s, "rate", min: 0) else { throw fail(item, "segments[\(index)] needs rate") }
                let until = try number(s, "until_s", above: segments.last?.untilSeconds ?? 0) ?? .infinity
                if until == .infinity && index != items.count - 1 { throw fail(item, "segments[\(index)] needs until_s (only the last may omit it)") }
                segments.append((until, r))
            }
            return .piecewise(segments)
        default:
            guard let path = try string(a, "file") else { throw fail(node, "workload.arrivals: replay needs file (a CSV connection log)") }
            return .replay(try readConnectionLog(resolve(path), node: value(a, "file")))
        }
    }

    /// The connection log: CSV with a header; columns `t_s` (required), `client`, `demand_ms`.
    func readConnectionLog(_ path: String, node: Node?) throws(ScenarioError) -> [Scenario.LoggedConnection] {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
            throw fail(node, "workload.arrivals.file: cannot read \(path)")
        }
        var lines = text.split(whereSeparator: \.isNewline).map { String($0) }.filter { !$0.hasPrefix("#") }
        guard !lines.isEmpty else { throw ScenarioError(file: path, line: 1, message: "empty connection log") }
        let header = lines.removeFirst().split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
        guard let timeColumn = header.firstIndex(of: "t_s") else {
            throw ScenarioError(file: path, line: 1, message: "connection log header needs a t_s column (columns: t_s, client, demand_ms)")
        }
        for column in header where !["t_s", "client", "demand_ms"].contains(column) {
            throw ScenarioError(file: path, line: 1, message: "unknown column \"\(column)\" (expected t_s, client, demand_ms)")
        }
        let clientColumn = header.firstIndex(of: "client"), demandColumn = header.firstIndex(of: "demand_ms")
        var rows: [Scenario.LoggedConnection] = []
        var last: Int64 = 0
        for (offset, line) in lines.enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
            let lineNumber = offset + 2
            guard fields.count == header.count, let t = Double(fields[timeColumn]), t >= 0, t.isFinite else {
                throw ScenarioError(file: path, line: lineNumber, message: "bad row (expected \(header.count) fields, t_s ≥ 0)")
            }
            let time = Int64(t * 1e9)
            guard time >= last else { throw ScenarioError(file: path, line: lineNumber, message: "t_s goes backwards") }
            last = time
            var client: IPAddress?
            if let clientColumn, !fields[clientColumn].isEmpty {
                guard let address = IPAddress(fields[clientColumn]) else {
                    throw ScenarioError(file: path, line: lineNumber, message: "bad client address \"\(fields[clientColumn])\"")
                }
                client = address
            }
            var demand: Double?
            if let demandColumn, !fields[demandColumn].isEmpty {
                guard let ms = Double(fields[demandColumn]), ms >= 0, ms.isFinite else {
                    throw ScenarioError(file: path, line: lineNumber, message: "bad demand_ms \"\(fields[demandColumn])\"")
                }
                demand = ms / 1e3
            }
            rows.append(Scenario.LoggedConnection(timeNanoseconds: time, client: client, demandSeconds: demand))
        }
        guard !rows.isEmpty else { throw ScenarioError(file: path, line: 2, message: "connection log has no rows") }
        return rows
    }

    static let distributions = ["exponential", "lognormal", "pareto", "bounded_pareto", "weibull", "deterministic", "empirical"]

    /// A distribution section; parameters carry `unit` (`_ms` for demand) and are multiplied by `scale`.
    func parseDistribution(_ node: Node, _ name: String, unit: String, scale: Double) throws(ScenarioError) -> Distribution {
        let keys = ["distribution", "mean\(unit)", "cv", "shape", "scale\(unit)", "lower\(unit)", "upper\(unit)", "value\(unit)", "samples\(unit)"]
        let s = try section(node, name, allowed: keys)
        guard let kind = try string(s, "distribution", oneOf: ScenarioLoader.distributions) else {
            throw fail(node, "missing key \"distribution\" in \(name) (one of \(ScenarioLoader.distributions.joined(separator: ", ")))")
        }
        func need(_ key: String) throws(ScenarioError) -> Double {
            guard let v = try number(s, key, above: 0) else { throw fail(node, "\(name): \(kind) needs \(key)") }
            return v
        }
        let allowedByKind: [String: [String]] = [
            "exponential": ["mean"], "lognormal": ["mean", "cv"], "pareto": ["shape", "scale"],
            "bounded_pareto": ["shape", "lower", "upper"], "weibull": ["shape", "scale"], "deterministic": ["value"],
            "empirical": ["samples"],
        ]
        let allowed = Set(["distribution"] + allowedByKind[kind]!.map { ["cv", "shape"].contains($0) ? $0 : $0 + unit })
        for pair in s.pairs where !allowed.contains(pair.key) {
            throw fail(pair.keyNode, "\(name): key \"\(pair.key)\" does not apply to \(kind) (expected \(allowed.sorted().joined(separator: ", ")))")
        }
        do {
            switch kind {
            case "exponential": return .exponential(try ExponentialDistribution(mean: try need("mean\(unit)") * scale))
            case "lognormal":
                return .lognormal(try LognormalDistribution(mean: try need("mean\(unit)") * scale, coefficientOfVariation: try need("cv")))
            case "pareto": return .pareto(try ParetoDistribution(shape: try need("shape"), scale: try need("scale\(unit)") * scale))
            case "bounded_pareto":
                let lower = try need("lower\(unit)"), upper = try need("upper\(unit)")
                guard upper > lower else { throw fail(value(s, "upper\(unit)"), "\(name).upper\(unit) must be > lower\(unit)") }
                return .boundedPareto(try BoundedParetoDistribution(shape: try need("shape"), lower: lower * scale, upper: upper * scale))
            case "weibull": return .weibull(try WeibullDistribution(shape: try need("shape"), scale: try need("scale\(unit)") * scale))
            case "deterministic":
                guard let v = try number(s, "value\(unit)", min: 0) else { throw fail(node, "\(name): deterministic needs value\(unit)") }
                return .deterministic(try DeterministicDistribution(value: v * scale))
            default:
                guard let samplesNode = value(s, "samples\(unit)"), case .sequence(let items) = samplesNode, !items.isEmpty else {
                    throw fail(value(s, "samples\(unit)") ?? node, "\(name): empirical needs samples\(unit), a non-empty list of numbers")
                }
                var values: [Double] = []
                for item in items {
                    guard case .scalar(let scalar) = item, let v = Double(scalar.string), v >= 0, v.isFinite else {
                        throw fail(item, "\(name).samples\(unit): \(describe(item)) is not a number ≥ 0")
                    }
                    values.append(v * scale)
                }
                return .empirical(try EmpiricalDistribution(samples: values))
            }
        } catch let error as ScenarioError {
            throw error
        } catch {
            throw fail(node, "\(name): \(error)")
        }
    }
}
