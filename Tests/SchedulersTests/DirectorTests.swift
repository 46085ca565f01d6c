import LVSModel
import Schedulers
import Testing

/// The director's new-connection path and connection accounting, on
/// timelines worked by hand from the kernel's rules (spec §2, §3, §5).
@Suite struct DirectorTests {
    static let second: Int64 = 1_000_000_000
    static let vip = Endpoint(address: IPAddress("10.10.0.100")!, port: 80)

    /// A director with one TCP service and NAT (or DR) servers added in the given order.
    static func director(
        _ rules: [[String]], kernel: Set<String> = IPVSTable.kernel61Schedulers, registry: SchedulerRegistry = .allKernel
    ) -> IPVSDirector<SplitMix64RandomSource> {
        var director = IPVSDirector(table: IPVSTable(), registry: registry, random: SplitMix64RandomSource(seed: 1))
        for rule in rules {
            var exitCode: Int32 = 0
            var stderr = ""
            director.configure { table in
                table.knownSchedulers = kernel.union(registry.names)
                let result = IPVSAdm.run(rule, table: &table)
                exitCode = result.exitCode
                stderr = result.stderr
                return result.changes
            }
            precondition(exitCode == 0, "rule \(rule) failed: \(stderr)")
        }
        return director
    }

    static func client(_ text: String) -> Endpoint { Endpoint(text)! }

    /// Counters of 10.30.0.<last>:80 as (active, inactive, persist).
    static func counters(_ director: IPVSDirector<SplitMix64RandomSource>, _ last: Int, port: UInt16 = 80)
        -> (Int32, Int32, Int32)
    {
        let service = director.table.services[0]
        let server = service.servers[service.serverIndex(address: .v4(0x0A1E_0000 | UInt32(last)), port: port)!]
        return (server.activeConnections, server.inactiveConnections, server.persistentConnections)
    }

    static func scheduled(_ outcome: ScheduleOutcome) -> ScheduledConnection? {
        if case .scheduled(let connection) = outcome { return connection }
        return nil
    }

    static let natRules: [[String]] = [
        ["-A", "-t", "10.10.0.100:80", "-s", "wlc"],
        ["-a", "-t", "10.10.0.100:80", "-r", "10.30.0.1:80", "-m"],
        ["-a", "-t", "10.10.0.100:80", "-r", "10.30.0.2:80", "-m"],
    ]

    @Test func natConnectionIsActiveUntilCloseThenInactiveForTimeWaitThenGone() throws {
        var director = Self.director(Self.natRules)
        // Kernel list is .2, .1 (newest first); both idle → wlc picks .2.
        let first = try #require(Self.scheduled(director.connect(proto: .tcp, client: Self.client("10.20.0.1:1000"), destination: Self.vip, now: 0)))
        #expect(first.destination.description == "10.30.0.2:80")
        #expect(Self.counters(director, 2) == (1, 0, 0))  // SYN → SYN_RECV, active
        let id = try #require(first.id)
        director.receive(id, flags: .synAck, direction: .output, now: 0)
        director.receive(id, flags: .ack, direction: .input, now: 0)
        #expect(director.connections[id].state == .established)
        // Next client: .2 has overhead 256, .1 has 0 → .1.
        let second = try #require(Self.scheduled(director.connect(proto: .tcp, client: Self.client("10.20.0.2:1000"), destination: Self.vip, now: Self.second)))
        #expect(second.destination.description == "10.30.0.1:80")
        // Client closes at t = 2 s: FIN in → CLOSE_WAIT (inactive), ACK out, FIN out → TIME_WAIT, ACK in.
        director.receive(id, flags: .finAck, direction: .input, now: 2 * Self.second)
        #expect(Self.counters(director, 2) == (0, 1, 0))
        director.receive(id, flags: .ack, direction: .output, now: 2 * Self.second)
        director.receive(id, flags: .finAck, direction: .output, now: 2 * Self.second)
        let expiry = director.receive(id, flags: .ack, direction: .input, now: 2 * Self.second)
        #expect(director.connections[id].state == .timeWait)
        #expect(expiry == 122 * Self.second)  // TIME_WAIT lasts 120 s after the last packet
        // A third client at 3 s: .2 overhead 1 (inactive) beats .1 overhead 256.
        let third = try #require(Self.scheduled(director.connect(proto: .tcp, client: Self.client("10.20.0.3:1000"), destination: Self.vip, now: 3 * Self.second)))
        #expect(third.destination.description == "10.30.0.2:80")
        #expect(Self.counters(director, 2) == (1, 1, 0))
        // The timer firing early is not due; at 122 s the entry goes and InActConn drops.
        #expect(director.expire(id, now: 121 * Self.second) == .notDue(122 * Self.second))
        guard case .removed = director.expire(id, now: 122 * Self.second) else {
            Issue.record("TIME_WAIT entry not removed at its expiry")
            return
        }
        #expect(Self.counters(director, 2) == (1, 0, 0))
    }

    /// `expireEntry` (the simulation's timer path, which decides and removes in one
    /// access when the entry's server position is cached) against the same timelines
    /// as `expire`: not due, due with the position cached, due after a table change moved
    /// the server (the cache is stale: the server is found by address), due after its
    /// server was deleted (the trash's counters), and stale.
    @Test func expireEntryDropsTheRightCountersOnEveryPath() throws {
        var director = Self.director(Self.natRules)
        // Kernel list .2, .1. Three connections, all closed at once (TIME_WAIT, inactive).
        var ids: [ConnectionID] = []
        for (n, at) in [(1, 0), (2, 1), (3, 2)] {
            let c = try #require(Self.scheduled(director.connect(
                proto: .tcp, client: Self.client("10.20.0.\(n):1000"), destination: Self.vip, now: Int64(at) * Self.second)))
            let id = try #require(c.id)
            director.receive(id, flags: .ack, direction: .input, now: Int64(at) * Self.second)
            ids.append(id)
        }
        // wlc: .2 (both idle), then .1 (.2 has 256), then .2 (tie 256: first in list).
        #expect(Self.counters(director, 2) == (2, 0, 0) && Self.counters(director, 1) == (1, 0, 0))
        for id in ids {
            director.receive(id, (.finAck, .input), then: (.finAck, .output), now: 10 * Self.second)
        }
        #expect(Self.counters(director, 2) == (0, 2, 0) && Self.counters(director, 1) == (0, 1, 0))
        // TIME_WAIT: 120 s after the FINs at 10 s.
        #expect(director.expireEntry(ids[0], now: 129 * Self.second) == .notDue(130 * Self.second))
        #expect(director.connections.isValid(ids[0]))
        #expect(director.expireEntry(ids[0], now: 130 * Self.second) == .removed)
        #expect(!director.connections.isValid(ids[0]) && director.connections.count == 2)
        #expect(Self.counters(director, 2) == (0, 1, 0))
        #expect(director.expireEntry(ids[0], now: 131 * Self.second) == .stale)
        // A new server goes to the head of the list: .3, .2, .1; the cached positions are
        // stale, so .2's entry must still drop .2's counter (now at position 1), not .3's.
        director.configure { table in IPVSAdm.run(["-a", "-t", "10.10.0.100:80", "-r", "10.30.0.3:80", "-m"], table: &table).changes }
        #expect(director.expireEntry(ids[2], now: 130 * Self.second) == .removed)
        #expect(Self.counters(director, 2) == (0, 0, 0) && Self.counters(director, 3) == (0, 0, 0))
        // .1 deleted while its entry lives: the entry's expiry empties the trash, so
        // .1 added again starts from zero rather than reviving an InActConn of 1.
        director.configure { table in IPVSAdm.run(["-d", "-t", "10.10.0.100:80", "-r", "10.30.0.1:80"], table: &table).changes }
        #expect(director.table.trash.count == 1)
        #expect(director.expireEntry(ids[1], now: 130 * Self.second) == .removed)
        #expect(director.table.trash.isEmpty && director.connections.count == 0)
        director.configure { table in IPVSAdm.run(["-a", "-t", "10.10.0.100:80", "-r", "10.30.0.1:80", "-m"], table: &table).changes }
        #expect(Self.counters(director, 1) == (0, 0, 0))
    }

    @Test func backToBackFINsInOneCallEndInTimeWaitWithTheCountersOfTwoCalls() throws {
        var director = Self.director(Self.natRules)
        let first = try #require(Self.scheduled(director.connect(proto: .tcp, client: Self.client("10.20.0.1:1000"), destination: Self.vip, now: 0)))
        let id = try #require(first.id)
        director.receive(id, flags: .ack, direction: .input, now: 0)
        #expect(Self.counters(director, 2) == (1, 0, 0))
        // Client FIN (ESTABLISHED → CLOSE_WAIT, inactive), then the server's FIN+ACK
        // (→ TIME_WAIT), both at 2 s: active 1 → 0, inactive 0 → 1, expiry 2 + 120 s.
        let expiry = director.receive(id, (.finAck, .input), then: (.finAck, .output), now: 2 * Self.second)
        #expect(director.connections[id].state == .timeWait)
        #expect(expiry == 122 * Self.second)
        #expect(director.connections[id].expiresAtNanoseconds == 122 * Self.second)
        #expect(Self.counters(director, 2) == (0, 1, 0))

        // Every pair of packets from every reachable state: one call and two calls agree.
        let packets: [(flags: TCPFlags, direction: PacketDirection)] = [
            (.syn, .input), (.synAck, .output), (.ack, .input), (.ack, .output), (.finAck, .input),
            (.finAck, .output), (.rst, .input), (.rst, .output),
        ]
        for prefix in packets {
            for a in packets {
                for b in packets {
                    var one = Self.director(Self.natRules)
                    let c = try #require(Self.scheduled(one.connect(proto: .tcp, client: Self.client("10.20.0.9:1000"), destination: Self.vip, now: 0)))
                    let entry = try #require(c.id)
                    one.receive(entry, flags: prefix.flags, direction: prefix.direction, now: Self.second)
                    var two = one
                    let combined = one.receive(entry, a, then: b, now: 3 * Self.second)
                    two.receive(entry, flags: a.flags, direction: a.direction, now: 3 * Self.second)
                    let separate = two.receive(entry, flags: b.flags, direction: b.direction, now: 3 * Self.second)
                    #expect(combined == separate)
                    #expect(one.connections[entry].state == two.connections[entry].state)
                    #expect(Self.counters(one, 2) == Self.counters(two, 2))
                }
            }
        }
    }

    @Test func directRoutingCloseGoesToFinWaitWithTheTcpfinTimeout() throws {
        var director = Self.director([
            ["-A", "-t", "10.10.0.100:80", "-s", "rr"], ["--set", "0", "30", "0"],
            ["-a", "-t", "10.10.0.100:80", "-r", "10.30.0.1:80", "-g"],
        ])
        let connection = try #require(Self.scheduled(director.connect(proto: .tcp, client: Self.client("10.20.0.1:1000"), destination: Self.vip, now: 0)))
        let id = try #require(connection.id)
        #expect(connection.forwarding == .directRouting)
        director.receive(id, flags: .ack, direction: .input, now: 0)  // DR: the director sees only the client's side
        #expect(director.connections[id].state == .established)
        let expiry = director.receive(id, flags: .finAck, direction: .input, now: 5 * Self.second)
        #expect(director.connections[id].state == .finWait)
        #expect(expiry == 35 * Self.second)  // --set tcpfin 30
        #expect(Self.counters(director, 1) == (0, 1, 0))
    }

    @Test func upperThresholdOverloadsAtTheNthConnectionAndClearsBelowThreeQuarters() throws {
        var director = Self.director([
            ["-A", "-t", "10.10.0.100:80", "-s", "wlc"],
            ["-a", "-t", "10.10.0.100:80", "-r", "10.30.0.1:80", "-m", "-x", "2"],
        ])
        var ids: [ConnectionID] = []
        for port in 1000..<1002 {
            let connection = try #require(Self.scheduled(director.connect(proto: .tcp, client: Self.client("10.20.0.1:\(port)"), destination: Self.vip, now: 0)))
            ids.append(try #require(connection.id))
        }
        #expect(director.table.services[0].servers[0].isOverloaded)  // the 2nd bind reached -x 2
        // The only server is OVERLOADed: no destination.
        #expect(director.connect(proto: .tcp, client: Self.client("10.20.0.1:1002"), destination: Self.vip, now: 0) == .noDestination)
        // Establish and reset both (an inbound RST in SYN_RECV would keep SYN_RECV);
        // CLOSE lasts 10 s, and the first expiry leaves total 1: 4·1 < 3·2 → cleared.
        for id in ids {
            director.receive(id, flags: .ack, direction: .input, now: 0)
            director.receive(id, flags: .rst, direction: .input, now: 0)
        }
        #expect(director.connections[ids[0]].state == .close)
        _ = director.expire(ids[0], now: 10 * Self.second)
        #expect(!director.table.services[0].servers[0].isOverloaded)
    }

    @Test func persistentClientKeepsItsServerAndTheTemplateIsCountedInPersistConn() throws {
        var director = Self.director([
            ["-A", "-t", "10.10.0.100:80", "-s", "rr", "-p", "300"],
            ["-a", "-t", "10.10.0.100:80", "-r", "10.30.0.1:80", "-m"],
            ["-a", "-t", "10.10.0.100:80", "-r", "10.30.0.2:80", "-m"],
        ])
        let first = try #require(Self.scheduled(director.connect(proto: .tcp, client: Self.client("10.20.0.7:1000"), destination: Self.vip, now: 0)))
        #expect(first.destination.description == "10.30.0.2:80")  // rr from HEAD: the newest server
        #expect(!first.isFromTemplate)
        #expect(Self.counters(director, 2) == (1, 0, 1))
        // Same client, new port, 10 s later: the template decides, rr's cursor does not move.
        let second = try #require(Self.scheduled(director.connect(proto: .tcp, client: Self.client("10.20.0.7:1001"), destination: Self.vip, now: 10 * Self.second)))
        #expect(second.destination.description == "10.30.0.2:80")
        #expect(second.isFromTemplate)
        #expect(Self.counters(director, 2) == (2, 0, 1))
        // Another client is scheduled by rr: the cursor was on .2, so .1.
        let other = try #require(Self.scheduled(director.connect(proto: .tcp, client: Self.client("10.20.0.8:1000"), destination: Self.vip, now: 10 * Self.second)))
        #expect(other.destination.description == "10.30.0.1:80")
        // The template was refreshed by the second connection: it expires at 10 s + 300 s,
        // and while connections live it is re-armed for 60 s instead of dying.
        let template = try #require(director.templateID(serviceIndex: 0, proto: .tcp, client: Self.client("10.20.0.7:1000"), destination: Self.vip))
        #expect(director.connections[template].expiresAtNanoseconds == 310 * Self.second)
        #expect(director.expire(template, now: 310 * Self.second) == .rearmed(370 * Self.second))
        #expect(director.connections[template].timeoutSeconds == 60)
    }

    @Test func synOnTimeWaitEntryIsRescheduledButOnEstablishedEntryIsNot() throws {
        var director = Self.director([
            ["-A", "-t", "10.10.0.100:80", "-s", "rr"],
            ["-a", "-t", "10.10.0.100:80", "-r", "10.30.0.1:80", "-m"],
            ["-a", "-t", "10.10.0.100:80", "-r", "10.30.0.2:80", "-m"],
        ])
        let client = Self.client("10.20.0.9:4000")
        let first = try #require(Self.scheduled(director.connect(proto: .tcp, client: client, destination: Self.vip, now: 0)))
        let id = try #require(first.id)
        director.receive(id, flags: .synAck, direction: .output, now: 0)
        director.receive(id, flags: .ack, direction: .input, now: 0)
        // A SYN on the ESTABLISHED entry is no new decision: same server.
        guard case .existing(let same) = director.connect(proto: .tcp, client: client, destination: Self.vip, now: Self.second) else {
            Issue.record("SYN on an established entry was rescheduled")
            return
        }
        #expect(same.destination == first.destination)
        // Close it (NAT, client first) → TIME_WAIT; a new SYN from the same port is rescheduled (conn_reuse_mode 1).
        director.receive(id, flags: .finAck, direction: .input, now: 2 * Self.second)
        director.receive(id, flags: .finAck, direction: .output, now: 2 * Self.second)
        director.receive(id, flags: .ack, direction: .input, now: 2 * Self.second)
        let again = try #require(Self.scheduled(director.connect(proto: .tcp, client: client, destination: Self.vip, now: 3 * Self.second)))
        #expect(again.destination.description == "10.30.0.1:80")  // rr moved on from .2
        #expect(!director.connections.isValid(id))  // the old entry expired right after the new decision
    }

    @Test func packetsWithoutSynOrToUnknownServicesAreNotScheduled() {
        var director = Self.director(Self.natRules)
        #expect(director.connect(proto: .tcp, client: Self.client("10.20.0.1:1000"), destination: Self.vip, flags: .ack, now: 0) == .notScheduled)
        #expect(director.connect(proto: .tcp, client: Self.client("10.20.0.1:1000"), destination: Self.vip, flags: [.syn, .rst], now: 0) == .notScheduled)
        #expect(director.connect(proto: .tcp, client: Self.client("10.20.0.1:1000"), destination: Endpoint("10.10.0.100:81")!, now: 0) == .noService)
        #expect(director.connect(proto: .udp, client: Self.client("10.20.0.1:1000"), destination: Self.vip, now: 0) == .noService)
        // FTP data from client port 20 is never scheduled.
        #expect(director.connect(proto: .tcp, client: Self.client("10.20.0.1:20"), destination: Self.vip, now: 0) == .notScheduled)
    }

    @Test func aPacketFollowingTheSYNRunsInTheSameCallAsTwoCallsWould() throws {
        // Hand-worked: the SYN makes the entry (SYN_RECV, active), the ACK that follows at
        // once moves it to ESTABLISHED (still active), whose timeout is 900 s.
        var director = Self.director(Self.natRules)
        var offered: [Int] = []
        let first = try #require(Self.scheduled(director.connect(
            proto: .tcp, client: Self.client("10.20.0.1:1000"), destination: Self.vip, now: 5 * Self.second
        ) { server in
            offered.append(server)
            return (.ack, .input)
        }))
        #expect(offered == [first.serverIndex])
        #expect(first.destination.description == "10.30.0.2:80")  // newest first, both idle
        let id = try #require(first.id)
        #expect(director.connections[id].state == .established)
        #expect(first.expiresAtNanoseconds == 905 * Self.second)
        #expect(Self.counters(director, 2) == (1, 0, 0))
        // Declining (nil) leaves the SYN alone: SYN_RECV, 60 s.
        let second = try #require(Self.scheduled(director.connect(
            proto: .tcp, client: Self.client("10.20.0.2:1000"), destination: Self.vip, now: 5 * Self.second
        ) { _ in nil }))
        #expect(director.connections[try #require(second.id)].state == .synRecv)
        #expect(second.expiresAtNanoseconds == 65 * Self.second)

        // Any following packet: one call agrees with connect + receive, for a plain and
        // a persistent service (where the template becomes ASSURED on ESTABLISHED).
        let packets: [(flags: TCPFlags, direction: PacketDirection)] = [
            (.ack, .input), (.synAck, .output), (.finAck, .input), (.rst, .input), (.syn, .input), (.ack, .output),
        ]
        let persistent = Self.natRules.map { $0 == Self.natRules[0] ? $0 + ["-p", "300"] : $0 }
        for rules in [Self.natRules, persistent] {
            for packet in packets {
                var one = Self.director(rules)
                var two = one
                let a = try #require(Self.scheduled(one.connect(
                    proto: .tcp, client: Self.client("10.20.0.9:1000"), destination: Self.vip, now: Self.second
                ) { _ in packet }))
                let b = try #require(Self.scheduled(two.connect(
                    proto: .tcp, client: Self.client("10.20.0.9:1000"), destination: Self.vip, now: Self.second)))
                let expiry = two.receive(try #require(b.id), flags: packet.flags, direction: packet.direction, now: Self.second)
                #expect(a.expiresAtNanoseconds == expiry)
                #expect(one.connections[try #require(a.id)].state == two.connections[try #require(b.id)].state)
                #expect(Self.counters(one, 2) == Self.counters(two, 2))
                let templates = { (d: IPVSDirector<SplitMix64RandomSource>) in
                    d.connections.entries.map(\.connection).filter(\.isTemplate).map(\.isAssured)
                }
                #expect(templates(one) == templates(two))
            }
        }
    }

    @Test func theServiceOfANewFlowFollowsEveryTableChange() throws {
        // The director remembers the last destination's service; each change of the table
        // must be seen by the next flow.
        var director = Self.director(Self.natRules)
        let vip = Self.vip
        #expect(Self.scheduled(director.connect(proto: .tcp, client: Self.client("10.20.0.1:1000"), destination: vip, now: 0)) != nil)
        director.configure { table in IPVSAdm.run(["-D", "-t", "10.10.0.100:80"], table: &table).changes }
        #expect(director.connect(proto: .tcp, client: Self.client("10.20.0.1:1001"), destination: vip, now: 0) == .noService)
        // A port-0 service takes every port of the VIP, 80 included.
        director.configure { table in
            var changes = IPVSAdm.run(["-A", "-t", "10.10.0.100:0", "-s", "rr", "-p", "60"], table: &table).changes
            changes += IPVSAdm.run(["-a", "-t", "10.10.0.100:0", "-r", "10.30.0.7", "-m"], table: &table).changes
            return changes
        }
        let viaPortZero = try #require(Self.scheduled(director.connect(proto: .tcp, client: Self.client("10.20.0.1:1002"), destination: vip, now: 0)))
        #expect(viaPortZero.destination.description == "10.30.0.7:80")
        // An exact service added next wins over the port-0 one.
        director.configure { table in
            var changes = IPVSAdm.run(["-A", "-t", "10.10.0.100:80", "-s", "rr"], table: &table).changes
            changes += IPVSAdm.run(["-a", "-t", "10.10.0.100:80", "-r", "10.30.0.8:80", "-m"], table: &table).changes
            return changes
        }
        let exact = try #require(Self.scheduled(director.connect(proto: .tcp, client: Self.client("10.20.0.1:1003"), destination: vip, now: 0)))
        #expect(exact.destination.description == "10.30.0.8:80")
        #expect(director.serviceIndex(proto: .tcp, destination: vip) == director.serviceIndex(for: .address(.tcp, vip)))
    }

    @Test func udpConnectionsAreAlwaysInactiveAndOnePacketServicesKeepNoEntry() throws {
        var director = Self.director([
            ["-A", "-u", "10.10.0.100:53", "-s", "rr"], ["-a", "-u", "10.10.0.100:53", "-r", "10.30.0.1:53", "-m"],
            ["-A", "-u", "10.10.0.100:54", "-s", "rr", "-o"], ["-a", "-u", "10.10.0.100:54", "-r", "10.30.0.1:54", "-m"],
        ])
        let dns = try #require(Self.scheduled(director.connect(proto: .udp, client: Self.client("10.20.0.1:5000"), destination: Endpoint("10.10.0.100:53")!, flags: [], now: 0)))
        #expect(director.connections[try #require(dns.id)].state == .udp)
        #expect(dns.expiresAtNanoseconds == 300 * Self.second)
        let counted = director.table.services.first { $0.key.port == 53 }!.servers[0]
        #expect((counted.activeConnections, counted.inactiveConnections) == (0, 1))
        let ops = try #require(Self.scheduled(director.connect(proto: .udp, client: Self.client("10.20.0.1:5000"), destination: Endpoint("10.10.0.100:54")!, flags: [], now: 0)))
        #expect(ops.id == nil)
        let oneShot = director.table.services.first { $0.key.port == 54 }!.servers[0]
        #expect((oneShot.activeConnections, oneShot.inactiveConnections) == (0, 0))
    }

    @Test func deletedServerKeepsItsCountersInTheTrashAndRevivesOnReAdd() throws {
        var director = Self.director(Self.natRules)
        let connection = try #require(Self.scheduled(director.connect(proto: .tcp, client: Self.client("10.20.0.1:1000"), destination: Self.vip, now: 0)))
        #expect(connection.destination.description == "10.30.0.2:80")
        director.configure { table in IPVSAdm.run(["-d", "-t", "10.10.0.100:80", "-r", "10.30.0.2:80"], table: &table).changes }
        // Packets of the deleted server's entry are dropped (expire_nodest_conn = 0).
        #expect(director.connect(proto: .tcp, client: Self.client("10.20.0.1:1000"), destination: Self.vip, now: Self.second) == .notScheduled)
        director.configure { table in IPVSAdm.run(["-a", "-t", "10.10.0.100:80", "-r", "10.30.0.2:80", "-m"], table: &table).changes }
        #expect(Self.counters(director, 2) == (1, 0, 0))  // revived with its live connection's count
    }

    /// A scheduler of the user's own, registered by name and used from ipvsadm rules.
    struct LastInListScheduler: Scheduler {
        static let name = "last"
        init(service: VirtualService) {}
        mutating func apply(_ change: TableChange, service: VirtualService) {}
        mutating func select<Random: SchedulerRandomSource>(
            flow: FlowKey, service: VirtualService, nowNanoseconds: Int64, random: inout Random
        ) -> Int? {
            service.servers.lastIndex { $0.weight > 0 && !$0.isOverloaded }
        }
    }

    @Test func userSchedulerRegisteredByNameIsUsableFromIPVSAdmRules() throws {
        var registry = SchedulerRegistry.allKernel
        registry.register(LastInListScheduler.self)
        var director = Self.director(
            [["-A", "-t", "10.10.0.100:80", "-s", "last"]] + Self.natRules.dropFirst(), registry: registry)
        #expect(director.table.services[0].scheduler == "last")
        // The list is .2, .1: the oldest server, .1, is last.
        let connection = try #require(Self.scheduled(director.connect(proto: .tcp, client: Self.client("10.20.0.1:1000"), destination: Self.vip, now: 0)))
        #expect(connection.destination.description == "10.30.0.1:80")
        // Without registration the same rule is refused as by the kernel.
        var table = IPVSTable()
        let refused = IPVSAdm.run(["-A", "-t", "10.10.0.100:80", "-s", "last"], table: &table)
        #expect(refused.exitCode != 0)
        #expect(refused.stderr == "Scheduler or persistence engine not found\n")
    }
}
