import Foundation
import LVSModel
import Testing

@testable import Simulation

/// Gratuitous ARP at packet level: a host with `arp_notify=1` announces the
/// addresses of its devices when they come up (the start of the run); a
/// neighbour takes an unsolicited announcement for an address it has no entry
/// for only with `arp_accept=1` (Linux's neighbour rules).
@Suite("Packet level: gratuitous ARP (arp_notify, arp_accept)")
struct PacketLevelGratuitousARPTests {
    static let teachDR = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Scenarios/teach-dr.yaml")

    /// teach-dr with the director's eth0 announcing (arp_notify) and, optionally, the router accepting.
    static func scenario(routerAccepts: Bool) throws -> Scenario {
        var text = try String(contentsOf: teachDR, encoding: .utf8)
        let director = "    sysctls:\n      all: { send_redirects: 0 }\n  real_servers:"
        #expect(text.contains(director))
        text = text.replacingOccurrences(
            of: director, with: "    sysctls:\n      all: { send_redirects: 0 }\n      eth0: { arp_notify: 1 }\n  real_servers:")
        let router = "      - { device: eth1, address: 202.99.59.1/24, segment: outside }\n  director:"
        #expect(text.contains(router))
        if routerAccepts {
            text = text.replacingOccurrences(
                of: router,
                with: "      - { device: eth1, address: 202.99.59.1/24, segment: outside }\n    sysctls:\n      all: { arp_accept: 1 }\n  director:")
        }
        return try ScenarioLoader(file: "teach-dr-garp.yaml").parse(text)
    }

    static let vip = IPAddress("202.99.59.110")!
    static let dip = IPAddress("202.99.59.109")!

    @Test("The director announces the DIP and the VIP (eth0:0) at the start, sender IP = target IP, broadcast")
    func directorAnnouncesBothAddresses() throws {
        let hops = try PacketTrace.follow(scenario: try Self.scenario(routerAccepts: true), connection: 1)
        let announcements = hops.filter { $0.from == "director" && $0.arp.map { $0.senderIP == $0.targetIP } == true }
        #expect(announcements.count == 2)
        #expect(Set(announcements.compactMap { $0.arp?.senderIP }) == [Self.dip, Self.vip])
        // Both leave eth0's FIFO back to back: the second after the first's
        // 60-byte minimum frame at 1,000 Mbit/s, 60 × 8 / 10⁹ s = 480 ns.
        #expect(announcements.map(\.timeNanoseconds) == [0, 480])
        for hop in announcements {
            #expect(hop.destinationMAC == .broadcast)
            #expect(hop.arp?.operation == .request)
            #expect(hop.arp?.senderMAC == hop.sourceMAC)
            #expect(hop.link == "outside")
        }
    }

    @Test("With arp_accept=1 the router learns the VIP from the announcement and never asks for it")
    func acceptingRouterSkipsTheRequest() throws {
        let hops = try PacketTrace.follow(scenario: try Self.scenario(routerAccepts: true), connection: 1)
        #expect(!hops.contains { $0.from == "router" && $0.arp?.operation == .request && $0.arp?.targetIP == Self.vip })
        let syn = try #require(hops.first { $0.from == "router" && $0.flags == "SYN" })
        #expect(syn.destinationIP == Self.vip)
        #expect(syn.to == "director")
    }

    @Test("With arp_accept=0 the announcement creates no entry: the router still asks who has the VIP")
    func defaultRouterStillAsks() throws {
        let hops = try PacketTrace.follow(scenario: try Self.scenario(routerAccepts: false), connection: 1)
        #expect(hops.contains { $0.from == "director" && $0.arp.map { $0.senderIP == $0.targetIP } == true })
        #expect(hops.contains { $0.from == "router" && $0.arp?.operation == .request && $0.arp?.targetIP == Self.vip })
    }

    @Test("arp_notify and arp_accept are checked like the other sysctls (0 or 1)")
    func badValueIsAnError() throws {
        var text = try String(contentsOf: Self.teachDR, encoding: .utf8)
        text = text.replacingOccurrences(of: "all: { send_redirects: 0 }", with: "all: { send_redirects: 0, arp_notify: 2 }")
        #expect(throws: ScenarioError.self) { try ScenarioLoader(file: "x.yaml").parse(text) }
    }
}
