import Foundation
@preconcurrency import CGSL

/// The classic "hold" benchmark of event-set performance: keep `pending` events queued;
/// each delivered event schedules one new event at now + Exp(mean 1 ms), drawn with
/// `gsl_ran_exponential`.
public enum HoldBenchmark {
    /// Where the hold model's Exp(1 ms) increments come from.
    public enum Increments: Sendable {
        /// One `gsl_ran_exponential` draw per event (the classic benchmark).
        case drawnPerEvent
        /// Cycled from 65,536 increments drawn up front with `gsl_ran_exponential`: isolates
        /// the engine's own cost from the random-number generator's.
        case precomputed
    }

    struct HoldModel: EventHandler {
        let stream: RandomStream
        let meanNanoseconds: Double
        let table: [Int64]
        var cursor = 0
        var remaining: Int

        @inline(__always)
        mutating func handle(_ event: Event, engine: inout Engine) {
            let increment: Int64
            if table.isEmpty {
                increment = Int64(gsl_ran_exponential(stream.rng, meanNanoseconds))
            } else {
                increment = table[cursor & 0xFFFF]
                cursor &+= 1
            }
            engine.schedule(event, after: SimDuration(nanoseconds: increment))
            remaining &-= 1
            if remaining == 0 { engine.stop() }
        }
    }

    static let meanIncrementNanoseconds = 1_000_000.0

    /// Runs the full ``Engine`` (heap, clock, handler dispatch) for `events` deliveries.
    public static func runEngine(
        events: Int, pending: Int, seed: UInt64, increments: Increments = .drawnPerEvent
    ) -> (events: Int, seconds: Double) {
        precondition(events > 0 && pending > 0)
        let stream = RandomStream(seed: seed, stream: .scheduler)
        var engine = Engine(expectedPendingEvents: pending + 1)
        for index in 0..<pending {
            let delay = gsl_ran_exponential(stream.rng, meanIncrementNanoseconds)
            engine.schedule(Event(kind: 1, a: UInt32(truncatingIfNeeded: index)), after: .nanoseconds(Int64(delay)))
        }
        let table: [Int64] = increments == .precomputed
            ? (0..<65_536).map { _ in Int64(gsl_ran_exponential(stream.rng, meanIncrementNanoseconds)) }
            : []
        var model = HoldModel(stream: stream, meanNanoseconds: meanIncrementNanoseconds, table: table, remaining: events)
        let start = DispatchTime.now().uptimeNanoseconds
        let delivered = engine.run(handler: &model)
        let elapsed = DispatchTime.now().uptimeNanoseconds - start
        return (delivered, Double(elapsed) / 1e9)
    }

    /// Runs the bare queue `Queue` (pop, draw, push) for `events` operations, for comparing
    /// ``EventQueue`` implementations.
    public static func runQueue<Queue: EventQueue>(
        _ type: Queue.Type, events: Int, pending: Int, seed: UInt64
    ) -> (events: Int, seconds: Double) {
        precondition(events > 0 && pending > 0)
        let stream = RandomStream(seed: seed, stream: .scheduler)
        var queue = Queue(minimumCapacity: pending + 1)
        var sequence: UInt64 = 0
        for _ in 0..<pending {
            let time = Int64(gsl_ran_exponential(stream.rng, meanIncrementNanoseconds))
            queue.insert(EventEntry(time: SimTime(nanoseconds: time), sequence: sequence, event: Event(kind: 1)))
            sequence &+= 1
        }
        let start = DispatchTime.now().uptimeNanoseconds
        for _ in 0..<events {
            var entry = queue.popFirst().unsafelyUnwrapped
            entry.time.nanoseconds &+= Int64(gsl_ran_exponential(stream.rng, meanIncrementNanoseconds))
            entry.sequence = sequence
            sequence &+= 1
            queue.insert(entry)
        }
        let elapsed = DispatchTime.now().uptimeNanoseconds - start
        return (events, Double(elapsed) / 1e9)
    }
}

extension Engine {
    /// The hold benchmark on the full engine: `pending` events stay queued while `events`
    /// are delivered, each scheduling a successor Exp(1 ms) later. Returns the count
    /// delivered and the wall-clock seconds taken (setup excluded).
    public static func holdBenchmark(events: Int, pending: Int, seed: UInt64) -> (events: Int, seconds: Double) {
        HoldBenchmark.runEngine(events: events, pending: pending, seed: seed)
    }
}
