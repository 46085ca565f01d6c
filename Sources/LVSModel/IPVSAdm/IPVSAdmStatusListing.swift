/// The listings that are not the service table: `-c` connection entries,
/// `--timeout` and `--daemon`.
public struct IPVSAdmStatusListing: Sendable {
    /// Names as in ``IPVSAdmListing`` (host and service names unless numeric).
    public var names: IPVSAdmListing

    public init(numeric: Bool, resolver: NameResolver) {
        names = IPVSAdmListing(numeric: numeric, resolver: resolver)
    }

    /// `ipvsadm -Lc`: the entries in the order given (the kernel's hash order).
    public func connections(_ entries: [Connection], nowNanoseconds: Int64) -> String {
        var out = "IPVS connection entries\n"
        out += "pro expire state       source             virtual            destination\n"
        for entry in entries {
            let remaining = max(0, entry.expiresAtNanoseconds - nowNanoseconds) / 1_000_000_000
            let expire = twoDigits(remaining / 60) + ":" + twoDigits(remaining % 60)
            let proto = entry.proto
            out += names.pad(proto?.listingName ?? "IP", 3) + " " + names.pad(expire, 6) + " "
                + names.pad(entry.listingState, 11) + " "
                + names.pad(names.name(entry.client.address, entry.client.port, proto: proto), 18) + " "
                + names.pad(names.name(entry.virtual.address, entry.virtual.port, proto: proto), 18) + " "
                + names.name(entry.destination.address, entry.destination.port, proto: proto) + "\n"
        }
        return out
    }

    /// `ipvsadm -L --timeout`.
    public func timeouts(_ timeouts: IPVSTimeouts) -> String {
        "Timeout (tcp tcpfin udp): \(timeouts.tcp) \(timeouts.tcpFin) \(timeouts.udp)\n"
    }

    /// `ipvsadm -L --daemon`: one line per running daemon, with the kernel's
    /// defaults filled in for unset sync-protocol options.
    public func daemons(_ daemons: [SyncDaemon]) -> String {
        var out = ""
        for daemon in daemons {
            out += "\(daemon.role.rawValue) sync daemon (mcast=\(daemon.multicastInterface), syncid=\(daemon.syncID)"
            out += ", maxlen=\(daemon.maxLength == 0 ? 1472 : daemon.maxLength)"
            out += ", group=\(daemon.multicastGroup?.description ?? "224.0.0.81")"
            out += ", port=\(daemon.multicastPort == 0 ? 8848 : daemon.multicastPort)"
            out += ", ttl=\(daemon.multicastTTL == 0 ? 1 : daemon.multicastTTL))\n"
        }
        return out
    }

    private func twoDigits(_ value: Int64) -> String {
        value < 10 ? "0\(value)" : String(value)
    }
}
