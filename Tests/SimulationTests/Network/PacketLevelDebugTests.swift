import LVSModel
import Testing

@testable import Simulation

@Suite struct PacketLevelDebug {
    @Test func dump() throws {
        for yaml in [PacketLevelFixtures.nat(), PacketLevelFixtures.direct(), PacketLevelFixtures.direct(method: "tun")] {
            let hops = try PacketTrace.follow(scenario: try PacketLevelFixtures.scenario(yaml), connection: 1)
            print(PacketLevelFixtures.show(hops))
            print("----")
        }
    }
}
