import LVSModel
import Testing

@testable import Simulation

/// The router's ARP cache in the LVS ARP problem (`spec/ipvs-forwarding.md` §6–§7).
extension NetworkTests {
    @Test func firstReplyWinsWithinTheLockTime() {
        var cache = ARPCache()
        cache.markPending(F.vip, at: .zero)
        let request = ARPPacket.request(senderMAC: F.routerMAC, senderIP: F.router, targetIP: F.vip)
        let fromDirector = ARPPacket.reply(to: request, with: F.directorOutsideMAC)
        let fromRealServer = ARPPacket.reply(to: request, with: F.realServerMACs[0])
        #expect(cache.process(fromDirector, isAnsweredByUs: false, at: .milliseconds(1)) == .changed(from: nil))
        #expect(cache.process(fromRealServer, isAnsweredByUs: false, at: .milliseconds(2)) == .lockedOut)
        #expect(cache.lookup(F.vip, at: .milliseconds(3)) == F.directorOutsideMAC)
        // After the 1 s lock time a competing reply takes over.
        #expect(
            cache.process(fromRealServer, isAnsweredByUs: false, at: .milliseconds(1001))
                == .changed(from: F.directorOutsideMAC))
        #expect(cache.lookup(F.vip, at: .milliseconds(1002)) == F.realServerMACs[0])
    }

    @Test func gratuitousARPOverridesImmediatelyButCreatesNothingByDefault() {
        var cache = ARPCache()
        let announcement = ARPPacket.gratuitous(address: F.vip, mac: F.realServerMACs[1])
        #expect(announcement.isGratuitous)
        #expect(announcement.ethernet.destination == .broadcast)
        #expect(cache.process(announcement, isAnsweredByUs: false, at: .zero) == .ignored)
        #expect(cache.lookup(F.vip, at: .zero) == nil)

        cache.set(F.vip, to: F.directorOutsideMAC, at: .zero)
        #expect(
            cache.process(announcement, isAnsweredByUs: false, at: .milliseconds(10))
                == .changed(from: F.directorOutsideMAC))
        #expect(cache.lookup(F.vip, at: .milliseconds(11)) == F.realServerMACs[1])

        var accepting = ARPCache(acceptsUnsolicited: true)
        #expect(accepting.process(announcement, isAnsweredByUs: false, at: .zero) == .created)
    }

    @Test func aRealServerRequestCarryingTheVIPRepointsAnExistingEntry() {
        // arp_announce=0: the real server asks for its gateway with sender IP = VIP.
        var cache = ARPCache()
        cache.set(F.vip, to: F.directorOutsideMAC, at: .zero)
        let host = F.drRealServer(sysctls: InterfaceSysctls(arpIgnore: 1))
        let request = ARPPolicy.request(from: host, outgoingInterface: "eth0", packetSource: F.vip, target: F.router)!
        #expect(request.senderIP == F.vip)
        #expect(cache.process(request, isAnsweredByUs: true, at: .seconds(5)) == .changed(from: F.directorOutsideMAC))
        #expect(cache.lookup(F.vip, at: .seconds(5)) == F.realServerMACs[0])
    }

    @Test func entriesExpireAfterTheReachableTimeButStillTakeUpdates() {
        var cache = ARPCache(reachableTime: .seconds(30))
        cache.set(F.router, to: F.routerMAC, at: .zero)
        #expect(cache.lookup(F.router, at: .seconds(29)) == F.routerMAC)
        #expect(cache.lookup(F.router, at: .seconds(30)) == nil)
        #expect(cache.resolvedNeighbours(at: .seconds(31)).isEmpty)
        let announcement = ARPPacket.gratuitous(address: F.router, mac: F.routerMAC, operation: .reply)
        #expect(cache.process(announcement, isAnsweredByUs: false, at: .seconds(40)) == .refreshed)
        #expect(cache.lookup(F.router, at: .seconds(41)) == F.routerMAC)
        cache.removeEntries(olderThan: .seconds(60), at: .seconds(100))
        #expect(cache.entries.isEmpty)
    }
}
