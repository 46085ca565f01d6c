import LVSModel
import Testing

/// SplitMix64: a tiny deterministic generator for reproducible fuzzing.
struct SplitMix64 {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}

@Suite("ipvsadm survives malformed command lines")
struct IPVSAdmFuzzTests {
    static let tokens: [String] = [
        "-A", "-E", "-D", "-C", "-R", "-S", "-a", "-e", "-d", "-L", "-l", "-Z", "--set", "--start-daemon", "--stop-daemon",
        "-h", "--help", "--version", "-t", "-u", "-f", "--sctp-service", "-6", "-s", "-p", "-M", "-b", "-o", "--pe", "-r",
        "-g", "-i", "-m", "-w", "-x", "-y", "--tun-type", "--tun-port", "--tun-nocsum", "--tun-csum", "--tun-remcsum",
        "-n", "-c", "--timeout", "--daemon", "--stats", "--rate", "--exact", "--thresholds", "--persistent-conn",
        "--tun-info", "--nosort", "--sort", "--mcast-interface", "--syncid", "--sync-maxlen", "--mcast-group",
        "--mcast-port", "--mcast-ttl", "-Ln", "-Lnc", "-Sn", "-w5", "-p300", "--weight=3", "--bogus", "-Q", "--", "-",
        "10.10.0.100:80", "10.10.0.100", "10.30.0.1:80", "10.30.0.2", "[2001:db8::1]:80", "2001:db8::2", "[::1]",
        "vip.oracle.test:http", "rs1.oracle.test", "nosuch.invalid", "10.10.0.300:80", "1.2.3.4:99999", ":80", "",
        "rr", "wlc", "sh", "mh", "twos", "nosuch", "sh-port", "mh-fallback,mh-port", "flag-1,flag-3", "bogus,",
        "0", "1", "-1", "65535", "65536", "2147483648", "4294967296", "abc", "255.255.255.0", "255.0.255.0", "64",
        "master", "backup", "eth0", "ipip", "gue", "gre", "6080", "s", " 7", "+8", "0x10",
    ]

    @Test("ten thousand generated command lines never crash, fail with a message, and leave the table alone on failure")
    func fuzz() {
        var random = SplitMix64(state: 0x1BAD_5EED)
        var base = IPVSTable()
        for args in [["-A", "-t", "10.10.0.100:80", "-s", "rr"], ["-a", "-t", "10.10.0.100:80", "-r", "10.30.0.1", "-m"],
                     ["-A", "-f", "1", "-s", "sh", "-p"], ["-a", "-f", "1", "-r", "10.30.0.2:8080", "-i"]] {
            _ = IPVSAdm.run(args, table: &base, resolver: GoldenSupport.guestResolver)
        }
        var failures = 0
        var successes = 0
        for _ in 0..<10_000 {
            var args: [String] = []
            for _ in 0..<(1 + random.below(8)) {
                var token = Self.tokens[random.below(Self.tokens.count)]
                if random.below(10) == 0, !token.isEmpty {
                    // Mutate: drop, duplicate or replace a character.
                    var chars = Array(token)
                    let at = random.below(chars.count)
                    switch random.below(3) {
                    case 0: chars.remove(at: at)
                    case 1: chars.insert(chars[at], at: at)
                    default: chars[at] = Array(":-.,[]x9")[random.below(8)]
                    }
                    token = String(chars)
                }
                args.append(token)
            }
            var table = base
            let result = IPVSAdm.run(args, table: &table, resolver: GoldenSupport.guestResolver)
            if result.exitCode == 0 {
                successes += 1
            } else {
                failures += 1
                #expect(!result.stderr.isEmpty, "\(args)")
                #expect(table == base, "\(args)")
            }
        }
        #expect(failures + successes == 10_000)
        #expect(failures > 0 && successes > 0)
    }
}
