import LVSModel

/// What a scheduler may look at in the packet that opens a connection.
///
/// `source` is the client's address and port; `destination` is the packet's
/// destination (the VIP and port of an address-based service, or whatever
/// address a firewall-mark service caught). `proto` is nil for packets that
/// are not TCP, UDP or SCTP (sh/mh then hash a port of 0).
public struct FlowKey: Hashable, Sendable {
    public var proto: TransportProtocol?
    public var source: Endpoint
    public var destination: Endpoint

    public init(proto: TransportProtocol?, source: Endpoint, destination: Endpoint) {
        self.proto = proto
        self.source = source
        self.destination = destination
    }
}

/// A source of uniformly distributed 32-bit values, the equivalent of the
/// kernel's `get_random_u32()`. Only `twos` draws from it.
///
/// The simulation plugs in its seeded stream; a real balancer can plug in
/// ``SystemSchedulerRandomSource``.
public protocol SchedulerRandomSource {
    mutating func nextUInt32() -> UInt32
}

/// One IPVS scheduling algorithm, with the per-service state the kernel keeps
/// for it (`svc->sched_data`).
///
/// Conforming types are values with no clock, no globals, no I/O and no locks:
/// the owner serialises calls (as the kernel's `sched_lock` does) and passes
/// the time in. A decision never allocates, except where the kernel
/// allocates too (a new lblc/lblcr locality entry).
///
/// Life cycle (spec §1.4): `init(service:)` is the kernel's `init_service`;
/// ``apply(_:service:)`` runs the `add_dest`/`del_dest`/`upd_dest` hook for a
/// change *after* the list already reflects it; ``select(flow:service:nowNanoseconds:random:)``
/// is `schedule`. Server identity is the index into `service.servers`
/// (kernel list order, 0 = head = newest); state that refers to servers is
/// kept valid across insertions at the head and removals through `apply`.
public protocol Scheduler: Sendable {
    /// The ipvsadm name (`-s NAME`).
    static var name: String { get }

    /// Initialises the state from the service's current real-server list.
    init(service: VirtualService)

    /// Runs the kernel hook for one change of this service; `service` is the
    /// service after the change. Changes of other services must not be passed.
    mutating func apply(_ change: TableChange, service: VirtualService)

    /// Chooses a real server for a new connection.
    /// - Returns: the index into `service.servers` of the chosen server, or
    ///   nil when the kernel would report "no destination available".
    mutating func select<Random: SchedulerRandomSource>(
        flow: FlowKey, service: VirtualService, nowNanoseconds: Int64, random: inout Random
    ) -> Int?

    /// Runs timer-driven work due at or before `nowNanoseconds` (the lblc and
    /// lblcr garbage collection). The first call after `init` also fixes the
    /// phase of the 60 s timer, so owners should call it right after `init`
    /// with the creation time. Schedulers without timers ignore it.
    mutating func advance(to nowNanoseconds: Int64)
}

extension Scheduler {
    public mutating func advance(to nowNanoseconds: Int64) {}
}

extension Scheduler {
    /// Convenience for schedulers that never draw random numbers.
    public mutating func select(flow: FlowKey, service: VirtualService, nowNanoseconds: Int64) -> Int? {
        var random = SplitMix64RandomSource(seed: 0)
        return select(flow: flow, service: service, nowNanoseconds: nowNanoseconds, random: &random)
    }
}

/// A scheduler that keeps no per-service state (the kernel's lc, wlc, sed,
/// nq, fo, ovf and twos): nothing to initialise from the server list and no
/// add/edit/delete hook to run, so only ``Scheduler/select(flow:service:nowNanoseconds:random:)``
/// is left to write.
public protocol StatelessScheduler: Scheduler {
    init()
}

extension StatelessScheduler {
    public init(service: VirtualService) { self.init() }
    public mutating func apply(_ change: TableChange, service: VirtualService) {}
}
