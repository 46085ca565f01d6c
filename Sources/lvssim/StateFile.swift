import Foundation
import LVSModel

/// The simulated director's table kept between `lvssim ipvsadm` invocations.
///
/// JSON, written atomically (a temporary file in the same folder, then
/// `rename(2)`), so an interrupted command leaves either the old or the new
/// table, never a torn file.
struct StateFile {
    static let formatVersion = 1

    let path: String

    /// `--state PATH`, else `$LVSSIM_STATE`, else
    /// `$XDG_STATE_HOME/lvssim/director.json` (`~/.local/state/lvssim/director.json`).
    static func resolvePath(explicit: String?, environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let explicit, !explicit.isEmpty { return explicit }
        if let fromEnvironment = environment["LVSSIM_STATE"], !fromEnvironment.isEmpty { return fromEnvironment }
        let base: String
        if let xdg = environment["XDG_STATE_HOME"], !xdg.isEmpty {
            base = xdg
        } else {
            base = (environment["HOME"] ?? NSHomeDirectory()) + "/.local/state"
        }
        return base + "/lvssim/director.json"
    }

    struct Contents: Codable {
        var format: String
        var version: Int
        var table: IPVSTable
    }

    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The stored table, or an empty one when the file does not exist yet.
    func load() throws -> IPVSTable {
        guard FileManager.default.fileExists(atPath: path) else { return IPVSTable() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw Failure(description: "\(path): cannot read the state file")
        }
        let contents: Contents
        do {
            contents = try JSONDecoder().decode(Contents.self, from: data)
        } catch let error as DecodingError {
            throw Failure(description: "\(path): corrupt state file (\(Self.describe(error))); delete it to start from an empty table")
        } catch {
            throw Failure(description: "\(path): corrupt state file; delete it to start from an empty table")
        }
        guard contents.format == "lvssim-director-state", contents.version == Self.formatVersion else {
            throw Failure(description: "\(path): not an lvssim state file of version \(Self.formatVersion)")
        }
        return contents.table
    }

    /// Writes the table atomically.
    func save(_ table: IPVSTable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
        let data = try encoder.encode(Contents(format: "lvssim-director-state", version: Self.formatVersion, table: table))
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw Failure(description: "\(path): cannot create folder \(folder.path)")
        }
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: data) else {
            throw Failure(description: "\(path): cannot write the state file")
        }
        if rename(temporary.path, path) != 0 {
            try? FileManager.default.removeItem(at: temporary)
            throw Failure(description: "\(path): cannot replace the state file")
        }
    }

    static func describe(_ error: DecodingError) -> String {
        switch error {
        case .dataCorrupted(let context), .keyNotFound(_, let context), .typeMismatch(_, let context),
            .valueNotFound(_, let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}
