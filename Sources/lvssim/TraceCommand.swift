import ArgumentParser
import Foundation
import Simulation

/// `lvssim trace SCENARIO [--connection N] [--format text|json|html]`.
struct TraceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trace",
        abstract: "Follow one connection hop by hop through a packet-level scenario.",
        discussion: """
            Prints every frame of connection N (and the ARP exchanges it needs) on every link: time, \
            link, sending and receiving host, MAC addresses, IP addresses and ports, TCP flags, the \
            IPIP outer header and the fields the sending host rewrote. text: an aligned table (a * \
            marks a rewritten value); json: an array with one object per hop (schema in the README); \
            html: one self-contained page with a sequence diagram. Exit status: 0 ok, 64 usage, \
            65 bad scenario or no such connection, 66 unreadable scenario, 73 cannot write --out.

            Examples:
              lvssim trace Scenarios/teach-nat.yaml
              lvssim trace Scenarios/teach-dr.yaml --connection 2 --format json
              lvssim trace Scenarios/teach-tun.yaml --format html --out tun.html
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable, Sendable {
        case text, json, html
    }

    @Argument(help: "Scenario file (YAML, level: packet; see docs/packet-level.md).")
    var scenario: String

    @Option(help: "The connection to follow, counted from 1 in order of arrival.")
    var connection: Int = 1

    @Option(help: "Output format: text, json or html.")
    var format: Format = .text

    @Option(help: "Write to this file instead of standard output.")
    var out: String?

    @Flag(help: "Text format: also draw rewritten values bold (only when standard output is a terminal).")
    var bold = false

    func validate() throws {
        if connection < 1 { throw ValidationError("--connection must be at least 1") }
    }

    /// Where the hops come from: the packet-level simulation.
    static func follow(scenario: Scenario, connection: Int) throws -> [PacketHop] {
        try PacketTrace.follow(scenario: scenario, connection: connection)
    }


    /// A failure: one line for stderr and the exit status.
    struct Failure: Error, Equatable {
        var message: String
        var exitCode: Int32
    }

    mutating func run() throws {
        let emphasis = bold && out == nil && isatty(STDOUT_FILENO) != 0
        let rendered: String
        do {
            rendered = try Self.render(
                path: scenario, connection: connection, format: format, emphasis: emphasis, source: Self.follow)
        } catch {
            printError(error.message)
            throw ExitCode(error.exitCode)
        }
        if let out {
            do {
                try Data(rendered.utf8).write(to: URL(fileURLWithPath: out))
            } catch {
                printError("lvssim trace: cannot write \(out): \(error.localizedDescription)")
                throw ExitCode(73)
            }
        } else {
            writeOut(rendered)
        }
    }

    /// Loads the scenario at `path`, follows `connection` with `source` and
    /// renders the hops; every failure is a ``Failure`` (66 unreadable, 65
    /// bad scenario or untraceable connection).
    static func render(
        path: String, connection: Int, format: Format, emphasis: Bool = false,
        source: (Scenario, Int) throws -> [PacketHop]
    ) throws(Failure) -> String {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw Failure(message: "lvssim trace: \(path): cannot read file", exitCode: 66)
        }
        let scenario: Scenario
        do {
            scenario = try ScenarioLoader(file: path).parse(text)
        } catch {
            throw Failure(message: "lvssim trace: \(error)", exitCode: 65)
        }
        let hops: [PacketHop]
        do {
            hops = try source(scenario, connection)
        } catch {
            throw Failure(message: "lvssim trace: \(path): \(error)", exitCode: 65)
        }
        return render(hops, scenario: scenario, connection: connection, format: format, emphasis: emphasis)
    }

    /// The hops in `format`; text gets a heading line naming the scenario and connection.
    static func render(
        _ hops: [PacketHop], scenario: Scenario, connection: Int, format: Format, emphasis: Bool = false
    ) -> String {
        let title = "\(scenario.name), connection \(connection)"
        switch format {
        case .text:
            return "trace of \(title) (\(scenario.file)): \(hops.count) hops\n\n"
                + TraceTextRenderer.render(hops, emphasis: emphasis)
        case .json:
            return TraceJSONRenderer.render(hops)
        case .html:
            return TraceHTMLRenderer.render(hops, title: title)
        }
    }
}
