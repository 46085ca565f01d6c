/// Renders the IPVS table the way ipvsadm 1.31 prints it: `-L` and its
/// format variants, `-S` rules, `-c` connection entries, `--timeout` and
/// `--daemon`.
public struct IPVSAdmListing: Sendable {
    /// Which of ipvsadm's mutually exclusive listing layouts to use.
    public enum Layout: Sendable {
        case standard, stats, rate, thresholds, persistentConnections, tunnelInfo, rules
    }

    public var layout: Layout
    /// `-n`: no host or service names.
    public var numeric: Bool
    /// `--exact`: no K/M/G/T abbreviation of large numbers.
    public var exact: Bool
    /// `--nosort`: kernel order instead of sorted order.
    public var kernelOrder: Bool
    public var resolver: NameResolver

    public init(layout: Layout = .standard, numeric: Bool = false, exact: Bool = false, kernelOrder: Bool = false,
                resolver: NameResolver = .system) {
        self.layout = layout
        self.numeric = numeric
        self.exact = exact
        self.kernelOrder = kernelOrder
        self.resolver = resolver
    }

    /// The layout a `-L`/`-S` command selects (ipvsadm's precedence).
    public init(command: IPVSAdmCommand, resolver: NameResolver) {
        let options = command.options
        let layout: Layout
        if command.kind == .save { layout = .rules }
        else if options.contains(.stats) { layout = .stats }
        else if options.contains(.rate) { layout = .rate }
        else if options.contains(.thresholds) { layout = .thresholds }
        else if options.contains(.persistentConnections) { layout = .persistentConnections }
        else if options.contains(.tunnelInfo) { layout = .tunnelInfo }
        else { layout = .standard }
        self.init(layout: layout, numeric: command.isNumeric, exact: options.contains(.exact),
                  kernelOrder: options.contains(.noSort), resolver: resolver)
    }

    // MARK: Whole listings

    /// `ipvsadm -L` / `-S`: every service.
    public func all(_ table: IPVSTable) -> String {
        var out = ""
        if layout != .rules {
            out += "IP Virtual Server version 1.2.1 (size=\(table.connectionTableSize))\n"
            out += title
        }
        let services = kernelOrder ? table.kernelOrder : table.services.sorted(by: IPVSAdmListing.sortsBefore)
        for service in services { out += entry(service) }
        return out
    }

    /// `ipvsadm -L <service>`: the title and the one service (no version line).
    public func one(_ service: VirtualService) -> String {
        title + entry(service)
    }

    /// The column titles of the layout.
    public var title: String {
        switch layout {
        case .standard:
            return "Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward Weight ActiveConn InActConn\n"
        case .stats:
            return "Prot LocalAddress:Port               Conns   InPkts  OutPkts  InBytes OutBytes\n  -> RemoteAddress:Port\n"
        case .rate:
            return "Prot LocalAddress:Port                 CPS    InPPS   OutPPS    InBPS   OutBPS\n  -> RemoteAddress:Port\n"
        case .thresholds:
            return "Prot LocalAddress:Port            Uthreshold Lthreshold ActiveConn InActConn \n  -> RemoteAddress:Port\n"
        case .persistentConnections:
            return "Prot LocalAddress:Port            Weight    PersistConn ActiveConn InActConn \n  -> RemoteAddress:Port\n"
        case .tunnelInfo:
            return "Prot LocalAddress:Port Scheduler Flags\n  -> RemoteAddress:Port           Forward TunnelInfo    Weight ActiveConn InActConn\n"
        case .rules:
            return ""
        }
    }

    /// One service line followed by its real-server lines.
    public func entry(_ service: VirtualService) -> String {
        var out = serviceLine(service) + "\n"
        let servers = kernelOrder ? service.servers : service.servers.sorted(by: IPVSAdmListing.sortsBefore)
        for server in servers { out += serverLine(server, of: service) + "\n" }
        return out
    }

    // MARK: Lines

    private func serviceName(_ key: ServiceKey) -> String {
        switch key {
        case .fwmark(let mark, let family):
            return "FWM  \(mark)" + (family == .inet6 ? " IPv6" : "")
        case .address(let proto, let endpoint):
            return pad(proto.listingName, 4) + " " + name(endpoint.address, endpoint.port, proto: proto)
        }
    }

    private func ruleServiceName(_ key: ServiceKey) -> String {
        switch key {
        case .fwmark(let mark, let family):
            return "-f \(mark)" + (family == .inet6 ? " -6" : "")
        case .address(let proto, let endpoint):
            let flag = proto == .tcp ? "-t" : (proto == .udp ? "-u" : "--sctp-service")
            return flag + " " + name(endpoint.address, endpoint.port, proto: proto)
        }
    }

    private func serviceLine(_ service: VirtualService) -> String {
        let key = service.key
        switch layout {
        case .stats:
            let stats = service.stats
            return pad(serviceName(key), 33)
                + [stats.connections, stats.inPackets, stats.outPackets, stats.inBytes, stats.outBytes].map(largeNumber).joined()
        case .rate:
            let stats = service.stats
            return pad(serviceName(key), 33)
                + [stats.connectionsPerSecond, stats.inPacketsPerSecond, stats.outPacketsPerSecond,
                   stats.inBytesPerSecond, stats.outBytesPerSecond].map { largeNumber(UInt64($0)) }.joined()
        case .rules:
            var line = "-A \(ruleServiceName(key)) -s \(service.scheduler)"
            if service.isPersistent {
                line += " -p \(service.timeout)"
                if let mask = maskText(service) { line += " -M \(mask)" }
            }
            if let engine = service.persistenceEngine { line += " --pe \(engine)" }
            if service.isOnePacket { line += " -o" }
            if let flags = schedulerFlagsText(service) { line += " -b \(flags)" }
            return line
        default:
            var line = "\(serviceName(key)) \(service.scheduler)"
            if let flags = schedulerFlagsText(service) { line += " (\(flags))" }
            if service.isPersistent {
                line += " persistent \(service.timeout)"
                if let mask = maskText(service) { line += " mask \(mask)" }
                if let engine = service.persistenceEngine { line += " pe \(engine)" }
            }
            if service.isOnePacket { line += " ops" }
            return line
        }
    }

    private func serverLine(_ server: RealServer, of service: VirtualService) -> String {
        let proto: TransportProtocol? = service.key.isFirewallMark ? nil : service.key.storedProtocol
        let dname = name(server.address, server.port, proto: proto)
        let active = String(UInt32(bitPattern: server.activeConnections))
        let inactive = String(UInt32(bitPattern: server.inactiveConnections))
        switch layout {
        case .stats:
            let s = server.stats
            return "  -> " + pad(dname, 28) + [s.connections, s.inPackets, s.outPackets, s.inBytes, s.outBytes].map(largeNumber).joined()
        case .rate:
            let s = server.stats
            return "  -> " + pad(dname, 28)
                + [s.connectionsPerSecond, s.inPacketsPerSecond, s.outPacketsPerSecond, s.inBytesPerSecond, s.outBytesPerSecond]
                .map { largeNumber(UInt64($0)) }.joined()
        case .thresholds:
            return "  -> " + pad(dname, 28) + " " + pad(String(server.upperThreshold), 10) + " "
                + pad(String(server.lowerThreshold), 10) + " " + pad(active, 10) + " " + pad(inactive, 10)
        case .persistentConnections:
            return "  -> " + pad(dname, 28) + " " + pad(String(server.weight), 9) + " "
                + pad(String(UInt32(bitPattern: server.persistentConnections)), 11) + " " + pad(active, 10) + " "
                + pad(inactive, 10)
        case .tunnelInfo:
            return "  -> " + pad(dname, 28) + " " + pad(server.forwarding.listingName, 7) + " " + pad(tunnelInfo(server), 13)
                + " " + pad(String(server.weight), 6) + " " + pad(active, 10) + " " + pad(inactive, 10)
        case .rules:
            var line = "-a \(ruleServiceName(service.key)) -r \(dname) \(server.forwarding.ipvsadmFlag) -w \(server.weight)"
            if server.forwarding == .tunnel { line += tunnelRule(server.tunnel) }
            return line
        case .standard:
            return "  -> " + pad(dname, 28) + " " + pad(server.forwarding.listingName, 7) + " " + pad(String(server.weight), 6)
                + " " + pad(active, 10) + " " + pad(inactive, 10)
        }
    }

    private func maskText(_ service: VirtualService) -> String? {
        if service.key.family == .inet {
            return service.netmask == 0xFFFF_FFFF ? nil : IPAddress.v4(service.netmask).description
        }
        return service.netmask == 128 ? nil : String(service.netmask)
    }

    private func schedulerFlagsText(_ service: VirtualService) -> String? {
        let flags = service.flags.intersection(.schedulerFlags)
        guard !flags.isEmpty else { return nil }
        let names: [String]
        switch service.scheduler {
        case "sh": names = ["sh-fallback", "sh-port", "flag-3"]
        case "mh": names = ["mh-fallback", "mh-port", "flag-3"]
        default: names = ["flag-1", "flag-2", "flag-3"]
        }
        let bits: [ServiceFlags] = [.sched1, .sched2, .sched3]
        return zip(bits, names).filter { flags.contains($0.0) }.map(\.1).joined(separator: ",")
    }

    private func checksumCode(_ checksum: TunnelChecksum) -> String {
        switch checksum {
        case .unset, .none: return "-c"
        case .checksum: return "+c"
        case .remoteChecksum: return "r+c"
        }
    }

    private func tunnelInfo(_ server: RealServer) -> String {
        guard server.forwarding == .tunnel else { return "n/a" }
        switch server.tunnel.type {
        case .ipip: return "ipip"
        case .gue: return "gue:\(server.tunnel.port):\(checksumCode(server.tunnel.checksum))"
        case .gre: return "gre:\(checksumCode(server.tunnel.checksum))"
        }
    }

    private func tunnelRule(_ tunnel: TunnelConfig) -> String {
        var text = " --tun-type \(tunnel.type.name)"
        if tunnel.type == .gue { text += " --tun-port \(tunnel.port)" }
        switch tunnel.checksum {
        case .unset: break
        case .none: text += " --tun-nocsum"
        case .checksum: text += " --tun-csum"
        case .remoteChecksum: text += " --tun-remcsum"
        }
        return text
    }

    // MARK: Helpers

    /// `host:port`, names unless numeric (`[v6]:port` for IPv6 addresses).
    public func name(_ address: IPAddress, _ port: UInt16, proto: TransportProtocol?) -> String {
        let hostName = numeric ? nil : resolver.hostName(of: address)
        let host = hostName ?? (address.family == .inet6 ? "[\(address)]" : address.description)
        let service = numeric ? nil : proto.flatMap { resolver.serviceName(ofPort: port, proto: $0.name) }
        return "\(host):\(service ?? String(port))"
    }

    /// ipvsadm's `print_largenum`.
    func largeNumber(_ value: UInt64) -> String {
        if exact {
            let digits = String(value)
            return leftPad(digits, digits.count <= 8 ? 9 : digits.count + 1)
        }
        if value < 100_000_000 { return leftPad(String(value), 9) }
        if value < 1_000_000_000 { return leftPad(String(value / 1000), 8) + "K" }
        if value < 100_000_000_000 { return leftPad(String(value / 1_000_000), 8) + "M" }
        if value < 100_000_000_000_000 { return leftPad(String(value / 1_000_000_000), 8) + "G" }
        return leftPad(String(value / 1_000_000_000_000), 8) + "T"
    }

    func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    func leftPad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }

    // MARK: Sorting (ipvsadm's signed-difference comparisons)

    private static func signedDifference(_ a: UInt32, _ b: UInt32) -> Int32 { Int32(bitPattern: a &- b) }

    private static func compare(_ a: IPAddress, _ b: IPAddress) -> Int {
        switch (a, b) {
        case (.v4(let x), .v4(let y)): return Int(signedDifference(x, y))
        case (.v6(let xh, let xl), .v6(let yh, let yl)): return (xh, xl) < (yh, yl) ? -1 : ((xh, xl) == (yh, yl) ? 0 : 1)
        default: return Int(a.family.rawValue) - Int(b.family.rawValue)
        }
    }

    /// Whether service `a` lists before `b`: fwmark, family, protocol, address, port.
    public static func sortsBefore(_ a: VirtualService, _ b: VirtualService) -> Bool {
        func parts(_ key: ServiceKey) -> (UInt32, Int, Int, IPAddress?, Int) {
            switch key {
            case .fwmark(let mark, let family): return (mark, Int(family.rawValue), 6, nil, 0)
            case .address(let proto, let e): return (0, Int(e.address.family.rawValue), Int(proto.rawValue), e.address, Int(e.port))
            }
        }
        let (ma, fa, pa, aa, pta) = parts(a.key)
        let (mb, fb, pb, ab, ptb) = parts(b.key)
        let byMark = signedDifference(ma, mb)
        if byMark != 0 { return byMark < 0 }
        if fa != fb { return fa < fb }
        if pa != pb { return pa < pb }
        if let aa, let ab {
            let byAddress = compare(aa, ab)
            if byAddress != 0 { return byAddress < 0 }
        }
        return pta < ptb
    }

    /// Whether real server `a` lists before `b`: address, then port.
    public static func sortsBefore(_ a: RealServer, _ b: RealServer) -> Bool {
        let byAddress = compare(a.address, b.address)
        if byAddress != 0 { return byAddress < 0 }
        return a.port < b.port
    }
}
