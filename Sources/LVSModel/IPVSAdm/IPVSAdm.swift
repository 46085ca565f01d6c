/// What one ipvsadm invocation printed and changed.
public struct IPVSAdmResult: Hashable, Sendable {
    public var stdout: String
    public var stderr: String
    public var exitCode: Int32
    /// Every table change applied, in order (for scheduler hooks).
    public var changes: [TableChange]

    public init(stdout: String = "", stderr: String = "", exitCode: Int32 = 0, changes: [TableChange] = []) {
        self.stdout = stdout
        self.stderr = stderr
        self.exitCode = exitCode
        self.changes = changes
    }

    /// Whether the invocation exited with status 0.
    public var succeeded: Bool { exitCode == 0 }
}

/// An emulation of the `ipvsadm` 1.31 command-line tool over an ``IPVSTable``.
public enum IPVSAdm {
    /// Runs `ipvsadm args…` against `table`.
    ///
    /// Output, messages and exit status are ipvsadm's. A failing invocation
    /// leaves the table unchanged, except `-R`, which (like ipvsadm) keeps
    /// the lines applied before the failing one.
    public static func run(
        _ args: [String], table: inout IPVSTable, connections: [Connection] = [], nowNanoseconds: Int64 = 0,
        stdin: String? = nil, resolver: NameResolver = .system
    ) -> IPVSAdmResult {
        let context = Context(connections: connections, now: nowNanoseconds, stdin: stdin, resolver: resolver)
        var result = IPVSAdmResult()
        do {
            try context.process(args, table: &table, readingStdin: false, into: &result)
        } catch {
            result.stderr += error.stderr
            result.exitCode = error.exitCode
        }
        return result
    }

    /// The inputs shared by the commands of one invocation (and of `-R` lines).
    private struct Context {
        var connections: [Connection]
        var now: Int64
        var stdin: String?
        var resolver: NameResolver

        func process(_ args: [String], table: inout IPVSTable, readingStdin: Bool, into result: inout IPVSAdmResult)
            throws(IPVSAdmError)
        {
            let command = try IPVSAdmParser(resolver: resolver).parse(args)
            switch command.kind {
            case .help:
                result.stdout += IPVSAdmHelp.usage
            case .version:
                result.stdout += IPVSAdmHelp.version
            case .list:
                result.stdout += try list(command, table: table)
            case .save:
                result.stdout += IPVSAdmListing(command: command, resolver: resolver).all(table)
            case .restore:
                if readingStdin { throw .tryHelp }
                try restore(table: &table, into: &result)
            default:
                result.changes += try change(command, table: &table)
            }
        }

        private func list(_ command: IPVSAdmCommand, table: IPVSTable) throws(IPVSAdmError) -> String {
            let status = IPVSAdmStatusListing(numeric: command.isNumeric, resolver: resolver)
            if command.options.contains(.connection) { return status.connections(connections, nowNanoseconds: now) }
            if let key = command.service {
                guard let service = table.service(key) else { throw .listing(.noSuchService) }
                return IPVSAdmListing(command: command, resolver: resolver).one(service)
            }
            if command.options.contains(.timeout) { return status.timeouts(table.timeouts) }
            if command.options.contains(.daemon) { return status.daemons(table.daemons) }
            return IPVSAdmListing(command: command, resolver: resolver).all(table)
        }

        private func change(_ command: IPVSAdmCommand, table: inout IPVSTable) throws(IPVSAdmError) -> [TableChange] {
            do {
                switch command.kind {
                case .clear:
                    return table.clear()
                case .addService, .editService:
                    guard let config = command.serviceConfig else { return [] }
                    return command.kind == .addService ? try table.addService(config) : try table.editService(config)
                case .deleteService:
                    guard let key = command.service else { return [] }
                    return try table.deleteService(key)
                case .addServer, .editServer:
                    guard let key = command.service, let server = command.server else { return [] }
                    return command.kind == .addServer
                        ? try table.addServer(server, to: key) : try table.editServer(server, in: key)
                case .deleteServer:
                    guard let key = command.service, let server = command.server else { return [] }
                    return try table.deleteServer(address: server.address, port: server.port, from: key)
                case .zero:
                    return try table.zero(command.service)
                case .setTimeouts:
                    guard let timeouts = command.timeouts else { return [] }
                    return table.setTimeouts(tcp: timeouts.tcp, tcpFin: timeouts.tcpFin, udp: timeouts.udp)
                case .startDaemon:
                    guard let daemon = command.daemon else { return [] }
                    return try table.startDaemon(daemon)
                case .stopDaemon:
                    guard let daemon = command.daemon else { return [] }
                    return try table.stopDaemon(daemon.role)
                default:
                    return []
                }
            } catch {
                throw .kernel(error)
            }
        }

        /// `-R`: each stdin line is an ipvsadm command; the first failure ends it.
        private func restore(table: inout IPVSTable, into result: inout IPVSAdmResult) throws(IPVSAdmError) {
            guard let stdin else { return }
            for line in stdin.split(separator: "\n", omittingEmptySubsequences: false) {
                let words = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" }).map(String.init)
                guard let first = words.first, !first.hasPrefix("#") else { continue }
                try process(words, table: &table, readingStdin: true, into: &result)
            }
        }
    }
}
