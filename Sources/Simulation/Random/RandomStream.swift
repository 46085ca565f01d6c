@preconcurrency import CGSL

/// One independent stream of pseudo-random numbers: owns a GSL `gsl_rng` of type
/// `gsl_rng_mt19937`, freed on deinit.
///
/// Seeding never consults the environment (`gsl_rng_env_setup` is not used); it is
/// fully determined by `(seed, replication, stream)` through ``SeedMixer``.
/// MT19937 in GSL keeps only the low 32 bits of its seed, so the generator is seeded
/// with the low 32 bits of the mixed 64-bit value (`gsl_rng_set`).
///
/// Not `Sendable`: a stream is mutable state that belongs to exactly one simulation
/// run, which confines it to one task; give each concurrent replication its own streams.
public final class RandomStream {
    let rng: UnsafeMutablePointer<gsl_rng>

    /// The value passed to `gsl_rng_set`.
    public let generatorSeed: UInt

    /// Creates the stream `stream` of replication `replication` of a run seeded `seed`.
    public convenience init(seed: UInt64, replication: Int = 0, stream: StreamID) {
        let mixed = SeedMixer.streamSeed(seed: seed, replication: replication, stream: stream)
        self.init(generatorSeed: UInt(mixed & 0xFFFF_FFFF))
    }

    /// Creates a stream whose MT19937 is seeded with exactly `generatorSeed`
    /// (as `gsl_rng_set(r, generatorSeed)` would). Mainly for cross-checks against raw GSL.
    public init(generatorSeed: UInt) {
        GSLLibrary.configure()
        guard let rng = gsl_rng_alloc(lvssim_rng_mt19937()) else {
            fatalError("gsl_rng_alloc failed: out of memory")
        }
        gsl_rng_set(rng, generatorSeed)
        self.rng = rng
        self.generatorSeed = generatorSeed
    }

    deinit {
        gsl_rng_free(rng)
    }

    /// A uniform double in the open interval (0, 1). Wraps `gsl_rng_uniform_pos`.
    public func uniform() -> Double {
        gsl_rng_uniform_pos(rng)
    }

    /// A uniform double in [0, 1) (0 possible): `gsl_rng_uniform`, the variate GSL's
    /// discrete sampler consumes (see ``DiscreteDistribution/AliasRows``).
    public func uniformHalfOpen() -> Double {
        gsl_rng_uniform(rng)
    }

    /// A uniform integer in `0..<bound`, without modulo bias. Wraps `gsl_rng_uniform_int`.
    /// - Precondition: `bound > 0`.
    public func uniformInt(below bound: UInt32) -> UInt32 {
        precondition(bound > 0, "uniformInt(below:) needs a positive bound")
        return UInt32(truncatingIfNeeded: gsl_rng_uniform_int(rng, UInt(bound)))
    }

    /// The generator's next raw 32-bit output. Wraps `gsl_rng_get` (MT19937 range is 0...2^32−1).
    public func nextUInt32() -> UInt32 {
        UInt32(truncatingIfNeeded: gsl_rng_get(rng))
    }
}
