/// One problem ``NetworkLint`` found in a cluster's host configuration: which
/// host and setting, what is wrong, what the user will see, and the commands
/// that fix it.
public struct NetworkFinding: Hashable, Sendable {
    /// How bad it is.
    public enum Severity: String, Hashable, Sendable, Comparable {
        /// Works, but degrades (extra round trips, a latent black hole, a
        /// setting ipvsadm silently overrides).
        case warning
        /// Connections fail, bypass the director or are not balanced.
        case error

        public static func < (lhs: Severity, rhs: Severity) -> Bool { lhs == .warning && rhs == .error }
    }

    /// Which check produced the finding (stable names for tests and tools).
    public enum Check: String, Hashable, Sendable, CaseIterable {
        /// DR/TUN real server replies to the router's ARP request for the VIP.
        case answersARPForVIP = "arp-ignore"
        /// DR/TUN real server's own ARP requests carry the VIP as sender IP.
        case announcesVIP = "arp-announce"
        /// DR/TUN real server does not have the VIP as a local address.
        case vipNotLocal = "vip-not-local"
        /// DR real server with the VIP on `lo` under a mask wider than /32.
        case wideVIPMask = "vip-wide-mask"
        /// TUN real server without an up `tunl0`.
        case tunnelDeviceMissing = "tunl0"
        /// DR real server the director cannot reach on a shared L2 segment.
        case notOnDirectorSegment = "dr-segment"
        /// DR/TUN real server whose replies are routed to the director or nowhere.
        case replyRoute = "reply-route"
        /// NAT real server whose replies to the clients bypass the director.
        case natGateway = "nat-gateway"
        /// NAT director with `ip_forward=0`.
        case natForwarding = "ip-forward"
        /// NAT director that would send ICMP redirects to the real servers.
        case natRedirects = "send-redirects"
        /// TUN real server with strict reverse-path filtering on `tunl0`.
        case strictReversePath = "rp-filter"
        /// TUN path MTU smaller than a full-size client packet plus 20 bytes.
        case tunnelMTU = "tun-mtu"
        /// DR/TUN real server port differs from the service port.
        case portMapping = "port-mapping"
    }

    public var check: Check
    public var severity: Severity
    /// The host's name (`rs1`, `director`).
    public var host: String
    /// The setting at fault: a sysctl (`net.ipv4.conf.all.arp_ignore`), a
    /// device or alias (`lo:0`, `tunl0`), `default gateway`, `port`…
    public var setting: String
    /// What is wrong, in terms of this host's configuration.
    public var problem: String
    /// What the user will see (clients, traces, ipvsadm counters).
    public var symptom: String
    /// Commands to run on `host` (sysctl, ip) or, when no command fixes it,
    /// a sentence saying what to change; in order.
    public var fix: [String]

    public init(
        check: Check, severity: Severity, host: String, setting: String, problem: String, symptom: String,
        fix: [String]
    ) {
        self.check = check
        self.severity = severity
        self.host = host
        self.setting = setting
        self.problem = problem
        self.symptom = symptom
        self.fix = fix
    }

    /// `rs1: net.ipv4.conf.all.arp_ignore: answers ARP … — fix: sysctl -w …; sysctl -w …`
    public var oneLine: String {
        "\(host): \(setting): \(problem) — fix: \(fix.joined(separator: "; "))"
    }

    /// The severity, host and setting, then problem, symptom and fix on
    /// indented lines (the fix one command per line).
    public var detail: String {
        var text = "\(severity.rawValue): \(host): \(setting) [\(check.rawValue)]\n"
        text += "  problem: \(problem)\n"
        text += "  symptom: \(symptom)\n"
        text += "  fix:\n"
        for line in fix { text += "    \(line)\n" }
        return text
    }
}

extension NetworkFinding: CustomStringConvertible {
    /// `error: ` or `warning: ` followed by ``oneLine``.
    public var description: String { "\(severity.rawValue): \(oneLine)" }
}
