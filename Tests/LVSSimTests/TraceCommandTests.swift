import ArgumentParser
import Foundation
import LVSModel
import Simulation
import Testing

@testable import lvssim

/// `lvssim trace`: options, the scenario loader's errors, and the hops from
/// an injected source rendered in each format.
@Suite struct TraceCommandTests {
    /// A scenario the loader accepts (the repository's M/M/4 check).
    static let scenarioPath = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Scenarios/mmc-validation.yaml").path

    static func temporaryFile(_ text: String) throws -> String {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("lvssim-trace-\(UUID().uuidString).yaml")
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// Two hops of a DR connection: the client's SYN and the router forwarding it.
    static let hops: [PacketHop] = [
        PacketHop(
            timeNanoseconds: 0, link: "internet", from: "client", to: "router",
            sourceMAC: MACAddress("02:00:00:00:0c:01")!, destinationMAC: MACAddress("02:00:00:00:00:02")!, proto: .tcp,
            sourceIP: IPAddress("172.16.1.10")!, destinationIP: IPAddress("202.99.59.110")!, sourcePort: 40001,
            destinationPort: 80, flags: "SYN", sequence: 1, acknowledgement: 0, ipLength: 60),
        PacketHop(
            timeNanoseconds: 2_000_480, link: "outside", from: "router", to: "director",
            sourceMAC: MACAddress("02:00:00:00:00:01")!, destinationMAC: MACAddress("02:00:00:00:00:d0")!, proto: .tcp,
            sourceIP: IPAddress("172.16.1.10")!, destinationIP: IPAddress("202.99.59.110")!, sourcePort: 40001,
            destinationPort: 80, flags: "SYN", sequence: 1, acknowledgement: 0, ipLength: 60,
            rewritten: [.ethernetSource, .ethernetDestination, .ttl, .ipChecksum]),
    ]

    @Test func optionsDefaultToConnectionOneAsText() throws {
        let command = try TraceCommand.parse(["s.yaml"])
        #expect(command.scenario == "s.yaml")
        #expect(command.connection == 1)
        #expect(command.format == .text)
        #expect(command.out == nil)
        #expect(command.bold == false)
        let json = try TraceCommand.parse(["s.yaml", "--connection", "3", "--format", "json", "--out", "t.json"])
        #expect(json.connection == 3)
        #expect(json.format == .json)
        #expect(json.out == "t.json")
    }

    @Test func badOptionsAreUsageErrors() {
        for arguments in [["s.yaml", "--connection", "0"], ["s.yaml", "--format", "xml"], [], ["s.yaml", "--connection", "x"]] {
            do {
                _ = try TraceCommand.parse(arguments)
                Issue.record("accepted \(arguments)")
            } catch {
                #expect(TraceCommand.exitCode(for: error) == ExitCode(64), "\(arguments)")
            }
        }
        #expect(TraceCommand.message(for: ValidationError("--connection must be at least 1")).contains("at least 1"))
    }

    @Test func rendersTheSourcesHopsInEachFormat() throws {
        var asked: [Int] = []
        let source: (Scenario, Int) throws -> [PacketHop] = { scenario, connection in
            #expect(scenario.name == "mmc-validation")
            asked.append(connection)
            return Self.hops
        }
        let text = try TraceCommand.render(path: Self.scenarioPath, connection: 2, format: .text, source: source)
        #expect(text.hasPrefix("trace of mmc-validation, connection 2 ("))
        #expect(text.contains("2 hops\n\n"))
        #expect(text.contains(TraceTextRenderer.render(Self.hops)))
        let json = try TraceCommand.render(path: Self.scenarioPath, connection: 2, format: .json, source: source)
        #expect(json == TraceJSONRenderer.render(Self.hops))
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
        #expect(parsed?.count == 2)
        let html = try TraceCommand.render(path: Self.scenarioPath, connection: 2, format: .html, source: source)
        #expect(html == TraceHTMLRenderer.render(Self.hops, title: "mmc-validation, connection 2"))
        #expect(asked == [2, 2, 2])
    }

    @Test func unreadableScenarioExits66() {
        #expect(throws: TraceCommand.Failure(message: "lvssim trace: /nonexistent/x.yaml: cannot read file", exitCode: 66)) {
            try TraceCommand.render(path: "/nonexistent/x.yaml", connection: 1, format: .text) { _, _ in [] }
        }
    }

    @Test func badScenarioExits65() throws {
        let path = try Self.temporaryFile("name: broken\nno_such_key: 1\n")
        do {
            _ = try TraceCommand.render(path: path, connection: 1, format: .text) { _, _ in [] }
            Issue.record("accepted a bad scenario")
        } catch {
            #expect(error.exitCode == 65)
            #expect(error.message.hasPrefix("lvssim trace: "))
            #expect(!error.message.contains("\n"))
        }
    }

    @Test func aScenarioWithoutANetworkSectionFailsWith65() {
        do {
            _ = try TraceCommand.render(path: Self.scenarioPath, connection: 1, format: .json, source: TraceCommand.follow)
            Issue.record("the packet level traced a scenario without a network")
        } catch {
            #expect(error.exitCode == 65)
            #expect(error.message.contains("mmc-validation.yaml"))
            #expect(error.message.contains("no network section"))
        }
    }

    /// The bundled NAT lesson through the real packet-level simulation: the
    /// client's SYN leaves for the VIP untouched; the director's hop to a real
    /// server rewrites the destination to one of 192.168.10.1-3 port 80; the
    /// reply the director passes back to the router carries the VIP as source.
    @Test func teachNATTracesTheDirectorsRewritesBothWays() throws {
        let path = URL(fileURLWithPath: Self.scenarioPath).deletingLastPathComponent()
            .appendingPathComponent("teach-nat.yaml").path
        let json = try TraceCommand.render(path: path, connection: 1, format: .json, source: TraceCommand.follow)
        let hops = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]])
        let syn = try #require(hops.first { $0["proto"] as? String == "tcp" && $0["from"] as? String == "client" })
        #expect(syn["flags"] as? String == "SYN")
        #expect(syn["dst_ip"] as? String == "202.99.59.110")
        #expect(syn["dst_port"] as? Int == 80)
        #expect((syn["rewritten"] as? [String])?.isEmpty == true)
        let inbound = try #require(hops.first {
            $0["from"] as? String == "director" && $0["proto"] as? String == "tcp" && $0["link"] as? String == "inside"
        })
        #expect(["192.168.10.1", "192.168.10.2", "192.168.10.3"].contains(inbound["dst_ip"] as? String ?? ""))
        #expect(inbound["dst_port"] as? Int == 80)
        #expect((inbound["rewritten"] as? [String])?.contains("ip.dst") == true)
        #expect(inbound["src_ip"] as? String == syn["src_ip"] as? String)
        let outbound = try #require(hops.first {
            $0["from"] as? String == "director" && $0["proto"] as? String == "tcp" && $0["link"] as? String == "outside"
        })
        #expect(outbound["flags"] as? String == "SYN,ACK")
        #expect(outbound["src_ip"] as? String == "202.99.59.110")
        #expect(outbound["src_port"] as? Int == 80)
        #expect((outbound["rewritten"] as? [String])?.contains("ip.src") == true)
        #expect(hops.contains { $0["proto"] as? String == "arp" && $0["op"] as? String == "request" })
    }

    @Test func sourceErrorsExit65WithTheirMessage() {
        struct NoSuchConnection: Error, CustomStringConvertible {
            var description: String { "connection 9 does not exist (the scenario has 5)" }
        }
        do {
            _ = try TraceCommand.render(path: Self.scenarioPath, connection: 9, format: .text) { _, _ in
                throw NoSuchConnection()
            }
            Issue.record("no error")
        } catch {
            #expect(error == TraceCommand.Failure(
                message: "lvssim trace: \(Self.scenarioPath): connection 9 does not exist (the scenario has 5)", exitCode: 65))
        }
    }
}
