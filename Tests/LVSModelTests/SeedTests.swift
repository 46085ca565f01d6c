import Foundation
import LVSModel
import Testing

/// The ipvsadm command lines of the setup guides, run as written.
@Suite("ipvsadm command lines from the LVS setup guides")
struct SeedTests {
    /// An extracted command line and where it came from.
    struct SeedCommand: Equatable {
        var line: Int
        var args: [String]
    }

    /// Finds command lines that invoke ipvsadm (`ipvsadm`, `/sbin/ipvsadm`,
    /// or a shell variable holding it) with options, substituting the
    /// file's simple `name=value` shell variables. Lines that are pipelines,
    /// redirections or usage synopses are not commands to run.
    static func extract(_ text: String) -> [SeedCommand] {
        var variables: [String: String] = [:]
        var invokers: Set<String> = ["ipvsadm", "/sbin/ipvsadm", "/usr/sbin/ipvsadm"]
        var commands: [SeedCommand] = []
        for (number, raw) in text.components(separatedBy: "\n").enumerated() {
            var line = raw.trimmingCharacters(in: .whitespaces)
            if let prompt = line.range(of: "]# ") { line = String(line[prompt.upperBound...]) }
            if let comment = line.range(of: " #") { line = String(line[..<comment.lowerBound]) }
            let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let first = words.first else { continue }
            if words.count == 1, let equals = first.firstIndex(of: "="), !first.hasPrefix("$") {
                let name = String(first[..<equals])
                let value = String(first[first.index(after: equals)...]).trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
                variables[name] = value
                if invokers.contains(value) { invokers.insert("$" + name) }
                continue
            }
            guard invokers.contains(first) else { continue }
            let rest = words.dropFirst()
            if rest.contains(where: { $0 == "|" || $0.hasPrefix(">") || $0.hasPrefix("<") || $0.contains("|") || $0.hasPrefix("[") }) { continue }
            if let option = rest.first, !option.hasPrefix("-") { continue }
            var args: [String] = []
            var resolved = true
            for word in rest {
                var expanded = word
                for (name, value) in variables.sorted(by: { $0.key.count > $1.key.count }) {
                    expanded = expanded.replacingOccurrences(of: "$" + name, with: value)
                }
                if expanded.contains("$") { resolved = false }
                args.append(expanded)
            }
            if resolved { commands.append(SeedCommand(line: number + 1, args: args)) }
        }
        return commands
    }

    /// What real ipvsadm 1.31 answers, per file and line; lines not listed succeed.
    static let expectedFailures: [String: [Int: (Int32, String)]] = [
        "001_6504f4f58fd5ba58.txt": [
            61: (255, "Destination already exists\n"),
            110: (255, "Destination already exists\n"),
        ],
        "002_43523e1c6f13e944.txt": [
            46: (2, "unexpected argument s\n"),
            47: (255, "Service not defined\n"),
            48: (255, "No such service\n"),
            49: (255, "No such service\n"),
            50: (255, "Service not defined\n"),
            51: (255, "Service not defined\n"),
        ],
    ]

    /// The number of command lines each guide holds.
    static let expectedCounts: [String: Int] = [
        "000_82656e9542e8310d.txt": 2, "001_6504f4f58fd5ba58.txt": 9, "002_43523e1c6f13e944.txt": 13,
        "003_dc907abeb622e6cd.txt": 1, "004_72d545b9c54290dd.txt": 11,
    ]

    @Test("every guide's ipvsadm lines give the real tool's outcome when run in order")
    func seedsRunAsTheRealToolDoes() throws {
        let directory = GoldenSupport.seedsDirectory
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path), !names.isEmpty else {
            print("seed guides not found at \(directory.path); skipping")
            return
        }
        var total = 0
        for name in names.filter({ $0.hasSuffix(".txt") }).sorted() {
            let data = try Data(contentsOf: directory.appendingPathComponent(name))
            let commands = Self.extract(String(decoding: data, as: UTF8.self))
            if let count = Self.expectedCounts[name] { #expect(commands.count == count, "\(name): \(commands.map(\.args))") }
            var table = IPVSTable()
            for command in commands {
                total += 1
                // No /etc/hosts names of the guides' machines; Debian's /etc/services.
                let result = IPVSAdm.run(command.args, table: &table, resolver: NameResolver(services: NameResolver.system.services))
                if let (exit, message) = Self.expectedFailures[name]?[command.line] {
                    #expect(result.exitCode == exit, "\(name):\(command.line) \(command.args)")
                    #expect(result.stderr == message, "\(name):\(command.line) \(command.args)")
                } else {
                    #expect(result.exitCode == 0, "\(name):\(command.line) \(command.args): \(result.stderr)")
                }
            }
        }
        print("SEEDS: ran \(total) ipvsadm command lines")
    }

    @Test("the extractor expands shell variables and skips pipelines and synopses")
    func extractorRules() {
        let text = "ipv=/sbin/ipvsadm\nvip=1.2.3.4\n$ipv -A -t $vip:80 -s rr\nipvsadm -Ln | grep x\nipvsadm -A|E -t x\n# yum ipvsadm -y\n[root@x ~]# ipvsadm\n"
        #expect(Self.extract(text) == [SeedCommand(line: 3, args: ["-A", "-t", "1.2.3.4:80", "-s", "rr"]), SeedCommand(line: 7, args: [])])
    }
}
