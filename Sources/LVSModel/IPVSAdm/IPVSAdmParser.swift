/// Turns an ipvsadm argument vector into an ``IPVSAdmCommand``, applying
/// ipvsadm 1.31's option handling, defaults, checks and messages in the
/// order the tool applies them.
public struct IPVSAdmParser: Sendable {
    /// Resolves host and service names in addresses (`vip.example:https`).
    public var resolver: NameResolver

    /// The longest persistence timeout ipvsadm accepts (31 days).
    public static let maximumTimeout: Int64 = 86_400 * 31
    /// The persistence timeout of `-p` without a value.
    public static let defaultPersistenceTimeout: UInt32 = 360

    public init(resolver: NameResolver = .system) {
        self.resolver = resolver
    }

    /// Parses `args` (without the program name).
    public func parse(_ args: [String]) throws(IPVSAdmError) -> IPVSAdmCommand {
        if args.isEmpty { return IPVSAdmCommand(kind: .list) }
        let scanner = PoptScanner(table: IPVSAdmTag.table)
        let (events, leftovers) = scanner.scan(args)
        guard case .option(let firstTag, let firstValue, _)? = events.first, let kind = firstTag.command else {
            throw .tryHelp
        }
        var state = ParseState(command: IPVSAdmCommand(kind: kind))
        switch kind {
        case .help, .version:
            return state.command
        case .startDaemon, .stopDaemon:
            guard let role = firstValue.flatMap(SyncDaemonRole.init(rawValue:)) else {
                throw .usage("illegal \(kind.name) parameter specified")
            }
            state.daemon.role = role
        default:
            break
        }
        for event in events.dropFirst() {
            switch event {
            case .error(let option, let reason):
                throw .optionParsing(option: option, reason: reason)
            case .option(let tag, let value, let text):
                try apply(tag, value: value ?? "", hasValue: value != nil, text: text, to: &state)
            }
        }
        var remaining = leftovers[...]
        if kind == .setTimeouts {
            guard remaining.count >= 3 else { throw .usage("--set option requires 3 timeout values") }
            var values: [UInt32] = []
            for text in remaining.prefix(3) {
                guard let value = CTextParsing.number(text, in: 0...IPVSAdmParser.maximumTimeout) else {
                    throw .usage("invalid timeout value `\(text)' specified")
                }
                values.append(UInt32(value))
            }
            state.command.timeouts = (values[0], values[1], values[2])
            remaining = remaining.dropFirst(3)
        }
        if let stray = remaining.first { throw .usage("unexpected argument \(stray)") }
        try checkLegality(state.command)
        try finish(&state)
        return state.command
    }

    // MARK: Options

    /// Everything collected while the options are processed.
    struct ParseState {
        var command: IPVSAdmCommand
        var proto: TransportProtocol?
        var serviceAddress: IPAddress?
        var servicePort: UInt16 = 0
        var fwmark: UInt32 = 0
        var fwmarkIPv6 = false
        var scheduler = ""
        var flags: ServiceFlags = []
        var timeout: UInt32 = 0
        var netmask: UInt32?
        var persistenceEngine: String?
        var schedulerFlags: String?
        var serverAddress: IPAddress?
        var serverPort: UInt16 = 0
        var forwarding: ForwardingMethod = .directRouting
        var weight: Int32 = 1
        var upperThreshold: UInt32 = 0
        var lowerThreshold: UInt32 = 0
        var tunnel = TunnelConfig()
        var daemon = SyncDaemon(role: .master, multicastInterface: "")

        var serviceFamily: AddressFamily {
            if let serviceAddress { return serviceAddress.family }
            return fwmarkIPv6 ? .inet6 : .inet
        }

        mutating func set(_ option: IPVSAdmOption) throws(IPVSAdmError) {
            if command.options.contains(option) { throw .usage("multiple '\(option.name)' options specified") }
            command.options.insert(option)
        }
    }

    private func apply(_ tag: IPVSAdmTag, value: String, hasValue: Bool, text: String, to state: inout ParseState)
        throws(IPVSAdmError)
    {
        switch tag {
        case .tcpService, .udpService, .sctpService:
            try state.set(.serviceAddress)
            let proto: TransportProtocol = tag == .tcpService ? .tcp : (tag == .udpService ? .udp : .sctp)
            state.proto = proto
            guard let parsed = parseService(value, proto: proto, defaultPort: nil) else {
                throw .usage("illegal virtual server address[:port] specified")
            }
            state.serviceAddress = parsed.address
            state.servicePort = parsed.port ?? 0
        case .fwmarkService:
            try state.set(.serviceAddress)
            state.proto = .tcp
            guard let mark = CTextParsing.number(value, in: 1...Int64(UInt32.max)) else {
                throw .usage("invalid fwmark value `\(value)' specified")
            }
            state.fwmark = UInt32(mark)
        case .ipv6:
            guard state.fwmark != 0 else { throw .usage("-6 used before -f\n") }
            state.fwmarkIPv6 = true
            state.netmask = 128
        case .scheduler:
            try state.set(.scheduler)
            state.scheduler = String(value.prefix(15))
        case .persistent:
            try state.set(.persistent)
            state.flags.insert(.persistent)
            if hasValue {
                guard let timeout = CTextParsing.number(value, in: 1...IPVSAdmParser.maximumTimeout) else {
                    throw .usage("invalid timeout value `\(value)' specified")
                }
                state.timeout = UInt32(timeout)
            } else {
                state.timeout = IPVSAdmParser.defaultPersistenceTimeout
            }
        case .netmask:
            try state.set(.netmask)
            if state.serviceFamily == .inet6 {
                guard let length = CTextParsing.strtol(value), (1...128).contains(length) else {
                    throw .usage("illegal ipv6 netmask specified")
                }
                state.netmask = UInt32(length)
            } else {
                guard let mask = CTextParsing.inetAton(value) ?? resolver.address(ofHost: value).flatMap(\.v4Value) else {
                    throw .usage("illegal virtual server persistent mask specified")
                }
                state.netmask = mask
            }
        case .persistenceEngine:
            try state.set(.persistenceEngine)
            state.persistenceEngine = value
        case .schedulerFlags:
            try state.set(.schedulerFlags)
            state.schedulerFlags = value
        case .onePacket:
            try state.set(.onePacket)
            state.flags.insert(.onePacket)
        case .realServer:
            try state.set(.realServer)
            guard let parsed = parseService(value, proto: state.proto, defaultPort: state.servicePort) else {
                throw .usage("illegal real server address[:port] specified")
            }
            state.serverAddress = parsed.address
            state.serverPort = parsed.port ?? state.servicePort
        case .gatewaying, .ipip, .masquerading:
            try state.set(.forwardingMethod)
            state.forwarding = tag == .gatewaying ? .directRouting : (tag == .ipip ? .tunnel : .masquerade)
        case .weight:
            try state.set(.weight)
            guard let weight = CTextParsing.number(value, in: 0...Int64(Int32.max)) else {
                throw .usage("illegal weight specified")
            }
            state.weight = Int32(weight)
        case .upperThreshold, .lowerThreshold:
            let upper = tag == .upperThreshold
            try state.set(upper ? .upperThreshold : .lowerThreshold)
            guard let threshold = CTextParsing.number(value, in: 0...Int64(Int32.max)) else {
                throw .usage(upper ? "illegal u_threshold specified" : "illegal l_threshold specified")
            }
            if upper { state.upperThreshold = UInt32(threshold) } else { state.lowerThreshold = UInt32(threshold) }
        case .tunnelType:
            try state.set(.tunnelType)
            switch value {
            case "ipip": state.tunnel.type = .ipip
            case "gue": state.tunnel.type = .gue
            case "gre": state.tunnel.type = .gre
            default: throw .usage("illegal tunnel type specified")
            }
        case .tunnelPort:
            try state.set(.tunnelPort)
            guard let port = CTextParsing.number(value, in: 1...65535) else {
                throw .usage("illegal tunnel port specified")
            }
            state.tunnel.port = UInt16(port)
        case .tunnelNoChecksum:
            try state.set(.tunnelNoChecksum)
            state.tunnel.checksum = .none
        case .tunnelChecksum:
            try state.set(.tunnelChecksum)
            state.tunnel.checksum = .checksum
        case .tunnelRemoteChecksum:
            try state.set(.tunnelRemoteChecksum)
            state.tunnel.checksum = .remoteChecksum
        case .numeric: try state.set(.numeric)
        case .connection: try state.set(.connection)
        case .timeout: try state.set(.timeout)
        case .daemon: try state.set(.daemon)
        case .stats: try state.set(.stats)
        case .rate: try state.set(.rate)
        case .exact: try state.set(.exact)
        case .thresholds: try state.set(.thresholds)
        case .persistentConnections: try state.set(.persistentConnections)
        case .tunnelInfo: try state.set(.tunnelInfo)
        case .noSort: try state.set(.noSort)
        case .sort: break
        case .multicastInterface:
            try state.set(.multicastInterface)
            state.daemon.multicastInterface = String(value.prefix(15))
        case .syncID:
            try state.set(.syncID)
            guard let id = CTextParsing.number(value, in: 0...255) else { throw .usage("illegal syncid specified") }
            state.daemon.syncID = UInt8(id)
        case .syncMaxLength:
            try state.set(.syncMaxLength)
            guard let length = CTextParsing.number(value, in: 1...(65535 - 20 - 8)) else {
                throw .usage("illegal sync-maxlen specified")
            }
            state.daemon.maxLength = UInt16(length)
        case .multicastGroup:
            try state.set(.multicastGroup)
            guard let group = IPAddress(value) else { throw .usage("illegal mcast-group specified") }
            state.daemon.multicastGroup = group
        case .multicastPort:
            try state.set(.multicastPort)
            guard let port = CTextParsing.number(value, in: 1...65535) else { throw .usage("illegal mcast-port specified") }
            state.daemon.multicastPort = UInt16(port)
        case .multicastTTL:
            try state.set(.multicastTTL)
            guard let ttl = CTextParsing.number(value, in: 1...255) else { throw .usage("illegal mcast-ttl specified") }
            state.daemon.multicastTTL = UInt8(ttl)
        default:
            throw .usage("invalid option `\(text)'")
        }
    }

    /// ipvsadm's `parse_service`: `[v6]:port`, bare IPv6, or IPv4/host with
    /// optional `:port` (number or service name of `proto`).
    func parseService(_ text: String, proto: TransportProtocol?, defaultPort: UInt16?) -> (address: IPAddress, port: UInt16?)? {
        if text.isEmpty || CTextParsing.isAllDigits(text) { return nil }
        var body = Substring(text)
        var portText: Substring?
        if body.hasPrefix("[") {
            body = body.dropFirst()
            guard let close = body.firstIndex(of: "]") else { return nil }
            let after = body[body.index(after: close)...]
            guard after.hasPrefix(":") else { return nil }
            portText = after.dropFirst()
            body = body[..<close]
        }
        let address: IPAddress
        if let v6 = IPAddress.parseV6(body) {
            address = v6
        } else {
            if let colon = body.lastIndex(of: ":") {
                portText = body[body.index(after: colon)...]
                body = body[..<colon]
            }
            if let v4 = CTextParsing.inetAton(String(body)) {
                address = .v4(v4)
            } else if let resolved = resolver.address(ofHost: String(body)) {
                address = resolved
            } else {
                return nil
            }
        }
        guard let portText else { return (address, nil) }
        if let port = CTextParsing.number(String(portText), in: 0...65535) { return (address, UInt16(port)) }
        if let proto, let port = resolver.port(ofService: String(portText), proto: proto.name) { return (address, port) }
        return nil
    }

    // MARK: Checks after parsing

    private func checkLegality(_ command: IPVSAdmCommand) throws(IPVSAdmError) {
        var exclusive: IPVSAdmOption?
        for option in IPVSAdmOption.allCases {
            let legality = option.legality(with: command.kind)
            if !command.options.contains(option) {
                if legality == .required {
                    throw .usage("You need to supply the '\(option.name)' option for the '\(command.kind.name)' command")
                }
                continue
            }
            switch legality {
            case .illegal:
                throw .usage("Illegal '\(option.name)' option with the '\(command.kind.name)' command")
            case .exclusive:
                if let previous = exclusive {
                    throw .usage(
                        "The option '\(option.name)' conflicts with the '\(previous.name)' option in the '\(command.kind.name)' command")
                }
                exclusive = option
            case .allowed, .required:
                break
            }
        }
    }

    private func finish(_ state: inout ParseState) throws(IPVSAdmError) {
        let kind = state.command.kind
        if state.command.options.contains(.serviceAddress) {
            if state.fwmark != 0 {
                state.command.service = .fwmark(state.fwmark, state.fwmarkIPv6 ? .inet6 : .inet)
            } else if let address = state.serviceAddress, let proto = state.proto {
                state.command.service = .address(proto, Endpoint(address: address, port: state.servicePort))
            }
        }
        if kind == .list, state.command.options.contains(.connection) || state.command.options.contains(.timeout)
            || state.command.options.contains(.daemon)
        {
            let formats: [IPVSAdmOption] = [.stats, .persistentConnections, .rate, .thresholds, .tunnelInfo]
            if formats.contains(where: state.command.options.contains) {
                throw .usage("options conflicts in the list command")
            }
        }
        if kind == .addService || kind == .editService, let key = state.command.service {
            if state.fwmark == 0 && state.servicePort == 0 && !state.flags.contains(.persistent) {
                throw .usage("Zero port specified for non-persistent service")
            }
            if state.flags.contains(.onePacket) && state.fwmark == 0 && state.proto != .udp {
                throw .usage("One-Packet Scheduling is only for UDP virtual services")
            }
            if state.scheduler.isEmpty { state.scheduler = "wlc" }
            if let names = state.schedulerFlags {
                state.flags.formUnion(try schedulerFlags(names, scheduler: state.scheduler))
            }
            var config = VirtualService(
                key: key, scheduler: state.scheduler, flags: state.flags, timeout: state.timeout,
                netmask: state.netmask, persistenceEngine: state.persistenceEngine)
            if key.family == .inet6 && state.netmask == nil { config.netmask = 128 }
            state.command.serviceConfig = config
        }
        if kind == .addServer || kind == .editServer || kind == .deleteServer, let address = state.serverAddress {
            if (kind != .deleteServer) && state.fwmark == 0
                && (state.forwarding == .tunnel || state.forwarding == .directRouting)
            {
                state.serverPort = state.servicePort
            }
            if kind != .deleteServer { try checkTunnel(state) }
            if address.family != state.serviceFamily && state.forwarding != .tunnel {
                throw .usage("Different address family is allowed only for tunneling servers")
            }
            var server = RealServer(
                address: address, port: state.serverPort, forwarding: state.forwarding,
                tunnel: state.forwarding == .tunnel ? state.tunnel : .ipip, weight: state.weight,
                upperThreshold: state.upperThreshold, lowerThreshold: state.lowerThreshold)
            server.lastWeight = state.weight
            state.command.server = server
        }
        if kind == .startDaemon || kind == .stopDaemon { state.command.daemon = state.daemon }
    }

    private func checkTunnel(_ state: ParseState) throws(IPVSAdmError) {
        let options = state.command.options
        let tunnelOptions: [IPVSAdmOption] = [.tunnelType, .tunnelPort, .tunnelNoChecksum, .tunnelChecksum, .tunnelRemoteChecksum]
        guard tunnelOptions.contains(where: options.contains) else { return }
        if state.forwarding != .tunnel { throw .usage("Tunnel options conflict with forward method") }
        let checksumCount = [IPVSAdmOption.tunnelNoChecksum, .tunnelChecksum, .tunnelRemoteChecksum].filter(options.contains).count
        if checksumCount > 1 { throw .usage("Only one tunnel checksum option may be given") }
        switch state.tunnel.type {
        case .ipip:
            if options.contains(.tunnelPort) || checksumCount > 0 {
                throw .usage("Tunnel options conflict with tunnel type ipip")
            }
        case .gue:
            if !options.contains(.tunnelPort) { throw .usage("Tunnel port is required for tunnel type gue") }
        case .gre:
            if options.contains(.tunnelPort) || options.contains(.tunnelRemoteChecksum) {
                throw .usage("Tunnel options conflict with tunnel type gre")
            }
        }
    }

    /// ipvsadm's `parse_sched_flags`.
    private func schedulerFlags(_ names: String, scheduler: String) throws(IPVSAdmError) -> ServiceFlags {
        var flags: ServiceFlags = []
        for name in names.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            switch name {
            case "flag-1": flags.insert(.sched1)
            case "flag-2": flags.insert(.sched2)
            case "flag-3": flags.insert(.sched3)
            case "sh-fallback", "sh-port", "mh-fallback", "mh-port":
                guard scheduler == String(name.prefix(2)) else { throw .usage("incompatible scheduler flag `\(name)'") }
                flags.insert(name.hasSuffix("fallback") ? .sched1 : .sched2)
            default:
                throw .usage("invalid scheduler flag `\(name)'")
            }
        }
        return flags
    }
}

extension IPAddress {
    /// The IPv4 value, or nil for IPv6.
    var v4Value: UInt32? {
        if case .v4(let value) = self { return value }
        return nil
    }
}
