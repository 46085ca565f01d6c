/// A re-implementation of the parts of popt that ipvsadm 1.31 relies on:
/// short options (bundled, `-Lnc`, with attached arguments `-w5`), long
/// options (`--weight 5`, `--weight=5`), optional arguments (`-p [timeout]`
/// takes the next word only when it does not start with `-`), `--` and
/// leftover (non-option) arguments collected in order.
struct PoptScanner {
    /// Whether an option takes an argument.
    enum ArgumentKind {
        case none, required, optional
    }

    /// One row of ipvsadm's popt option table.
    struct OptionSpec {
        var long: String?
        var short: Character?
        var argument: ArgumentKind
        var tag: IPVSAdmTag
    }

    /// What `poptGetNextOpt` returns, one call at a time.
    enum Event {
        /// An option with its argument (if any) and the text popt reports for it.
        case option(IPVSAdmTag, value: String?, text: String)
        /// A popt error: the offending text and popt's reason.
        case error(option: String, reason: String)
    }

    let table: [OptionSpec]

    /// Scans `args` (without argv[0]) into events up to and including the
    /// first error, and the leftover arguments seen.
    func scan(_ args: [String]) -> (events: [Event], leftovers: [String]) {
        var events: [Event] = []
        var leftovers: [String] = []
        var index = 0
        var onlyArguments = false
        while index < args.count {
            let word = args[index]
            index += 1
            if onlyArguments || word == "-" || !word.hasPrefix("-") {
                leftovers.append(word)
                continue
            }
            if word == "--" {
                onlyArguments = true
                continue
            }
            if word.hasPrefix("--") {
                let body = word.dropFirst(2)
                let name: Substring
                var attached: String?
                if let equals = body.firstIndex(of: "=") {
                    name = body[..<equals]
                    attached = String(body[body.index(after: equals)...])
                } else {
                    name = body
                }
                guard let spec = table.first(where: { $0.long.map { $0 == name } ?? false }) else {
                    events.append(.error(option: word, reason: "unknown option"))
                    return (events, leftovers)
                }
                switch spec.argument {
                case .none:
                    if attached != nil {
                        events.append(.error(option: word, reason: "option does not take an argument"))
                        return (events, leftovers)
                    }
                    events.append(.option(spec.tag, value: nil, text: word))
                case .required:
                    if let attached {
                        events.append(.option(spec.tag, value: attached, text: word))
                    } else if index < args.count {
                        events.append(.option(spec.tag, value: args[index], text: word))
                        index += 1
                    } else {
                        events.append(.error(option: word, reason: "missing argument"))
                        return (events, leftovers)
                    }
                case .optional:
                    if let attached {
                        events.append(.option(spec.tag, value: attached, text: word))
                    } else if index < args.count, !args[index].hasPrefix("-") {
                        events.append(.option(spec.tag, value: args[index], text: word))
                        index += 1
                    } else {
                        events.append(.option(spec.tag, value: nil, text: word))
                    }
                }
                continue
            }
            // A cluster of short options.
            var rest = word.dropFirst()
            while let letter = rest.first {
                rest = rest.dropFirst()
                guard let spec = table.first(where: { $0.short == letter }) else {
                    events.append(.error(option: word, reason: "unknown option"))
                    return (events, leftovers)
                }
                let text = "-" + String(letter)
                switch spec.argument {
                case .none:
                    events.append(.option(spec.tag, value: nil, text: text))
                    continue
                case .required:
                    if !rest.isEmpty {
                        events.append(.option(spec.tag, value: String(rest.first == "=" ? rest.dropFirst() : rest), text: text))
                    } else if index < args.count {
                        events.append(.option(spec.tag, value: args[index], text: text))
                        index += 1
                    } else {
                        events.append(.error(option: word, reason: "missing argument"))
                        return (events, leftovers)
                    }
                case .optional:
                    if !rest.isEmpty {
                        events.append(.option(spec.tag, value: String(rest.first == "=" ? rest.dropFirst() : rest), text: text))
                    } else if index < args.count, !args[index].hasPrefix("-") {
                        events.append(.option(spec.tag, value: args[index], text: text))
                        index += 1
                    } else {
                        events.append(.option(spec.tag, value: nil, text: text))
                    }
                }
                break
            }
        }
        return (events, leftovers)
    }
}

/// What each ipvsadm option stands for once popt has recognised it.
enum IPVSAdmTag: Hashable, Sendable {
    case addService, editService, deleteService, clear, list, zero, restore, save
    case addServer, editServer, deleteServer, setTimeouts, startDaemon, stopDaemon, help, version
    case tcpService, udpService, sctpService, fwmarkService, ipv6
    case scheduler, persistent, netmask, persistenceEngine, schedulerFlags, onePacket
    case realServer, gatewaying, ipip, masquerading, weight, upperThreshold, lowerThreshold
    case tunnelType, tunnelPort, tunnelNoChecksum, tunnelChecksum, tunnelRemoteChecksum
    case numeric, connection, timeout, daemon, stats, rate, exact, thresholds, persistentConnections
    case tunnelInfo, noSort, sort
    case multicastInterface, syncID, syncMaxLength, multicastGroup, multicastPort, multicastTTL

    /// The command this tag selects, if it is a command.
    var command: IPVSAdmCommandKind? {
        switch self {
        case .addService: return .addService
        case .editService: return .editService
        case .deleteService: return .deleteService
        case .clear: return .clear
        case .list: return .list
        case .zero: return .zero
        case .restore: return .restore
        case .save: return .save
        case .addServer: return .addServer
        case .editServer: return .editServer
        case .deleteServer: return .deleteServer
        case .setTimeouts: return .setTimeouts
        case .startDaemon: return .startDaemon
        case .stopDaemon: return .stopDaemon
        case .help: return .help
        case .version: return .version
        default: return nil
        }
    }

    /// ipvsadm 1.31's option table.
    static let table: [PoptScanner.OptionSpec] = [
        .init(long: "add-service", short: "A", argument: .none, tag: .addService),
        .init(long: "edit-service", short: "E", argument: .none, tag: .editService),
        .init(long: "delete-service", short: "D", argument: .none, tag: .deleteService),
        .init(long: "clear", short: "C", argument: .none, tag: .clear),
        .init(long: "list", short: "L", argument: .none, tag: .list),
        .init(long: nil, short: "l", argument: .none, tag: .list),
        .init(long: "zero", short: "Z", argument: .none, tag: .zero),
        .init(long: "restore", short: "R", argument: .none, tag: .restore),
        .init(long: "save", short: "S", argument: .none, tag: .save),
        .init(long: "add-server", short: "a", argument: .none, tag: .addServer),
        .init(long: "edit-server", short: "e", argument: .none, tag: .editServer),
        .init(long: "delete-server", short: "d", argument: .none, tag: .deleteServer),
        .init(long: "set", short: nil, argument: .none, tag: .setTimeouts),
        .init(long: "help", short: "h", argument: .none, tag: .help),
        .init(long: "version", short: "v", argument: .none, tag: .version),
        .init(long: "start-daemon", short: nil, argument: .required, tag: .startDaemon),
        .init(long: "stop-daemon", short: nil, argument: .required, tag: .stopDaemon),
        .init(long: "tcp-service", short: "t", argument: .required, tag: .tcpService),
        .init(long: "udp-service", short: "u", argument: .required, tag: .udpService),
        .init(long: "sctp-service", short: nil, argument: .required, tag: .sctpService),
        .init(long: "fwmark-service", short: "f", argument: .required, tag: .fwmarkService),
        .init(long: "scheduler", short: "s", argument: .required, tag: .scheduler),
        .init(long: "persistent", short: "p", argument: .optional, tag: .persistent),
        .init(long: "netmask", short: "M", argument: .required, tag: .netmask),
        .init(long: "real-server", short: "r", argument: .required, tag: .realServer),
        .init(long: "masquerading", short: "m", argument: .none, tag: .masquerading),
        .init(long: "ipip", short: "i", argument: .none, tag: .ipip),
        .init(long: "gatewaying", short: "g", argument: .none, tag: .gatewaying),
        .init(long: "weight", short: "w", argument: .required, tag: .weight),
        .init(long: "u-threshold", short: "x", argument: .required, tag: .upperThreshold),
        .init(long: "l-threshold", short: "y", argument: .required, tag: .lowerThreshold),
        .init(long: "numeric", short: "n", argument: .none, tag: .numeric),
        .init(long: "connection", short: "c", argument: .none, tag: .connection),
        .init(long: "mcast-interface", short: nil, argument: .required, tag: .multicastInterface),
        .init(long: "syncid", short: nil, argument: .required, tag: .syncID),
        .init(long: "timeout", short: nil, argument: .none, tag: .timeout),
        .init(long: "daemon", short: nil, argument: .none, tag: .daemon),
        .init(long: "stats", short: nil, argument: .none, tag: .stats),
        .init(long: "rate", short: nil, argument: .none, tag: .rate),
        .init(long: "thresholds", short: nil, argument: .none, tag: .thresholds),
        .init(long: "persistent-conn", short: nil, argument: .none, tag: .persistentConnections),
        .init(long: "nosort", short: nil, argument: .none, tag: .noSort),
        .init(long: "sort", short: nil, argument: .none, tag: .sort),
        .init(long: "exact", short: nil, argument: .none, tag: .exact),
        .init(long: "ipv6", short: "6", argument: .none, tag: .ipv6),
        .init(long: "ops", short: "o", argument: .none, tag: .onePacket),
        .init(long: "pe", short: nil, argument: .required, tag: .persistenceEngine),
        .init(long: "sched-flags", short: "b", argument: .required, tag: .schedulerFlags),
        .init(long: "sync-maxlen", short: nil, argument: .required, tag: .syncMaxLength),
        .init(long: "mcast-group", short: nil, argument: .required, tag: .multicastGroup),
        .init(long: "mcast-port", short: nil, argument: .required, tag: .multicastPort),
        .init(long: "mcast-ttl", short: nil, argument: .required, tag: .multicastTTL),
        .init(long: "tun-type", short: nil, argument: .required, tag: .tunnelType),
        .init(long: "tun-port", short: nil, argument: .required, tag: .tunnelPort),
        .init(long: "tun-nocsum", short: nil, argument: .none, tag: .tunnelNoChecksum),
        .init(long: "tun-csum", short: nil, argument: .none, tag: .tunnelChecksum),
        .init(long: "tun-remcsum", short: nil, argument: .none, tag: .tunnelRemoteChecksum),
        .init(long: "tun-info", short: nil, argument: .none, tag: .tunnelInfo),
    ]
}
