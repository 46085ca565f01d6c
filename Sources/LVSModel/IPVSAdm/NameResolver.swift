#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Host and service name lookups as ipvsadm performs them through
/// `gethostbyname`/`gethostbyaddr` and `getservbyname`/`getservbyport`,
/// backed by `/etc/hosts`- and `/etc/services`-style tables.
///
/// The ``system`` resolver reads the machine's files; tests inject the
/// tables of the recording guest.
public struct NameResolver: Sendable {
    /// One `/etc/services` entry: a name (or alias) for a port of a protocol.
    public struct ServiceEntry: Hashable, Sendable {
        public var name: String
        public var port: UInt16
        public var proto: String
        /// Whether `name` is the canonical name (first column) rather than an alias.
        public var isCanonical: Bool

        public init(name: String, port: UInt16, proto: String, isCanonical: Bool = true) {
            self.name = name
            self.port = port
            self.proto = proto
            self.isCanonical = isCanonical
        }
    }

    /// Host names and the address each names, in file order.
    public var hosts: [(name: String, address: IPAddress)]
    /// Service names, aliases included, in file order.
    public var services: [ServiceEntry]

    /// A resolver over explicit tables.
    public init(hosts: [(name: String, address: IPAddress)] = [], services: [ServiceEntry] = []) {
        self.hosts = hosts
        self.services = services
    }

    /// A resolver over the text of a hosts file and a services file.
    public init(hostsText: String, servicesText: String) {
        self.init(hosts: NameResolver.parseHosts(hostsText), services: NameResolver.parseServices(servicesText))
    }

    /// The machine's `/etc/hosts` and `/etc/services` (read once).
    public static let system: NameResolver = NameResolver(
        hostsText: readTextFile("/etc/hosts") ?? "", servicesText: readTextFile("/etc/services") ?? "")

    /// A resolver that knows no names at all.
    public static let empty = NameResolver()

    // MARK: Lookups

    /// The IPv4 address a host name resolves to (`gethostbyname`).
    public func address(ofHost name: String) -> IPAddress? {
        hosts.first { $0.name == name && $0.address.family == .inet }?.address
    }

    /// The first host name of an address (`gethostbyaddr`).
    public func hostName(of address: IPAddress) -> String? {
        hosts.first { $0.address == address }?.name
    }

    /// The port a service name has for a protocol (`getservbyname`).
    public func port(ofService name: String, proto: String) -> UInt16? {
        services.first { $0.name == name && $0.proto == proto }?.port
    }

    /// The canonical name of a port of a protocol (`getservbyport`).
    public func serviceName(ofPort port: UInt16, proto: String) -> String? {
        services.first { $0.port == port && $0.proto == proto && $0.isCanonical }?.name
    }

    // MARK: File parsing

    /// Parses `/etc/hosts` lines: address, canonical name, aliases; `#` comments.
    public static func parseHosts(_ text: String) -> [(name: String, address: IPAddress)] {
        var result: [(name: String, address: IPAddress)] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = stripComment(line).split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2, let address = IPAddress(fields[0]) else { continue }
            for name in fields.dropFirst() { result.append((String(name), address)) }
        }
        return result
    }

    /// Parses `/etc/services` lines: `name port/proto aliases…`; `#` comments.
    public static func parseServices(_ text: String) -> [ServiceEntry] {
        var result: [ServiceEntry] = []
        for line in text.split(whereSeparator: \.isNewline) {
            let fields = stripComment(line).split(whereSeparator: { $0 == " " || $0 == "\t" })
            guard fields.count >= 2 else { continue }
            let portProto = fields[1].split(separator: "/")
            guard portProto.count == 2, let port = UInt16(portProto[0]) else { continue }
            let proto = String(portProto[1])
            result.append(ServiceEntry(name: String(fields[0]), port: port, proto: proto))
            for alias in fields.dropFirst(2) {
                result.append(ServiceEntry(name: String(alias), port: port, proto: proto, isCanonical: false))
            }
        }
        return result
    }

    private static func stripComment(_ line: Substring) -> Substring {
        if let hash = line.firstIndex(of: "#") { return line[..<hash] }
        return line
    }

    private static func readTextFile(_ path: String) -> String? {
        guard let file = fopen(path, "r") else { return nil }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&buffer, 1, buffer.count, file)
            if count <= 0 { break }
            bytes.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
