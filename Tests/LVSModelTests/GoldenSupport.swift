import Foundation
import LVSModel

/// Loading of the recorded real-ipvsadm goldens and the recording guest's names.
enum GoldenSupport {
    /// The package root, found from this file's path.
    static var packageRoot: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    }

    static var goldensDirectory: URL {
        packageRoot.appendingPathComponent("../shared/ipvs-traces/goldens").standardizedFileURL
    }

    static var seedsDirectory: URL {
        packageRoot.appendingPathComponent("../shared/seeds").standardizedFileURL
    }

    /// The recording guest: its /etc/hosts names and Debian's /etc/services.
    static let guestResolver: NameResolver = {
        var hosts: [(name: String, address: IPAddress)] = [("vip.oracle.test", .v4(0x0A0A_0064))]
        for index in 1...4 { hosts.append(("rs\(index).oracle.test", .v4(0x0A1E_0000 | UInt32(index)))) }
        return NameResolver(hosts: hosts, services: NameResolver.system.services)
    }()

    /// One recorded ipvsadm invocation of a setup list.
    struct Step {
        var args: [String]
        var exit: Int32
        var stderr: String
    }

    /// One traffic connection that ran before the recorded command.
    struct Traffic {
        var proto: TransportProtocol
        var client: Endpoint
        var dest: Endpoint
        var chosen: Endpoint?
        var mode: String
    }

    struct Golden {
        var name: String
        var setup: [Step]
        var traffic: [Traffic]
        var args: [String]
        var stdin: String?
        var stdout: String
        var stderr: String
        var exit: Int32
    }

    /// Every golden case, sorted by name; empty when the directory is absent.
    static func loadAll() -> [Golden] {
        let directory = goldensDirectory
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else { return [] }
        return names.filter { $0.hasSuffix(".json") }.sorted().compactMap { load(directory.appendingPathComponent($0)) }
    }

    private static func load(_ url: URL) -> Golden? {
        guard let data = try? Data(contentsOf: url),
            let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let name = object["case"] as? String, let args = object["args"] as? [String]
        else { return nil }
        let setup = (object["setup"] as? [[String: Any]] ?? []).map {
            Step(args: $0["args"] as? [String] ?? [], exit: Int32($0["exit"] as? Int ?? 0), stderr: $0["stderr"] as? String ?? "")
        }
        let traffic = (object["traffic"] as? [[String: Any]] ?? []).compactMap { item -> Traffic? in
            guard let proto = TransportProtocol(name: item["proto"] as? String ?? ""),
                let client = Endpoint(item["client"] as? String ?? ""), let dest = Endpoint(item["dest"] as? String ?? "")
            else { return nil }
            return Traffic(proto: proto, client: client, dest: dest, chosen: (item["chosen"] as? String).flatMap { Endpoint($0) },
                           mode: item["mode"] as? String ?? "hold")
        }
        return Golden(name: name, setup: setup, traffic: traffic, args: args, stdin: object["stdin"] as? String,
                      stdout: object["stdout"] as? String ?? "", stderr: object["stderr"] as? String ?? "",
                      exit: Int32(object["exit"] as? Int ?? 0))
    }

    /// The stdin of a setup `-R`: that of the golden whose own setup is the
    /// prefix before it (the recordings chain their cases that way).
    static func stdinForSetupRestore(at index: Int, of golden: Golden, in all: [Golden]) -> String? {
        let prefix = golden.setup[..<index].map(\.args)
        return all.first { $0.args == ["-R"] && $0.setup.map(\.args) == Array(prefix) && $0.stdin != nil }?.stdin
    }

    /// Applies the recorded traffic to the counters the way the kernel
    /// counted it and returns the connection entries it left.
    static func inject(_ traffic: [Traffic], into table: inout IPVSTable, timeouts: IPVSTimeouts) -> [Connection] {
        var connections: [Connection] = []
        var templates: Set<String> = []
        for item in traffic {
            guard let chosen = item.chosen else { continue }
            let index = table.serviceIndex(.address(item.proto, item.dest))
                ?? table.services.firstIndex { $0.key.isFirewallMark && $0.serverIndex(address: chosen.address, port: chosen.port) != nil }
            guard let index else { continue }
            var service = table[serviceAt: index]
            guard let position = service.serverIndex(address: chosen.address, port: chosen.port) else { continue }
            let state: ConnectionState
            if item.proto == .udp {
                state = .udp
                service.servers[position].inactiveConnections += 1
            } else {
                switch item.mode {
                case "close": state = .timeWait
                case "reset": state = .close
                default: state = .established
                }
                if state == .established {
                    service.servers[position].activeConnections += 1
                } else {
                    service.servers[position].inactiveConnections += 1
                }
            }
            connections.append(Connection(
                proto: item.proto, client: item.client, virtual: item.dest, destination: chosen, state: state,
                forwarding: service.servers[position].forwarding, service: service.key,
                expiresAtNanoseconds: Int64(state.timeoutSeconds(timeouts)) * 1_000_000_000))
            if service.isPersistent {
                let client = service.persistenceClientKey(item.client.address)
                let templateKey = "\(service.key)|\(client)"
                if templates.insert(templateKey).inserted {
                    service.servers[position].persistentConnections += 1
                    let isMark: Bool = service.key.isFirewallMark
                    var markAddress = IPAddress.v4(0)
                    if case .fwmark(let mark, _) = service.key { markAddress = .v4(mark) }
                    connections.append(Connection(
                        proto: isMark ? nil : item.proto, client: Endpoint(address: client, port: 0),
                        virtual: isMark ? Endpoint(address: markAddress, port: 0) : Endpoint(address: item.dest.address, port: service.key.port),
                        destination: Endpoint(address: chosen.address, port: isMark ? 0 : chosen.port), state: .none,
                        forwarding: service.servers[position].forwarding, service: service.key, isTemplate: true,
                        isAssured: true, expiresAtNanoseconds: Int64(service.timeout) * 1_000_000_000))
                }
            }
            table[serviceAt: index] = service
        }
        return connections
    }
}
