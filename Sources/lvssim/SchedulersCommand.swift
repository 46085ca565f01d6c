import ArgumentParser
import Schedulers

/// `lvssim schedulers`: the scheduler names ipvsadm rules and scenarios accept.
struct SchedulersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "schedulers",
        abstract: "List the schedulers lvssim implements.",
        discussion: "Example:\n  lvssim schedulers"
    )

    mutating func run() throws {
        for kind in SchedulerKind.allCases {
            writeOut(kind.name + (SchedulerKind.linux61.contains(kind) ? "" : "  (Linux 6.7 and later)") + "\n")
        }
    }
}
