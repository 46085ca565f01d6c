import ArgumentParser

@main
struct LVSSim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lvssim",
        abstract: "LVS (IPVS) cluster simulator and scheduler research tool."
    )
}
