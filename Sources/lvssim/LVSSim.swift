import ArgumentParser
import Foundation

@main
struct LVSSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lvssim",
        abstract: "LVS (IPVS) cluster simulator and scheduler research tool.",
        discussion: """
            Configure a simulated director exactly as a real one (ipvsadm command lines and \
            ipvsadm-save files), replay real-kernel decision traces against lvssim's schedulers, \
            and measure them.
            """,
        subcommands: [IPVSAdmCommand.self, ReplayCommand.self, SchedulersCommand.self, BenchCommand.self, RunCommand.self, CompareCommand.self, ValidateCommand.self, TraceCommand.self]
    )

    /// `lvssim ipvsadm …` hands every argument to the ipvsadm emulation
    /// untouched (`-h`, `--help` and `--version` included), so it is
    /// dispatched before the argument parser sees them.
    static func main() {
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments.first == "ipvsadm" {
            let code = IPVSAdmCommand.runTool(Array(arguments.dropFirst()))
            Foundation.exit(code)
        }
        main(arguments)
    }
}

/// Writes a diagnostic line to standard error.
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Writes text to standard output without adding a newline.
func writeOut(_ text: String) {
    FileHandle.standardOutput.write(Data(text.utf8))
}
