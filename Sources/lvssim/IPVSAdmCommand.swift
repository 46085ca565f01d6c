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

    /// What one invocation printed and returned.
    struct Output: Equatable {
        var stdout = ""
        var stderr = ""
        var exitCode: Int32 = 0
    }

    /// Runs the tool on the process's streams and returns its exit status.
    static func runTool(_ rawArguments: [String], environment: [String: String] = ProcessInfo.processInfo.environment)
        -> Int32
    {
        let readsStandardInput = rawArguments.contains { $0 == "-R" || $0 == "--restore" }
        let input = readsStandardInput ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : nil
        let output = execute(rawArguments, environment: environment, stdin: input)
        writeOut(output.stdout)
        if !output.stderr.isEmpty { FileHandle.standardError.write(Data(output.stderr.utf8)) }
        return output.exitCode
    }

    /// Runs one invocation in-process: lvssim's own options, the state file, ipvsadm.
    static func execute(_ rawArguments: [String], environment: [String: String], stdin input: String?) -> Output {
        var output = Output()
        func fail(_ message: String, _ code: Int32) -> Output {
            output.stderr += message + "\n"
            output.exitCode = code
            return output
        }
        var arguments = rawArguments
        var statePath: String?
        var kernel = environment["LVSSIM_KERNEL"] ?? "6.1"
        // lvssim's own options come first; everything after is ipvsadm's.
        while let first = arguments.first {
            if first == "--state" || first == "--kernel" {
                guard arguments.count >= 2 else { return fail("lvssim ipvsadm: \(first) needs a value", 64) }
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
            return fail("lvssim ipvsadm: unknown --kernel \"\(kernel)\" (expected 6.1 or 6.12)", 64)
        }
        let file = StateFile(path: StateFile.resolvePath(explicit: statePath, environment: environment))
        var table: IPVSTable
        do {
            table = try file.load()
        } catch {
            return fail("lvssim ipvsadm: \(error)", 65)
        }
        table.knownSchedulers = knownSchedulers
        let result = IPVSAdm.run(arguments, table: &table, stdin: input)
        output.stdout = result.stdout
        output.stderr = result.stderr
        output.exitCode = result.exitCode
        // A restore that fails half-way keeps the lines before the failure, as the kernel does.
        if !result.changes.isEmpty {
            do {
                try file.save(table)
            } catch {
                return fail("lvssim ipvsadm: \(error)", 1)
            }
        }
        return output
    }
}
