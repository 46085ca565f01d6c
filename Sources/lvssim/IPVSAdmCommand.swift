import ArgumentParser
import Foundation
import LVSModel
import Schedulers

/// `lvssim ipvsadm ARGS…`: one ipvsadm 1.31 command against the simulated
/// director whose table persists in a state file.
struct IPVSAdmCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ipvsadm",
        abstract: "Run one ipvsadm command against the simulated director.",
        discussion: """
            Every ipvsadm 1.31 command and option works as on a real director, with the same \
            output and exit status. The table persists between invocations in a state file: \
            --state PATH (given before the ipvsadm arguments), else $LVSSIM_STATE, else \
            $XDG_STATE_HOME/lvssim/director.json. --kernel 6.12 (or LVSSIM_KERNEL=6.12) emulates \
            a kernel that has the twos scheduler; the default is Linux 6.1.

            Examples:
              lvssim ipvsadm -A -t 10.10.0.100:80 -s wlc
              lvssim ipvsadm -a -t 10.10.0.100:80 -r 10.30.0.1:80 -m -w 3
              lvssim ipvsadm -Ln
              lvssim ipvsadm -R < rules
            """
    )

    @Argument(parsing: .captureForPassthrough, help: "The ipvsadm arguments.")
    var arguments: [String] = []

    mutating func run() throws {
        let code = Self.runTool(arguments)
        if code != 0 { throw ExitCode(code) }
    }

    /// Runs the tool and returns its exit status.
    static func runTool(_ rawArguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment)
        -> Int32
    {
        var arguments = rawArguments
        var statePath: String?
        var kernel = environment["LVSSIM_KERNEL"] ?? "6.1"
        // lvssim's own options come first; everything after is ipvsadm's.
        while let first = arguments.first {
            if first == "--state" || first == "--kernel" {
                guard arguments.count >= 2 else {
                    printError("lvssim ipvsadm: \(first) needs a value")
                    return 64
                }
                if first == "--state" { statePath = arguments[1] } else { kernel = arguments[1] }
                arguments.removeFirst(2)
            } else if first.hasPrefix("--state=") {
                statePath = String(first.dropFirst("--state=".count))
                arguments.removeFirst()
            } else if first.hasPrefix("--kernel=") {
                kernel = String(first.dropFirst("--kernel=".count))
                arguments.removeFirst()
            } else {
                break
            }
        }
        let knownSchedulers: Set<String>
        switch kernel {
        case "6.1": knownSchedulers = IPVSTable.kernel61Schedulers
        case "6.12": knownSchedulers = IPVSTable.kernel612Schedulers
        default:
            printError("lvssim ipvsadm: unknown --kernel \"\(kernel)\" (expected 6.1 or 6.12)")
            return 64
        }
        let file = StateFile(path: StateFile.resolvePath(explicit: statePath, environment: environment))
        var table: IPVSTable
        do {
            table = try file.load()
        } catch {
            printError("lvssim ipvsadm: \(error)")
            return 65
        }
        table.knownSchedulers = knownSchedulers.union(SchedulerRegistry.allKernel.names.intersection(knownSchedulers))
        let readsStandardInput = arguments.contains { $0 == "-R" || $0 == "--restore" }
        var input: String?
        if readsStandardInput {
            let data = FileHandle.standardInput.readDataToEndOfFile()
            input = String(decoding: data, as: UTF8.self)
        }
        let result = IPVSAdm.run(arguments, table: &table, stdin: input)
        writeOut(result.stdout)
        if !result.stderr.isEmpty { FileHandle.standardError.write(Data(result.stderr.utf8)) }
        // A restore that fails half-way keeps the lines before the failure, as the kernel does.
        if !result.changes.isEmpty {
            do {
                try file.save(table)
            } catch {
                printError("lvssim ipvsadm: \(error)")
                return 1
            }
        }
        return result.exitCode
    }
}
