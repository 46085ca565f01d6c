import LVSModel

// MARK: - NAT

extension NetworkLint {
    /// `ip_forward` and `send_redirects` on a director with NAT real servers.
    static func natDirectorChecks(_ input: Input, natServers: [RealServer]) -> [NetworkFinding] {
        let director = input.director
        var findings: [NetworkFinding] = []
        if !director.isForwardingEnabled {
            findings.append(
                NetworkFinding(
                    check: .natForwarding, severity: .error, host: director.name, setting: "net.ipv4.ip_forward",
                    problem: "ip_forward is 0, so the NAT real servers' replies are not forwarded to the clients",
                    symptom:
                        "replies are dropped at the director without any ICMP; clients retransmit their SYN and time out",
                    fix: ["sysctl -w net.ipv4.ip_forward=1"]))
        }
        // One-network NAT: a reply arriving from a real server leaves again by
        // the same device towards the clients, so the kernel sends the real
        // server an ICMP redirect unless send_redirects is 0 on all and the device.
        guard let towardClients = director.route(to: input.sampleClient), !towardClients.isLocal else { return findings }
        for server in natServers {
            guard let towardServer = director.route(to: server.rip), !towardServer.isLocal,
                towardServer.interface == towardClients.interface,
                director.effectiveSysctls(on: towardServer.interface).sendRedirects
            else { continue }
            let device = towardServer.interface
            findings.append(
                NetworkFinding(
                    check: .natRedirects, severity: .warning, host: director.name,
                    setting: director.allSysctls.sendRedirects
                        ? "net.ipv4.conf.all.send_redirects" : "net.ipv4.conf.\(device).send_redirects",
                    problem:
                        "real servers and the clients' next hop are both reached through \(device), and send_redirects is on there: the director answers forwarded replies with ICMP redirects",
                    symptom:
                        "the first packets work, then the real servers send replies straight to the next hop from their RIP, untranslated; clients answer RST and connections stall",
                    fix: [
                        "sysctl -w net.ipv4.conf.all.send_redirects=0",
                        "sysctl -w net.ipv4.conf.\(device).send_redirects=0",
                        "sysctl -w net.ipv4.conf.default.send_redirects=0",
                    ]))
            break
        }
        return findings
    }

    /// A NAT real server's replies must go back through the director.
    static func natRealServerChecks(_ input: Input, _ server: RealServer) -> [NetworkFinding] {
        let host = server.host
        let director = input.director
        let reply = host.route(to: input.sampleClient)
        if let reply, !reply.isLocal, director.interface(owning: reply.nextHop) != nil { return [] }
        // The director's address on the real server's side: the source of its route to the RIP.
        let dip = director.route(to: server.rip).flatMap { $0.isLocal ? nil : $0.source }
        let usesDefault = (host.routingTable.lookup(input.sampleClient)?.prefixLength ?? 0) == 0
        let setting = usesDefault ? "default gateway" : "route to \(input.clientNetworkText)"
        let current: String
        if let reply {
            current =
                reply.nextHop == input.sampleClient
                ? "the clients' network \(input.clientNetworkText) is on-link on \(reply.interface)"
                : "replies to the clients (\(input.clientNetworkText)) go via \(reply.nextHop) on \(reply.interface)"
        } else {
            current = "there is no route to the clients (\(input.clientNetworkText))"
        }
        let target = dip.map { "\($0)" } ?? "<the director's address on this network>"
        var fix: [String] = []
        if usesDefault {
            fix.append("ip route replace default via \(target)")
        } else {
            fix.append("ip route replace \(input.clientNetworkText) via \(target)")
        }
        return [
            NetworkFinding(
                check: .natGateway, severity: .error, host: host.name, setting: setting,
                problem: "\(current), not via the director (\(target)), so NAT replies bypass it",
                symptom:
                    "the SYN-ACK reaches the client from the RIP \(server.rip) instead of the VIP \(input.vip); the client answers RST, retransmits its SYN and the connection times out",
                fix: fix)
        ]
    }
}

// MARK: - DR and TUN

extension NetworkLint {
    static func directRoutingChecks(_ input: Input, _ server: RealServer) -> [NetworkFinding] {
        var findings = portMappingChecks(input, server)
        let host = server.host
        if !host.isLocal(input.vip) {
            findings.append(
                NetworkFinding(
                    check: .vipNotLocal, severity: .error, host: host.name, setting: "lo:0",
                    problem: "the VIP \(input.vip) is not a local address, so frames the director sends it are not for this host",
                    symptom: "the director forwards connections here and they are dropped: clients time out",
                    fix: ["ip addr add \(input.vip)/32 dev lo label lo:0"]))
        }
        if let loopback = host.interfaces.first(where: { $0.kind == .loopback }),
            let wide = loopback.addresses.first(where: { $0.address == input.vip && $0.prefixLength < 32 })
        {
            let network = "\(wide.network)/\(wide.prefixLength)"
            findings.append(
                NetworkFinding(
                    check: .wideVIPMask, severity: .error, host: host.name, setting: wide.label,
                    problem:
                        "the VIP is on lo with a /\(wide.prefixLength) mask, which makes all of \(network) local to this host",
                    symptom:
                        "the real server cannot reach its neighbours in \(network) (router, director, clients there): its replies are lost and clients time out",
                    fix: [
                        "ip addr del \(input.vip)/\(wide.prefixLength) dev lo",
                        "ip addr add \(input.vip)/32 dev lo label lo:0",
                    ]))
        }
        findings += arpChecks(input, server)
        findings += sharedSegmentChecks(input, server)
        findings += replyRouteChecks(input, server)
        return findings
    }

    static func tunnelChecks(_ input: Input, _ server: RealServer) -> [NetworkFinding] {
        var findings = portMappingChecks(input, server)
        let host = server.host
        let tunnel = host.interfaces.first { $0.kind == .ipipTunnel }
        if tunnel?.isUp != true {
            findings.append(
                NetworkFinding(
                    check: .tunnelDeviceMissing, severity: .error, host: host.name, setting: "tunl0",
                    problem: tunnel == nil
                        ? "there is no tunl0 (ipip module not loaded), so IPIP packets from the director are not decapsulated"
                        : "tunl0 is down, so IPIP packets from the director are not decapsulated",
                    symptom: "connections forwarded here are dropped: clients time out",
                    fix: tunnel == nil
                        ? ["modprobe ipip", "ip link set tunl0 up"] : ["ip link set tunl0 up"]))
        }
        // A VIP on a down tunl0 is not local either; bringing tunl0 up fixes both.
        let vipOnDownTunnel = tunnel.map { !$0.isUp && $0.hasAddress(input.vip) } ?? false
        if !host.isLocal(input.vip) && !vipOnDownTunnel {
            findings.append(
                NetworkFinding(
                    check: .vipNotLocal, severity: .error, host: host.name, setting: "tunl0",
                    problem: "the VIP \(input.vip) is not a local address, so the decapsulated packets are not for this host",
                    symptom: "the director forwards connections here and they are dropped: clients time out",
                    fix: ["ip addr add \(input.vip)/32 dev tunl0"]))
        }
        if let tunnel, host.effectiveSysctls(on: tunnel.name).rpFilter == 1 {
            let setting =
                host.allSysctls.rpFilter == 1
                ? "net.ipv4.conf.all.rp_filter" : "net.ipv4.conf.\(tunnel.name).rp_filter"
            findings.append(
                NetworkFinding(
                    check: .strictReversePath, severity: .error, host: host.name, setting: setting,
                    problem:
                        "strict rp_filter (1) is in force on \(tunnel.name): decapsulated packets from the clients arrive on \(tunnel.name) but the route back to them leaves by another device",
                    symptom: "every decapsulated packet fails the reverse-path check and is dropped: clients time out",
                    fix: [
                        "sysctl -w net.ipv4.conf.\(tunnel.name).rp_filter=0",
                        "sysctl -w net.ipv4.conf.all.rp_filter=0",
                    ]))
        }
        findings += arpChecks(input, server)
        findings += replyRouteChecks(input, server)
        findings += tunnelMTUChecks(input, server)
        return findings
    }

    /// ipvsadm forces the service port for `-g` and `-i`.
    static func portMappingChecks(_ input: Input, _ server: RealServer) -> [NetworkFinding] {
        guard server.port != input.vipPort, server.port != 0 else { return [] }
        let flag = server.forwarding.ipvsadmFlag
        return [
            NetworkFinding(
                check: .portMapping, severity: .warning, host: server.host.name, setting: "port",
                problem:
                    "the rule maps service port \(input.vipPort) to port \(server.port), but \(server.forwarding == .tunnel ? "TUN" : "DR") cannot rewrite ports: packets arrive for \(input.vip):\(input.vipPort)",
                symptom:
                    "ipvsadm silently uses port \(input.vipPort); if the service on \(server.host.name) listens only on \(server.port), clients get RST (connection refused)",
                fix: [
                    "ipvsadm -e -t \(input.vip):\(input.vipPort) -r \(server.rip):\(input.vipPort) \(flag)",
                    "make the service on \(server.host.name) listen on \(input.vip):\(input.vipPort) (or 0.0.0.0:\(input.vipPort))",
                ])
        ]
    }

    /// The segment the VIP is ARPed on: that of the director's device holding it.
    static func vipSegment(_ input: Input) -> String? {
        let director = input.director
        if let device = director.interface(owning: input.vip), device.kind == .ethernet,
            let segment = input.segment(of: director.name, device: device.name)
        {
            return segment
        }
        if let route = director.route(to: input.sampleClient), !route.isLocal {
            return input.segment(of: director.name, device: route.interface)
        }
        return nil
    }

    /// The sender IP of the router's "who has VIP" request on `segment`.
    static func arpRequester(_ input: Input, on segment: String?) -> IPAddress {
        if let router = input.router {
            for device in router.interfaces where device.kind == .ethernet {
                if segment == nil || input.segment(of: router.name, device: device.name) == segment,
                    let address = router.selectSourceAddress(on: device.name, toward: input.vip)
                {
                    return address
                }
            }
        }
        return input.sampleClient
    }

    /// Whether `device` of `host` is on `segment` (unknown segments count as on it).
    static func isOn(_ input: Input, host: NetworkHost, device: String, segment: String?) -> Bool {
        guard let segment, let actual = input.segment(of: host.name, device: device) else { return true }
        return actual == segment
    }

    /// The ARP problem: does the real server answer, or announce, the VIP on
    /// the segment where the router resolves it?
    static func arpChecks(_ input: Input, _ server: RealServer) -> [NetworkFinding] {
        let host = server.host
        guard host.isLocal(input.vip) else { return [] }
        let segment = vipSegment(input)
        let requester = arpRequester(input, on: segment)
        var findings: [NetworkFinding] = []
        for device in host.interfaces where device.kind == .ethernet && device.isUp {
            guard isOn(input, host: host, device: device.name, segment: segment),
                ARPPolicy.shouldReply(host, toRequestArrivingOn: device.name, targetIP: input.vip, senderIP: requester)
            else { continue }
            let symptom =
                "the router may cache \(host.name)'s MAC for the VIP: clients then reach \(host.name) directly, bypassing the director (no balancing, one server gets everything; resets or hangs when the cache flips)"
            let sysctlFix = [
                "sysctl -w net.ipv4.conf.all.arp_ignore=1",
                "sysctl -w net.ipv4.conf.\(device.name).arp_ignore=1",
            ]
            if let onDevice = device.addresses.first(where: { $0.address == input.vip }) {
                findings.append(
                    NetworkFinding(
                        check: .answersARPForVIP, severity: .error, host: host.name, setting: onDevice.label,
                        problem:
                            "the VIP \(input.vip) is on \(onDevice.label), an ARPing device: \(host.name) answers ARP requests for it on \(device.name)",
                        symptom: symptom,
                        fix: [
                            "ip addr del \(input.vip)/\(onDevice.prefixLength) dev \(device.name)",
                            server.forwarding == .tunnel
                                ? "ip addr add \(input.vip)/32 dev tunl0" : "ip addr add \(input.vip)/32 dev lo label lo:0",
                        ] + sysctlFix))
            } else {
                let value = host.effectiveSysctls(on: device.name).arpIgnore
                let setting =
                    host.allSysctls.arpIgnore == value
                    ? "net.ipv4.conf.all.arp_ignore" : "net.ipv4.conf.\(device.name).arp_ignore"
                findings.append(
                    NetworkFinding(
                        check: .answersARPForVIP, severity: .error, host: host.name, setting: setting,
                        problem:
                            "arp_ignore is \(value) on \(device.name): \(host.name) answers ARP requests for the VIP \(input.vip) (held on another device) arriving on \(device.name)",
                        symptom: symptom, fix: sysctlFix))
            }
        }
        // Replies leave from the VIP; the ARP request for the next hop must not carry it.
        if let reply = host.route(to: input.sampleClient), !reply.isLocal,
            host.interface(named: reply.interface)?.kind == .ethernet,
            isOn(input, host: host, device: reply.interface, segment: segment),
            ARPPolicy.requestSourceAddress(
                host, outgoingInterface: reply.interface, packetSource: input.vip, target: reply.nextHop) == input.vip
        {
            let value = host.effectiveSysctls(on: reply.interface).arpAnnounce
            let setting =
                host.allSysctls.arpAnnounce == value
                ? "net.ipv4.conf.all.arp_announce" : "net.ipv4.conf.\(reply.interface).arp_announce"
            findings.append(
                NetworkFinding(
                    check: .announcesVIP, severity: .error, host: host.name, setting: setting,
                    problem:
                        "arp_announce is \(value) on \(reply.interface): ARP requests for \(reply.nextHop) sent while replying carry the VIP \(input.vip) as sender IP",
                    symptom:
                        "every neighbour on the segment updates its cache to \(host.name)'s MAC for the VIP: after real-server traffic, clients bypass the director (no balancing)",
                    fix: [
                        "sysctl -w net.ipv4.conf.all.arp_announce=2",
                        "sysctl -w net.ipv4.conf.\(reply.interface).arp_announce=2",
                    ]))
        }
        return findings
    }

    /// DR: the director must deliver the frame straight to the RIP's MAC.
    static func sharedSegmentChecks(_ input: Input, _ server: RealServer) -> [NetworkFinding] {
        let director = input.director
        let host = server.host
        let ripDevice = host.interface(owning: server.rip)?.name
        let ripSegment = ripDevice.flatMap { input.segment(of: host.name, device: $0) }
        let route = director.route(to: server.rip)
        var reason: String?
        if let route, !route.isLocal {
            let directorSegment = input.segment(of: director.name, device: route.interface)
            if route.nextHop != server.rip {
                reason = "the director reaches the RIP \(server.rip) through the gateway \(route.nextHop), not on-link"
            } else if let directorSegment, let ripSegment, directorSegment != ripSegment {
                reason =
                    "the director's \(route.interface) is on segment \(directorSegment) but \(server.rip) is on segment \(ripSegment)"
            }
        } else {
            reason = "the director has no route to the RIP \(server.rip)"
        }
        guard let reason else { return [] }
        let directorDevice = route.flatMap { $0.isLocal ? nil : $0.interface }
        let directorSide =
            directorDevice.flatMap { device in
                input.segment(of: director.name, device: device).map { "segment \($0) (the director's \(device))" }
            } ?? "the director's segment"
        return [
            NetworkFinding(
                check: .notOnDirectorSegment, severity: .error, host: host.name, setting: ripDevice ?? "RIP",
                problem: "not on an L2 segment shared with the director: \(reason)",
                symptom:
                    "the frame for the VIP goes to a router, which routes it back to the director (the VIP's owner): a loop until the TTL expires; clients time out",
                fix: [
                    "attach \(host.name)'s \(ripDevice ?? "interface") to \(directorSide) with an address in the director's subnet",
                    "or forward to it with TUN: ipvsadm -e -t \(input.vip):\(input.vipPort) -r \(server.rip):\(input.vipPort) -i",
                ])
        ]
    }

    /// DR/TUN replies leave from the VIP straight to the client: never via the
    /// director (martian source there), and there must be a route at all.
    static func replyRouteChecks(_ input: Input, _ server: RealServer) -> [NetworkFinding] {
        let host = server.host
        let director = input.director
        let reply = host.route(to: input.sampleClient)
        let problem: String
        if let reply {
            if reply.isLocal || director.interface(owning: reply.nextHop) == nil { return [] }
            problem =
                "replies to the clients go via \(reply.nextHop), an address of the director, which drops packets whose source is its own VIP (martian source)"
        } else {
            problem = "there is no route to the clients (\(input.clientNetworkText))"
        }
        let device = reply?.interface ?? host.interface(owning: server.rip)?.name
        var gateway = "<the router on \(device ?? "the RIP's device")'s network>"
        if let router = input.router, let device {
            let segment = input.segment(of: host.name, device: device)
            let subnets = host.interface(named: device)?.addresses ?? []
            for routerDevice in router.interfaces where routerDevice.kind == .ethernet {
                let sameSegment = segment.map { input.segment(of: router.name, device: routerDevice.name) == $0 } ?? false
                if let address = routerDevice.addresses.first(where: { candidate in
                    subnets.contains { $0.contains(candidate.address) }
                }), sameSegment || segment == nil {
                    gateway = "\(address.address)"
                    break
                }
            }
        }
        return [
            NetworkFinding(
                check: .replyRoute, severity: .error, host: host.name, setting: "default gateway",
                problem: problem,
                symptom: "the server's replies from the VIP never reach the clients: they retransmit and time out",
                fix: ["ip route replace default via \(gateway)"])
        ]
    }

    /// TUN: a full-size client packet with DF plus the 20-byte IPIP header
    /// must fit the path from the director to the real server.
    static func tunnelMTUChecks(_ input: Input, _ server: RealServer) -> [NetworkFinding] {
        guard input.clientDontFragment, let path = tunnelPathMTU(input, server) else { return [] }
        var packet = input.mss + tcpIPHeaderBytes
        if let segment = input.clientSegment, let mtu = input.segmentMTU[segment] { packet = min(packet, mtu) }
        guard packet + ipipOverhead > path else { return [] }
        let innerMTU = path - ipipOverhead
        let mss = innerMTU - tcpIPHeaderBytes
        let host = server.host
        let reply = host.route(to: input.sampleClient)
        let device = reply.flatMap { $0.isLocal ? nil : $0.interface } ?? "eth0"
        let gateway = reply.flatMap { $0.isLocal || $0.nextHop == input.sampleClient ? nil : $0.nextHop }
        var fix: [String] = []
        if let gateway {
            fix.append("ip route replace default via \(gateway) dev \(device) advmss \(mss)")
        }
        fix.append(
            "iptables -t mangle -A OUTPUT -o \(device) -p tcp --tcp-flags SYN,RST SYN -j TCPMSS --set-mss \(mss)")
        fix.append("or set network.mss: \(mss) in the scenario")
        return [
            NetworkFinding(
                check: .tunnelMTU, severity: .warning, host: host.name, setting: "MSS",
                problem:
                    "clients send full-size \(packet)-byte packets with DF; with the 20-byte IPIP header they need \(packet + ipipOverhead) bytes but the path from the director to \(server.rip) has MTU \(path)",
                symptom:
                    "the director answers full-size client packets with ICMP fragmentation needed (MTU \(innerMTU)); clients lower their segment size and resend, and if that ICMP is filtered large requests hang (PMTU black hole)",
                fix: fix)
        ]
    }

    /// The smallest MTU on the way from the director to the RIP: the
    /// director's egress device and segment, the router's egress when the
    /// next hop is the router, and the real server's RIP device and segment.
    static func tunnelPathMTU(_ input: Input, _ server: RealServer) -> Int? {
        let director = input.director
        guard let route = director.route(to: server.rip), !route.isLocal else { return nil }
        var mtu = route.mtu
        if let segment = input.segment(of: director.name, device: route.interface), let limit = input.segmentMTU[segment] {
            mtu = min(mtu, limit)
        }
        if let router = input.router, router.interface(owning: route.nextHop) != nil,
            let onward = router.route(to: server.rip), !onward.isLocal
        {
            mtu = min(mtu, onward.mtu)
            if let segment = input.segment(of: router.name, device: onward.interface),
                let limit = input.segmentMTU[segment]
            {
                mtu = min(mtu, limit)
            }
        }
        if let device = server.host.interface(owning: server.rip), device.kind == .ethernet {
            mtu = min(mtu, device.mtu)
            if let segment = input.segment(of: server.host.name, device: device.name),
                let limit = input.segmentMTU[segment]
            {
                mtu = min(mtu, limit)
            }
        }
        return mtu
    }
}
