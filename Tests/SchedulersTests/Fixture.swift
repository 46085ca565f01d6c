import LVSModel
@testable import Schedulers

/// A table with one TCP service on 10.10.0.100:80 and a scheduler set kept
/// in step with it, for hand-worked cases.
struct Fixture {
    static let vip = Endpoint(address: IPAddress("10.10.0.100")!, port: 80)
    static let key = ServiceKey.address(.tcp, vip)

    var table = IPVSTable()
    var schedulers = SchedulerSet(registry: .allKernel)
    var random = SplitMix64RandomSource(seed: 7)
    var now: Int64 = 0

    init(_ scheduler: String, flags: ServiceFlags = [], registry: SchedulerRegistry = .allKernel) {
        schedulers = SchedulerSet(registry: registry)
        table.knownSchedulers = registry.names
        var service = VirtualService(key: Self.key, scheduler: scheduler)
        service.flags = flags
        apply(try! table.addService(service))
    }

    mutating func apply(_ changes: [TableChange]) {
        schedulers.apply(changes, table: table, nowNanoseconds: now)
    }

    static func rip(_ last: Int) -> IPAddress { .v4(0x0A1E_0000 | UInt32(last)) }  // 10.30.0.last

    /// `-a -r 10.30.0.<last>:80 -w weight` (linked at the head).
    mutating func add(_ last: Int, weight: Int32 = 1, upper: UInt32 = 0, lower: UInt32 = 0, port: UInt16 = 80) {
        let server = RealServer(address: Self.rip(last), port: port, weight: weight, upperThreshold: upper, lowerThreshold: lower)
        apply(try! table.addServer(server, to: Self.key))
    }

    /// `-a -r ADDRESS:port -w weight` for an arbitrary address.
    mutating func add(address: String, port: UInt16 = 80, weight: Int32 = 1) {
        let server = RealServer(address: IPAddress(address)!, port: port, weight: weight)
        apply(try! table.addServer(server, to: Self.key))
    }

    /// The chosen server's address as text.
    mutating func pickAddress(client: String, destination: Endpoint = Fixture.vip) -> String? {
        let flow = FlowKey(proto: .tcp, source: Endpoint(client)!, destination: destination)
        let service = self.service
        return schedulers.select(flow: flow, service: service, nowNanoseconds: now, random: &random)
            .map { service.servers[$0].address.description }
    }

    mutating func edit(_ last: Int, weight: Int32, upper: UInt32 = 0, port: UInt16 = 80) {
        let server = RealServer(address: Self.rip(last), port: port, weight: weight, upperThreshold: upper)
        apply(try! table.editServer(server, in: Self.key))
    }

    mutating func delete(_ last: Int, port: UInt16 = 80) {
        apply(try! table.deleteServer(address: Self.rip(last), port: port, from: Self.key))
    }

    var service: VirtualService { table.service(Self.key)! }

    /// Mutates the counters/flags of server 10.30.0.<last>.
    mutating func set(_ last: Int, active: Int32? = nil, inactive: Int32? = nil, overloaded: Bool? = nil) {
        let index = table.serviceIndex(Self.key)!
        let position = table[serviceAt: index].serverIndex(address: Self.rip(last), port: 80)!
        if let active { table[serviceAt: index].servers[position].activeConnections = active }
        if let inactive { table[serviceAt: index].servers[position].inactiveConnections = inactive }
        if let overloaded { table[serviceAt: index].servers[position].isOverloaded = overloaded }
    }

    /// One decision from `client` (default 10.20.0.1:10000) to the VIP (or
    /// `destination`); returns the last octet of the chosen RIP, or nil.
    mutating func pick(client: String = "10.20.0.1:10000", destination: Endpoint = Fixture.vip, bind: Bool = false) -> Int? {
        let flow = FlowKey(proto: .tcp, source: Endpoint(client)!, destination: destination)
        let service = self.service
        guard let index = schedulers.select(flow: flow, service: service, nowNanoseconds: now, random: &random) else {
            return nil
        }
        if bind {
            let serviceIndex = table.serviceIndex(Self.key)!
            table[serviceAt: serviceIndex].servers[index].activeConnections += 1
        }
        guard case .v4(let value) = service.servers[index].address else { return nil }
        return Int(value & 0xFF)
    }

    mutating func picks(_ count: Int, bind: Bool = false) -> [Int?] {
        (0..<count).map { _ in pick(bind: bind) }
    }
}
