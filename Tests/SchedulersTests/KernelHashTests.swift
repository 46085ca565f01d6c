import LVSModel
import Testing
@testable import Schedulers

/// Spec §8.4 vectors and published SipHash-2-4 vectors.
@Suite struct KernelHashTests {
    @Test(arguments: [
        ("10.0.0.1", UInt32(0x27C8_8647), UInt32(39), UInt32(159)),
        ("10.0.0.100", 0xF854_73BC, 248, 993),
        ("192.168.1.10", 0xF8F3_85C6, 248, 995),
        ("203.0.113.7", 0x7CC1_02F1, 124, 499),
    ])
    func hash32(_ address: String, product: UInt32, bits8: UInt32, bits10: UInt32) {
        let x = IPAddress(address)!.folded
        #expect(x &* 0x61C8_8647 == product)
        #expect(KernelHash.hash32(x, bits: 8) == bits8)
        #expect(KernelHash.hash32(x, bits: 10) == bits10)
    }

    @Test func ipv6FoldXorsBigEndianWords() {
        let address = IPAddress("2001:db8::1:2")!
        #expect(address.folded == 0x2001_0DB8 ^ 0 ^ 0 ^ 0x0001_0002)
    }

    @Test func shPortVectors() {
        #expect(SourceHashingScheduler.bucket(source: IPAddress("192.168.1.10")!, port: 40000) == 156)
        #expect(SourceHashingScheduler.bucket(source: IPAddress("203.0.113.7")!, port: 51515) == 119)
        #expect(IPAddress("192.168.1.10")!.folded &+ 40000 == 0xC0A8_9D4A)
    }

    @Test(arguments: [
        (UInt32(0), UInt64(2_654_435_761), UInt32(0x1D5A_77C2)),
        (0, 2_654_446_892, 0xF882_433F),
        (1, 2_654_435_761, 0x16EC_66B2),
        (0x0A00_0051, 2_654_435_761, 0x439C_0CBE),
        (0x0A00_0051, 2_654_446_892, 0x97B3_DC47),
        (0x0A00_0052, 2_654_435_761, 0xA1CF_683B),
        (0x0A00_0052, 2_654_446_892, 0xFA5D_46DF),
        (0x0A00_0053, 2_654_435_761, 0x2CDF_0AFA),
        (0x0A00_0053, 2_654_446_892, 0xEDEB_33D0),
    ])
    func hsiphash(_ value: UInt32, key: UInt64, expected: UInt32) {
        #expect(KernelHash.hsiphash(value, key: key) == expected)
    }

    @Test func hsiphashMatchesGenericSipHash13() {
        for value: UInt32 in [0, 1, 0x0A00_0051, 0xFFFF_FFFF] {
            let bytes = (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
            let generic = KernelHash.sipHash(bytes, k0: 7, k1: 7, compressionRounds: 1, finalizationRounds: 3)
            #expect(KernelHash.hsiphash(value, key: 7) == UInt32(truncatingIfNeeded: generic))
        }
    }

    @Test func sipHash24PublishedVectors() {
        let k0: UInt64 = 0x0706_0504_0302_0100
        let k1: UInt64 = 0x0F0E_0D0C_0B0A_0908
        #expect(KernelHash.sipHash([], k0: k0, k1: k1, compressionRounds: 2, finalizationRounds: 4) == 0x726F_DB47_DD0E_0E31)
        let message = (0..<15).map { UInt8($0) }
        #expect(KernelHash.sipHash(message, k0: k0, k1: k1, compressionRounds: 2, finalizationRounds: 4) == 0xA129_CA61_49BE_45E5)
    }

    @Test func mhOffsetsAndSkips() {
        let size = UInt32(MaglevHashingScheduler.tableSize)
        let cases: [(Int, UInt32, UInt32)] = [(1, 3167, 700), (2, 1231, 3544), (3, 1631, 3453)]
        for (last, offset, skip) in cases {
            let address = IPAddress.v4(0x0A00_0000 | UInt32(last))
            #expect(MaglevHashingScheduler.hash(address, port: 80, offset: 0, key: MaglevHashingScheduler.key1) % size == offset)
            #expect(MaglevHashingScheduler.hash(address, port: 80, offset: 0, key: MaglevHashingScheduler.key2) % (size - 1) + 1 == skip)
        }
    }

    @Test func unbiasedBelow() {
        struct Fixed: SchedulerRandomSource {
            var values: [UInt32]
            mutating func nextUInt32() -> UInt32 { values.removeFirst() }
        }
        // bound 3: threshold = 2^32 mod 3 = 1; a product whose low word is 0 is rejected.
        var source = Fixed(values: [0, 0x8000_0000])
        // 0 × 3 has low word 0 < (2³² mod 3 = 1): redrawn; 0x8000_0000 × 3 >> 32 = 1.
        #expect(source.nextUInt32(below: 3) == 1)
        #expect(source.values.isEmpty)
    }
}
