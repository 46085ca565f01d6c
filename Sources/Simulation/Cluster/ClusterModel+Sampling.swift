import Foundation
import LVSModel

extension ClusterModel {
    // The per-connection sample (connections.csv)

    /// Offers a finished measured connection to the per-connection sample: a
    /// uniform reservoir sample (Algorithm R) of `sampleLimit` connections over
    /// the whole run, drawn from its own stream (``StreamID/connectionSample``)
    /// so no other stream moves. Rows are put in connection order by ``sortedSamples()``.
    mutating func offerSample(slot: Int, outcome: Outcome, responseMs: Double) {
        guard sampleLimit > 0, let stream = sampleStream else { return }
        sampleSeen += 1
        let position: Int
        if result.samples.count < sampleLimit {
            position = result.samples.count
        } else {
            // Keep the n-th connection with probability k/n, in place of a uniform victim.
            let draw = Int(stream.uniform() * Double(sampleSeen))
            guard draw < sampleLimit else { return }
            position = draw
        }
        let server = conns[slot].server
        let sample = ConnectionSample(
            id: Int(conns[slot].sequence), arrivalSeconds: Double(conns[slot].arrival) / 1e9,
            client: clientEndpoint(slot).description, server: server >= 0 ? serverNames[Int(server)] : "",
            demandMs: Double(conns[slot].demand) / 1e6, responseMs: outcome == .completed ? responseMs : .nan,
            attempts: Int(conns[slot].attempts) + 1, outcome: outcome.rawValue)
        if position == result.samples.count {
            result.samples.append(sample)
        } else {
            result.samples[position] = sample
        }
    }

    /// The kept sample in connection (arrival) order.
    func sortedSamples() -> [ConnectionSample] {
        result.samples.sorted { $0.id < $1.id }
    }
}
