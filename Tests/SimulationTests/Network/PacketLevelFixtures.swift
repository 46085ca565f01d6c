import LVSModel

@testable import Simulation

/// Packet-level scenarios with the seeds' addresses, as YAML (the loader is part of what is tested).
enum PacketLevelFixtures {
    static func scenario(_ yaml: String) throws -> Scenario { try ScenarioLoader(file: "packet.yaml").parse(yaml) }

    static func workload(clients: Int = 200) -> String { """
        clients: {subnet: 203.0.113.0/24, count: \(clients), syn_retries: 2}
        workload:
          arrivals: {process: deterministic, rate: 10}
          demand: {distribution: deterministic, value_ms: 1}
        """ }

    static func routerAndSegments(macs: Bool = false) -> String {
        let r0 = macs ? ", mac: \"02:00:00:00:01:00\"" : "", r1 = macs ? ", mac: \"02:00:00:00:01:01\"" : ""
        return """
          segments:
            - {name: internet, latency_us: 1000}
            - {name: outside, latency_us: 50}
            - {name: inside, latency_us: 50}
          clients: {segment: internet, gateway: 172.16.0.1}
          router:
            interfaces:
              - {device: eth0, address: 172.16.0.1/16, segment: internet\(r0)}
              - {device: eth1, address: 202.99.59.1/24, segment: outside\(r1)}
        """
    }

    /// NAT: director 202.99.59.110 outside / 192.168.10.254 inside; real servers 192.168.10.1–3:8080.
    static func nat(connections: Int = 1, scheduler: String = "rr", gateway: String = "192.168.10.254",
                    extraRouter: String = "", requestBytes: Int = 300, responseBytes: Int = 2000, macs: Bool = false,
                    clients: Int = 200) -> String {
        let m = { (name: String) in macs ? ", mac: \"\(name)\"" : "" }
        return """
        name: nat
        seed: 7
        replications: 1
        connections: \(connections)
        level: packet
        director: {service: 202.99.59.110:80, scheduler: \(scheduler), forwarding: nat}
        servers:
          - {address: 192.168.10.1:8080}
          - {address: 192.168.10.2:8080}
          - {address: 192.168.10.3:8080}
        \(workload(clients: clients))
        network:
          request_bytes: \(requestBytes)
          response_bytes: \(responseBytes)
        \(routerAndSegments(macs: macs))\(extraRouter)
          director:
            interfaces:
              - {device: eth0, address: 202.99.59.110/24, segment: outside\(m("02:00:00:00:00:d0"))}
              - {device: eth1, address: 192.168.10.254/24, segment: inside\(m("02:00:00:00:00:d1"))}
            gateway: 202.99.59.1
            ip_forward: 1
          real_servers:
            - {name: rs1, interfaces: [{device: eth0, address: 192.168.10.1/24, segment: inside\(m("02:00:00:00:10:01"))}], gateway: \(gateway)}
            - {name: rs2, interfaces: [{device: eth0, address: 192.168.10.2/24, segment: inside\(m("02:00:00:00:10:02"))}], gateway: \(gateway)}
            - {name: rs3, interfaces: [{device: eth0, address: 192.168.10.3/24, segment: inside\(m("02:00:00:00:10:03"))}], gateway: \(gateway)}
        """
    }

    /// DR or TUN: VIP 202.99.59.110 on the director's eth0:0, DIP 202.99.59.109, real servers .108 and .107.
    static func direct(
        method: String = "dr", connections: Int = 1, scheduler: String = "rr", vipDevice: String = "lo:0",
        sysctls: String = "{all: {arp_ignore: 1, arp_announce: 2}}", rs2Segment: String = "outside", clients: Int = 200,
        requestBytes: Int = 300, responseBytes: Int = 2000, macs: Bool = false
    ) -> String {
        let tunnel = method == "tun" && vipDevice == "lo:0"
        let vip = vipDevice == "none" ? "" : tunnel ? ", {device: tunl0, address: 202.99.59.110/32}" : ", {device: \(vipDevice), address: 202.99.59.110/32}"
        let m = { (name: String) in macs ? ", mac: \"\(name)\"" : "" }
        let rpFilter = tunnel ? ", tunl0: {rp_filter: 0}" : ""
        let rsSysctls = sysctls.hasSuffix("}") && tunnel ? String(sysctls.dropLast()) + rpFilter + "}" : sysctls
        return """
        name: \(method)
        seed: 7
        replications: 1
        connections: \(connections)
        level: packet
        director: {service: 202.99.59.110:80, scheduler: \(scheduler), forwarding: \(method)}
        servers:
          - {address: 202.99.59.108:80}
          - {address: 202.99.59.107:80}
        \(workload(clients: clients))
        network:
          request_bytes: \(requestBytes)
          response_bytes: \(responseBytes)
        \(routerAndSegments(macs: macs))
          director:
            interfaces:
              - {device: eth0, address: 202.99.59.109/24, segment: outside\(m("02:00:00:00:00:d0"))}
              - {device: "eth0:0", address: 202.99.59.110/32}
            gateway: 202.99.59.1
          real_servers:
            - name: rs1
              interfaces: [{device: eth0, address: 202.99.59.108/24, segment: outside\(m("02:00:00:00:10:01"))}\(vip)]
              gateway: 202.99.59.1
              sysctls: \(rsSysctls)
            - name: rs2
              interfaces: [{device: eth0, address: 202.99.59.107/24, segment: \(rs2Segment)\(m("02:00:00:00:10:02"))}\(vip)]
              gateway: 202.99.59.1
              sysctls: \(rsSysctls)
        """
    }

    static func show(_ hops: [PacketHop]) -> String {
        hops.map { hop in
            let l4 = hop.proto == .arp
                ? "ARP \(hop.arp!.operation) \(hop.arp!.senderIP)/\(hop.arp!.senderMAC) → \(hop.arp!.targetIP)"
                : "\(hop.sourceIP!):\(hop.sourcePort ?? 0) → \(hop.destinationIP!):\(hop.destinationPort ?? 0) \(hop.flags) seq \(hop.sequence ?? 0) ack \(hop.acknowledgement ?? 0) len \(hop.payloadLength)\(hop.outer.map { " outer \($0.sourceIP)→\($0.destinationIP)" } ?? "")"
            return "\(hop.timeNanoseconds) \(hop.link) \(hop.from)→\(hop.to) \(hop.sourceMAC)→\(hop.destinationMAC) \(l4) [\(hop.rewritten.map(\.name).joined(separator: ","))] \(hop.note)"
        }.joined(separator: "\n")
    }
}
