import Foundation
import LVSModel

/// Writes a simulation's decisions as an lvs-trace/1 file (`spec/lvs-trace-format.md`):
/// the meta line, every ipvsadm command, and for every new connection the
/// counters of the service's real servers just before the decision (kernel list
/// order) and the server chosen, then its close. `lvssim replay` checks it.
public final class TraceRecorder {
    private let handle: FileHandle
    private var buffer = ""
    private var pending = ""
    private var lastMs: Int64 = 0

    /// Creates (truncates) `path` and writes the meta line.
    public init(path: String, scenario: String, notes: String = "") throws {
        guard FileManager.default.createFile(atPath: path, contents: nil) else {
            throw SimulationSetupError("cannot create trace file \(path)")
        }
        guard let handle = FileHandle(forWritingAtPath: path) else { throw SimulationSetupError("cannot open trace file \(path)") }
        self.handle = handle
        buffer.reserveCapacity(1 << 20)
        buffer += "{\"op\":\"meta\",\"format\":\"lvs-trace/1\",\"source\":\"lvssim simulation\",\"scenario\":\(Self.quote(scenario)),\"notes\":\(Self.quote(notes))}\n"
    }

    deinit { flush() }

    static func quote(_ text: String) -> String {
        let data = try? JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed])
        let array = data.map { String(decoding: $0, as: UTF8.self) } ?? "[\"\"]"
        return String(array.dropFirst().dropLast())
    }

    func ipvsadm(args: [String], exit: Int32, stderr: String) {
        buffer += "{\"op\":\"ipvsadm\",\"t_ms\":0,\"args\":[\(args.map(Self.quote).joined(separator: ","))],\"exit\":\(exit),\"stderr\":\(Self.quote(stderr))}\n"
    }

    /// Starts a connect line; ``chosen(_:template:)`` completes it.
    func connect(id: Int, now: Int64, client: Endpoint, vip: Endpoint, servers: [RealServer]) {
        let ms = now / 1_000_000
        pending = "{\"op\":\"connect\",\"id\":\(id),\"t_ms\":\(ms),\"proto\":\"tcp\",\"client\":\"\(client)\",\"service\":\"\(vip)\",\"before\":["
        for (index, server) in servers.enumerated() {
            if index > 0 { pending += "," }
            pending += "{\"server\":\"\(server.endpoint)\",\"weight\":\(server.weight),\"active\":\(server.activeConnections),\"inactive\":\(server.inactiveConnections),\"persist\":\(server.persistentConnections)}"
        }
        pending += "]"
    }

    /// Records a persistent service's template just before the decision.
    func template(_ server: Endpoint?) {
        pending += ",\"template\":" + (server.map { "\"\($0)\"" } ?? "null")
    }

    func chosen(_ server: Endpoint?) {
        buffer += pending + ",\"chosen\":" + (server.map { "\"\($0)\"" } ?? "null") + "}\n"
        pending = ""
        if buffer.utf8.count > 1 << 20 { flush() }
    }

    func close(id: Int, now: Int64) {
        buffer += "{\"op\":\"close\",\"id\":\(id),\"t_ms\":\(now / 1_000_000)}\n"
        if buffer.utf8.count > 1 << 20 { flush() }
    }

    /// Writes what is buffered.
    public func flush() {
        guard !buffer.isEmpty else { return }
        handle.write(Data(buffer.utf8))
        buffer.removeAll(keepingCapacity: true)
    }
}
