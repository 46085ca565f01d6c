/// Derives per-stream generator seeds from a run's master seed.
///
/// The mixing function is SplitMix64's output finaliser (Steele, Lea & Flood, 2014):
/// `z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9; z = (z ^ (z >> 27)) * 0x94D049BB133111EB;
/// z ^ (z >> 31)`, a bijection on 64-bit integers with full avalanche. The stream seed is
///
///     mix(mix(mix(seed &+ γ) ^ replication &+ γ) ^ stream &+ γ),  γ = 0x9E3779B97F4A7C15
///
/// so any change in one input changes every output bit with probability ½.
/// This formula is part of lvssim's reproducibility contract: changing it changes
/// every published result.
public enum SeedMixer {
    /// SplitMix64's golden-ratio increment.
    public static let gamma: UInt64 = 0x9E37_79B9_7F4A_7C15

    /// The SplitMix64 finaliser (a bijection on `UInt64`).
    @inlinable
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The 64-bit seed of stream `stream` in replication `replication` of a run seeded `seed`.
    public static func streamSeed(seed: UInt64, replication: Int, stream: StreamID) -> UInt64 {
        let a = mix(seed &+ gamma)
        let b = mix((a ^ UInt64(bitPattern: Int64(replication))) &+ gamma)
        return mix((b ^ stream.rawValue) &+ gamma)
    }
}
