import LVSModel

/// The hash primitives IPVS schedulers use (spec §8), bit-exact with x86-64 Linux.
public enum KernelHash {
    /// `hash_32(x, bits)`: golden-ratio multiplicative hash, top `bits` bits.
    @inlinable
    public static func hash32(_ value: UInt32, bits: Int) -> UInt32 {
        (value &* 0x61C8_8647) >> UInt32(32 - bits)
    }

    /// The 32-bit address fold (IPv4 as host-order integer; IPv6 XOR of its
    /// four big-endian words).
    @inlinable
    public static func fold(_ address: IPAddress) -> UInt32 { address.folded }

    /// The kernel's `hsiphash()` of one 32-bit value on 64-bit kernels:
    /// SipHash-1-3 over the value's 4 little-endian bytes, with both 64-bit
    /// key words equal to `key`, truncated to 32 bits.
    @inlinable
    public static func hsiphash(_ value: UInt32, key: UInt64) -> UInt32 {
        var state = SipState(k0: key, k1: key)
        let block = (UInt64(4) << 56) | UInt64(value)
        state.v3 ^= block
        state.round()
        state.v0 ^= block
        state.v2 ^= 0xFF
        state.round()
        state.round()
        state.round()
        return UInt32(truncatingIfNeeded: state.v0 ^ state.v1 ^ state.v2 ^ state.v3)
    }

    /// Generic SipHash-c-d with a 64-bit result, for validating the round
    /// function against published vectors (SipHash-2-4). Not used on the hot path.
    public static func sipHash(
        _ message: [UInt8], k0: UInt64, k1: UInt64, compressionRounds: Int, finalizationRounds: Int
    ) -> UInt64 {
        var state = SipState(k0: k0, k1: k1)
        let fullBlocks = message.count / 8
        for block in 0..<fullBlocks {
            var word: UInt64 = 0
            for byte in 0..<8 { word |= UInt64(message[block * 8 + byte]) << UInt64(8 * byte) }
            state.v3 ^= word
            for _ in 0..<compressionRounds { state.round() }
            state.v0 ^= word
        }
        var last = UInt64(truncatingIfNeeded: message.count) << 56
        for byte in 0..<(message.count % 8) {
            last |= UInt64(message[fullBlocks * 8 + byte]) << UInt64(8 * byte)
        }
        state.v3 ^= last
        for _ in 0..<compressionRounds { state.round() }
        state.v0 ^= last
        state.v2 ^= 0xFF
        for _ in 0..<finalizationRounds { state.round() }
        return state.v0 ^ state.v1 ^ state.v2 ^ state.v3
    }

    /// The four SipHash state words and the SipRound permutation.
    @usableFromInline
    struct SipState {
        @usableFromInline var v0: UInt64
        @usableFromInline var v1: UInt64
        @usableFromInline var v2: UInt64
        @usableFromInline var v3: UInt64

        @inlinable
        init(k0: UInt64, k1: UInt64) {
            v0 = k0 ^ 0x736F_6D65_7073_6575
            v1 = k1 ^ 0x646F_7261_6E64_6F6D
            v2 = k0 ^ 0x6C79_6765_6E65_7261
            v3 = k1 ^ 0x7465_6462_7974_6573
        }

        @inlinable
        static func rotl(_ x: UInt64, _ n: UInt64) -> UInt64 { (x << n) | (x >> (64 - n)) }

        @inlinable
        mutating func round() {
            v0 &+= v1; v1 = Self.rotl(v1, 13) ^ v0; v0 = Self.rotl(v0, 32)
            v2 &+= v3; v3 = Self.rotl(v3, 16) ^ v2
            v0 &+= v3; v3 = Self.rotl(v3, 21) ^ v0
            v2 &+= v1; v1 = Self.rotl(v1, 17) ^ v2; v2 = Self.rotl(v2, 32)
        }
    }
}
