import Foundation
import LVSModel

/// One line of an lvs-trace/1 decision trace (`spec/lvs-trace-format.md`).
public enum LVSTraceRecord: Hashable, Sendable {
    case meta(TraceMeta)
    case ipvsadm(TraceIPVSAdm)
    case connect(TraceConnect)
    case close(id: Int, tMs: Int64)
    case listing(tMs: Int64, args: [String], stdout: String)
}

/// The first line: format, source and scenario.
public struct TraceMeta: Hashable, Sendable {
    public var format: String
    public var source: String
    public var scenario: String
    public var notes: String

    public init(format: String = LVSTrace.formatName, source: String, scenario: String, notes: String = "") {
        self.format = format
        self.source = source
        self.scenario = scenario
        self.notes = notes
    }
}

/// A configuration command and what the real ipvsadm returned.
public struct TraceIPVSAdm: Hashable, Sendable {
    public var tMs: Int64
    public var args: [String]
    public var exit: Int32
    public var stderr: String

    public init(tMs: Int64, args: [String], exit: Int32, stderr: String) {
        self.tMs = tMs
        self.args = args
        self.exit = exit
        self.stderr = stderr
    }
}

/// A server's counters just before a decision, in kernel list order.
public struct TraceServerCounters: Hashable, Sendable {
    public var server: Endpoint
    public var weight: Int32
    public var active: Int32
    public var inactive: Int32
    public var persist: Int32

    public init(server: Endpoint, weight: Int32, active: Int32, inactive: Int32, persist: Int32) {
        self.server = server
        self.weight = weight
        self.active = active
        self.inactive = inactive
        self.persist = persist
    }
}

/// Which service a connection hit.
public enum TraceService: Hashable, Sendable, CustomStringConvertible {
    case address(Endpoint)
    case fwmark(UInt32)

    public var description: String {
        switch self {
        case .address(let endpoint): return endpoint.description
        case .fwmark(let mark): return "fwmark:\(mark)"
        }
    }
}

/// One scheduled connection: counters before, and the real server chosen.
public struct TraceConnect: Hashable, Sendable {
    public var id: Int
    public var tMs: Int64
    public var proto: TransportProtocol
    public var client: Endpoint
    public var service: TraceService
    /// The packet's destination for firewall-mark services.
    public var destination: Endpoint?
    public var before: [TraceServerCounters]
    /// nil when the kernel assigned no server.
    public var chosen: Endpoint?
    /// For persistent services: whether the line recorded a template field, and its server.
    public var hasTemplateField: Bool
    public var template: Endpoint?
    public var isRacy: Bool

    public init(
        id: Int, tMs: Int64, proto: TransportProtocol, client: Endpoint, service: TraceService, destination: Endpoint? = nil,
        before: [TraceServerCounters], chosen: Endpoint?, hasTemplateField: Bool = false, template: Endpoint? = nil,
        isRacy: Bool = false
    ) {
        self.id = id
        self.tMs = tMs
        self.proto = proto
        self.client = client
        self.service = service
        self.destination = destination
        self.before = before
        self.chosen = chosen
        self.hasTemplateField = hasTemplateField
        self.template = template
        self.isRacy = isRacy
    }

    /// The packet's destination address and port.
    public var packetDestination: Endpoint? {
        if let destination { return destination }
        if case .address(let endpoint) = service { return endpoint }
        return nil
    }
}

/// A problem in a trace file, with its location.
public struct TraceError: Error, Hashable, Sendable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var problem: String

    public init(file: String, line: Int, problem: String) {
        self.file = file
        self.line = line
        self.problem = problem
    }

    public var description: String { "\(file):\(line): \(problem)" }
}

/// Reading and writing lvs-trace/1 files.
public enum LVSTrace {
    public static let formatName = "lvs-trace/1"

    /// Parses a whole trace; blank lines are skipped. Throws ``TraceError``
    /// naming the file and the 1-based line of the first problem.
    public static func parse(_ text: String, file: String) throws(TraceError) -> [(line: Int, record: LVSTraceRecord)] {
        var records: [(line: Int, record: LVSTraceRecord)] = []
        var lineNumber = 0
        for rawLine in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty { continue }
            do {
                let record = try parseLine(line)
                if records.isEmpty, case .meta(let meta) = record, meta.format != formatName {
                    throw TraceLineError("unsupported format \"\(meta.format)\" (expected \(formatName))")
                }
                records.append((lineNumber, record))
            } catch let error as TraceLineError {
                throw TraceError(file: file, line: lineNumber, problem: error.message)
            } catch {
                throw TraceError(file: file, line: lineNumber, problem: "\(error)")
            }
        }
        return records
    }

    /// Reads and parses a trace file.
    public static func read(path: String) throws(TraceError) -> [(line: Int, record: LVSTraceRecord)] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TraceError(file: path, line: 0, problem: "cannot read file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TraceError(file: path, line: 0, problem: "not UTF-8 text")
        }
        return try parse(text, file: path)
    }

    struct TraceLineError: Error {
        var message: String
        init(_ message: String) { self.message = message }
    }

    static func parseLine(_ line: String) throws -> LVSTraceRecord {
        let object: Any
        do {
            object = try JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed])
        } catch {
            throw TraceLineError("malformed JSON")
        }
        guard let dict = object as? [String: Any] else { throw TraceLineError("expected a JSON object") }
        let fields = Fields(dict)
        let op: String = try fields.required("op")
        switch op {
        case "meta":
            return .meta(
                TraceMeta(
                    format: try fields.required("format"), source: fields.optional("source") ?? "",
                    scenario: fields.optional("scenario") ?? "", notes: fields.optional("notes") ?? ""))
        case "ipvsadm":
            return .ipvsadm(
                TraceIPVSAdm(
                    tMs: try fields.integer("t_ms"), args: try fields.required("args"),
                    exit: Int32(clamping: try fields.integer("exit")), stderr: fields.optional("stderr") ?? ""))
        case "close":
            return .close(id: Int(try fields.integer("id")), tMs: try fields.integer("t_ms"))
        case "listing":
            return .listing(tMs: try fields.integer("t_ms"), args: try fields.required("args"), stdout: try fields.required("stdout"))
        case "connect":
            return .connect(try parseConnect(fields))
        default:
            throw TraceLineError("unknown op \"\(op)\"")
        }
    }

    static func parseConnect(_ fields: Fields) throws -> TraceConnect {
        let protoName: String = try fields.required("proto")
        guard let proto = TransportProtocol(name: protoName) else { throw TraceLineError("unknown proto \"\(protoName)\"") }
        let client = try fields.endpoint("client")
        let serviceText: String = try fields.required("service")
        let service: TraceService
        if serviceText.hasPrefix("fwmark:") {
            guard let mark = UInt32(serviceText.dropFirst(7)), mark > 0 else {
                throw TraceLineError("bad service \"\(serviceText)\"")
            }
            service = .fwmark(mark)
        } else {
            guard let endpoint = Endpoint(serviceText) else { throw TraceLineError("bad service \"\(serviceText)\"") }
            service = .address(endpoint)
        }
        let destination = fields.has("dest") ? try fields.endpoint("dest") : nil
        if case .fwmark = service, destination == nil { throw TraceLineError("fwmark connect without \"dest\"") }
        guard let beforeList = fields.dict["before"] as? [Any] else { throw TraceLineError("missing or bad \"before\"") }
        var before: [TraceServerCounters] = []
        for item in beforeList {
            guard let entry = item as? [String: Any] else { throw TraceLineError("bad \"before\" entry") }
            let f = Fields(entry)
            before.append(
                TraceServerCounters(
                    server: try f.endpoint("server"), weight: Int32(clamping: try f.integer("weight")),
                    active: Int32(clamping: try f.integer("active")), inactive: Int32(clamping: try f.integer("inactive")),
                    persist: Int32(clamping: try f.integer("persist"))))
        }
        guard fields.has("chosen") else { throw TraceLineError("missing \"chosen\"") }
        let chosen = fields.isNull("chosen") ? nil : try fields.endpoint("chosen")
        // The template field is either the server ("A.B.C.D:PORT") or, as the
        // recorded kernels write it, {"from": client, "dest": server, "expires_s": N}.
        let hasTemplate = fields.has("template")
        var template: Endpoint?
        if hasTemplate && !fields.isNull("template") {
            if let object = fields.dict["template"] as? [String: Any] {
                template = try Fields(object).endpoint("dest")
            } else {
                template = try fields.endpoint("template")
            }
        }
        return TraceConnect(
            id: Int(try fields.integer("id")), tMs: try fields.integer("t_ms"), proto: proto, client: client,
            service: service, destination: destination, before: before, chosen: chosen, hasTemplateField: hasTemplate,
            template: template, isRacy: (fields.dict["racy"] as? Bool) ?? false)
    }

    struct Fields {
        let dict: [String: Any]
        init(_ dict: [String: Any]) { self.dict = dict }

        func has(_ key: String) -> Bool { dict[key] != nil }
        func isNull(_ key: String) -> Bool { dict[key] is NSNull }

        func required<T>(_ key: String) throws -> T {
            guard let raw = dict[key] else { throw TraceLineError("missing \"\(key)\"") }
            guard let value = raw as? T else { throw TraceLineError("bad \"\(key)\"") }
            return value
        }

        func optional<T>(_ key: String) -> T? { dict[key] as? T }

        func integer(_ key: String) throws -> Int64 {
            guard let raw = dict[key] else { throw TraceLineError("missing \"\(key)\"") }
            guard let number = raw as? NSNumber, String(describing: type(of: raw)) != "__NSCFBoolean" else {
                throw TraceLineError("\"\(key)\" is not a number")
            }
            let value = number.doubleValue
            guard value == value.rounded(), abs(value) < 9e15 else { throw TraceLineError("\"\(key)\" is not an integer") }
            return Int64(value)
        }

        func endpoint(_ key: String) throws -> Endpoint {
            let text: String = try required(key)
            guard let endpoint = Endpoint(text) else { throw TraceLineError("bad address \"\(text)\" in \"\(key)\"") }
            return endpoint
        }
    }
}
