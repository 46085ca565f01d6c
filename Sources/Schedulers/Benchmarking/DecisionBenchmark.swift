import LVSModel

/// The fixture both `lvssim bench` and the Benchmarks package time: one TCP
/// service of `servers` NAT real servers (weights 1…4) and its scheduler,
/// fed a stream of distinct clients. Every decision binds its connection
/// (ActiveConn + 1 on the chosen server; all counters reset after 64 × N), so
/// least-load schedulers see a moving load.
public struct DecisionBenchmark {
    @usableFromInline let vip = Endpoint(address: .v4(0x0A0A_0064), port: 80)
    @usableFromInline var service: VirtualService
    @usableFromInline var set: SchedulerSet
    @usableFromInline var random = SplitMix64RandomSource(seed: 42)
    @usableFromInline var decision = 0
    @usableFromInline var active = 0
    @usableFromInline let limit: Int
    @usableFromInline var chosenSum = 0
    /// A running sum of the chosen indices, so the work cannot be optimised away.
    public var sink: Int { chosenSum }

    public init(kind: SchedulerKind, servers count: Int) {
        let key = ServiceKey.address(.tcp, vip)
        var table = IPVSTable()
        table.knownSchedulers = Set(SchedulerKind.allCases.map(\.name))
        var set = SchedulerSet(registry: .allKernel)
        set.apply((try? table.addService(VirtualService(key: key, scheduler: kind.name))) ?? [], table: table, nowNanoseconds: 0)
        for index in 0..<count {
            let server = RealServer(
                address: .v4(0x0A1E_0000 + UInt32(index) + 1), port: 80, forwarding: .masquerade,
                weight: Int32(index % 4 + 1))
            set.apply((try? table.addServer(server, to: key)) ?? [], table: table, nowNanoseconds: 0)
        }
        // A local copy, with the table dropped, keeps `service.servers` uniquely referenced.
        service = table.service(key) ?? VirtualService(key: key)
        self.set = set
        limit = 64 * max(count, 1)
    }

    /// Runs `count` decisions, each binding its connection.
    @inlinable
    public mutating func decide(_ count: Int = 1) {
        for _ in 0..<count {
            let client = Endpoint(address: .v4(0x1414_0000 &+ UInt32(truncatingIfNeeded: decision &* 2_654_435_761)), port: 10000)
            let flow = FlowKey(proto: .tcp, source: client, destination: vip)
            let now = Int64(decision) * 1_000
            decision &+= 1
            if let chosen = set.select(flow: flow, service: service, nowNanoseconds: now, random: &random) {
                chosenSum &+= chosen
                service.servers[chosen].activeConnections += 1
                active += 1
                if active >= limit {
                    for index in service.servers.indices { service.servers[index].activeConnections = 0 }
                    active = 0
                }
            }
        }
    }
}
