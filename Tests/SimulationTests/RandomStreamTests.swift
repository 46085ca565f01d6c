@preconcurrency import CGSL
import Testing
@testable import Simulation

@Suite("RandomStream and GSL linkage")
struct RandomStreamTests {
    @Test("The linked GSL reports a 2.x version")
    func gslVersion() {
        let version = GSLLibrary.version
        #expect(!version.isEmpty)
        #expect(version.hasPrefix("2."))
    }

    @Test("RandomStream outputs equal a raw gsl_rng_mt19937 seeded identically")
    func matchesRawGSL() throws {
        let stream = RandomStream(seed: 42, replication: 3, stream: .arrivals)
        let raw = try #require(gsl_rng_alloc(gsl_rng_mt19937))
        defer { gsl_rng_free(raw) }
        gsl_rng_set(raw, stream.generatorSeed)
        for _ in 0..<1000 {
            #expect(stream.nextUInt32() == UInt32(gsl_rng_get(raw)))
        }
        for _ in 0..<1000 {
            #expect(stream.uniform() == gsl_rng_uniform_pos(raw))
        }
    }

    @Test("MT19937 seeded 5489 starts with the reference output 3499211612")
    func referenceOutput() {
        // Matsumoto & Nishimura's mt19937ar init_genrand(5489) first genrand_int32() value;
        // GSL seeds MT19937 with the same 2002 initialisation.
        let stream = RandomStream(generatorSeed: 5489)
        #expect(stream.nextUInt32() == 3_499_211_612)
    }

    @Test("Same (seed, replication, stream) gives identical sequences")
    func reproducible() {
        let a = RandomStream(seed: 7, replication: 1, stream: .serviceDemand)
        let b = RandomStream(seed: 7, replication: 1, stream: .serviceDemand)
        #expect((0..<100).map { _ in a.nextUInt32() } == (0..<100).map { _ in b.nextUInt32() })
    }

    @Test("Different streams, replications or seeds give different sequences")
    func independent() {
        func first(_ s: RandomStream) -> [UInt32] { (0..<8).map { _ in s.nextUInt32() } }
        let base = first(RandomStream(seed: 7, replication: 0, stream: .arrivals))
        #expect(base != first(RandomStream(seed: 7, replication: 0, stream: .serviceDemand)))
        #expect(base != first(RandomStream(seed: 7, replication: 1, stream: .arrivals)))
        #expect(base != first(RandomStream(seed: 8, replication: 0, stream: .arrivals)))
        let named: [StreamID] = [.arrivals, .serviceDemand, .clientChoice, .scheduler, .requests, .network, .failures,
                                 .healthChecks, .entity(family: .arrivals, index: 0), .entity(family: .arrivals, index: 1)]
        let seeds = Set(named.map { RandomStream(seed: 7, replication: 0, stream: $0).generatorSeed })
        #expect(seeds.count == named.count)
    }

    @Test("SplitMix64 finaliser matches its published first output")
    func splitMix() {
        // SplitMix64 seeded with 0 outputs mix(0 &+ γ) = 0xE220A8397B1DCDAF first.
        #expect(SeedMixer.mix(SeedMixer.gamma) == 0xE220_A839_7B1D_CDAF)
    }

    @Test("uniform() stays in (0, 1) and uniformInt(below:) in range")
    func ranges() {
        let s = RandomStream(seed: 1, stream: .scheduler)
        var counts = [Int](repeating: 0, count: 5)
        for _ in 0..<50_000 {
            let u = s.uniform()
            #expect(u > 0 && u < 1)
            counts[Int(s.uniformInt(below: 5))] += 1
        }
        // Each bucket expects 10,000 with sd ≈ 89; allow 5 sd.
        for c in counts { #expect(abs(c - 10_000) < 450) }
    }

    @Test("GSLError carries gsl_strerror's message")
    func errorMessage() {
        let error = GSLError(status: Int32(GSL_EDOM))
        #expect(error.message == "input domain error")
        #expect(throws: GSLError.self) { try GSLError.check(Int32(GSL_EINVAL)) }
        #expect(throws: Never.self) { try GSLError.check(Int32(GSL_SUCCESS)) }
    }
}
