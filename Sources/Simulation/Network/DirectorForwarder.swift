import LVSModel

/// The IPVS transmit paths of a director as pure functions: given a packet
/// and the scheduling decision, the packet(s) that leave, or a drop.
///
/// Kernel equivalence: `ip_vs_nat_xmit`, `ip_vs_dr_xmit`, `ip_vs_tunnel_xmit`
/// (inbound) and `ip_vs_out` / `handle_response` (NAT replies on the FORWARD
/// path), following `spec/ipvs-forwarding.md` §2–§5. IPVS routes to the real
/// server itself, so DR and TUN need no `ip_forward`; NAT replies are
/// genuinely forwarded and do.
///
/// Neighbour resolution is an input, not a side effect: a next hop missing
/// from ``neighbours`` yields ``DropReason/neighbourUnresolved(_:)`` and the
/// caller must ARP first. ICMP the director generates is framed with
/// ``MACAddress/zero`` as destination when its next hop is unresolved.
public struct DirectorForwarder: Hashable, Sendable {
    /// The director's configuration.
    public var host: NetworkHost
    /// Resolved neighbours (IP → MAC), e.g. ``ARPCache/resolvedNeighbours(at:)``.
    public var neighbours: [IPAddress: MACAddress]
    /// `net.ipv4.vs.pmtu_disc` (default on). Off: TUN skips the MTU check and
    /// clears the outer DF; the outer packet would then be fragmented, which
    /// the simulator does not split into fragments.
    public var isPMTUDiscoveryEnabled: Bool
    /// `net.ipv4.ip_default_ttl`, the TTL of ICMP the director generates.
    public var defaultTTL: UInt8

    public init(
        host: NetworkHost, neighbours: [IPAddress: MACAddress] = [:], isPMTUDiscoveryEnabled: Bool = true,
        defaultTTL: UInt8 = 64
    ) {
        self.host = host
        self.neighbours = neighbours
        self.isPMTUDiscoveryEnabled = isPMTUDiscoveryEnabled
        self.defaultTTL = defaultTTL
    }

    /// The IPIP encapsulation overhead in bytes.
    public static let ipipOverhead = IPv4Header.length
    /// The smallest MTU IPv4 allows; a smaller tunnel MTU drops the packet.
    public static let minimumMTU = 68

    // MARK: Inbound (client → real server)

    /// Sends an inbound packet (client → VIP:vport, as it arrived) to the real
    /// server `server` with `method`.
    ///
    /// - NAT: destination IP → RIP and destination port → the real port
    ///   (checksums follow), TTL − 1.
    /// - DR: only the frame changes (destination MAC = the next hop's, source
    ///   MAC = the egress device's), TTL − 1. The real port is ignored.
    /// - TUN: TTL − 1, then an IPIP outer header from the route's source
    ///   address (the DIP) to the RIP with the decremented TTL and, with PMTU
    ///   discovery on, the inner DF. The real port is ignored.
    /// - Local: handed to the director's own stack via `lo`, unchanged.
    ///
    /// TTL ≤ 1 on arrival → ICMP time exceeded from the VIP. DF and longer than
    /// the MTU (route MTU, minus 20 for TUN) → ICMP fragmentation-needed
    /// carrying that MTU, from the VIP to the client, and the packet is dropped.
    /// `identification` becomes the IP ID of a TUN outer header.
    public func forwardInbound(
        _ packet: Packet, to server: Endpoint, method: ForwardingMethod, identification: UInt16 = 0
    ) -> ForwardingResult {
        let virtualAddress = packet.ip.destination
        if method == .local {
            return ForwardingResult(transmissions: [Transmission(packet: packet, interface: "lo", nextHop: virtualAddress)])
        }
        guard packet.ip.ttl > 1 else {
            return errorToSender(.timeExceeded, about: packet, from: virtualAddress, dropping: .ttlExpired)
        }
        guard let route = host.route(to: server.address) else { return .dropped(.noRoute(server.address)) }
        if method == .masquerade, server.address.isIPv4Loopback {
            return .dropped(.loopbackDestination)
        }

        var mtu = route.mtu
        if method == .tunnel {
            mtu -= DirectorForwarder.ipipOverhead
            if mtu < DirectorForwarder.minimumMTU { return .dropped(.tunnelMTUTooSmall(mtu: mtu)) }
        }
        let checksMTU = !(method == .tunnel && !isPMTUDiscoveryEnabled)
        if checksMTU, packet.ip.dontFragment, packet.innerLength > mtu {
            return errorToSender(
                .fragmentationNeeded(nextHopMTU: mtu), about: packet, from: virtualAddress,
                dropping: .fragmentationNeeded(mtu: mtu))
        }

        var outbound = packet
        outbound.ip.ttl -= 1
        var warnings: [ForwardingWarning] = []
        let servicePort = packet.transport.destinationPort
        switch method {
        case .masquerade:
            outbound.ip.destination = server.address
            outbound.transport.destinationPort = server.port
        case .directRouting, .tunnel:
            if let servicePort, server.port != servicePort {
                warnings.append(.portMappingIgnored(configured: server.port, used: servicePort))
            }
            if method == .tunnel {
                outbound.outer = IPv4Header(
                    source: route.source ?? .v4(0), destination: server.address, ttl: outbound.ip.ttl,
                    protocol: .ipip, dontFragment: isPMTUDiscoveryEnabled && packet.ip.dontFragment,
                    totalLength: outbound.innerLength + IPv4Header.length, identification: identification)
            }
        case .local:
            break
        }

        if route.isLocal {
            // The real server is the director itself: delivered locally (§2 step 2).
            let transmission = Transmission(packet: outbound, interface: "lo", nextHop: server.address)
            return ForwardingResult(
                transmissions: [transmission], rewrittenFields: PacketDiff.changedFields(from: packet, to: outbound),
                warnings: warnings)
        }
        guard let nextHopMAC = neighbours[route.nextHop], let device = host.interface(named: route.interface) else {
            return .dropped(.neighbourUnresolved(route.nextHop))
        }
        outbound.ethernet = EthernetHeader(source: device.mac, destination: nextHopMAC)
        return ForwardingResult(
            transmissions: [Transmission(packet: outbound, interface: route.interface, nextHop: route.nextHop)],
            rewrittenFields: PacketDiff.changedFields(from: packet, to: outbound), warnings: warnings)
    }

    // MARK: Replies (real server → client, NAT only)

    /// Forwards a NAT reply (RIP:rport → CIP:cport) that arrived on device
    /// `interface`, translating its source back to `virtualService` (VIP:vport).
    ///
    /// Needs `ip_forward=1`, otherwise dropped without ICMP. TTL − 1 by
    /// ordinary forwarding. When the reply leaves by the device it came in on
    /// and the real server shares that segment with the next hop, a host
    /// with `send_redirects` (all or device) on also sends the real server an
    /// ICMP redirect first (the kernel rate-limits these; not modelled). The
    /// forwarding MTU check happens before translation, so its ICMP goes to
    /// the RIP.
    public func forwardReply(_ packet: Packet, arrivingOn interface: String, virtualService: Endpoint) -> ForwardingResult {
        guard host.isForwardingEnabled else { return .dropped(.forwardingDisabled) }
        let hostAddress = host.selectSourceAddress(on: interface, toward: packet.ip.source) ?? virtualService.address
        guard packet.ip.ttl > 1 else {
            return errorToSender(.timeExceeded, about: packet, from: hostAddress, dropping: .ttlExpired)
        }
        guard let route = host.route(to: packet.ip.destination), !route.isLocal else {
            return .dropped(.noRoute(packet.ip.destination))
        }
        if packet.ip.dontFragment, packet.innerLength > route.mtu {
            return errorToSender(
                .fragmentationNeeded(nextHopMTU: route.mtu), about: packet, from: hostAddress,
                dropping: .fragmentationNeeded(mtu: route.mtu))
        }
        var transmissions: [Transmission] = []
        var warnings: [ForwardingWarning] = []
        let sharesSegment = host.interface(named: interface)?.addresses.contains {
            $0.contains(packet.ip.source) && $0.contains(route.nextHop)
        } ?? false
        if route.interface == interface, sharesSegment, host.effectiveSysctls(on: interface).sendRedirects {
            let redirect = packet.icmpError(.hostRedirect(gateway: route.nextHop), from: hostAddress, ttl: defaultTTL)
            transmissions.append(framed(redirect, toward: packet.ip.source))
            warnings.append(.redirectSent(to: packet.ip.source))
        }

        var outbound = packet
        outbound.ip.ttl -= 1
        outbound.ip.source = virtualService.address
        outbound.transport.sourcePort = virtualService.port
        guard let nextHopMAC = neighbours[route.nextHop], let device = host.interface(named: route.interface) else {
            return .dropped(.neighbourUnresolved(route.nextHop))
        }
        outbound.ethernet = EthernetHeader(source: device.mac, destination: nextHopMAC)
        transmissions.append(Transmission(packet: outbound, interface: route.interface, nextHop: route.nextHop))
        return ForwardingResult(
            transmissions: transmissions, rewrittenFields: PacketDiff.changedFields(from: packet, to: outbound),
            warnings: warnings)
    }

    // MARK: Helpers

    /// Drops `packet` for `reason` and sends `kind` about it back to its source.
    private func errorToSender(
        _ kind: ICMPMessage.Kind, about packet: Packet, from source: IPAddress, dropping reason: DropReason
    ) -> ForwardingResult {
        let error = packet.icmpError(kind, from: source, ttl: defaultTTL)
        return ForwardingResult(transmissions: [framed(error, toward: packet.ip.source)], drop: reason)
    }

    /// `packet` with its frame addressed for the route to `destination`; with
    /// no route at all it is returned unframed with an empty interface name.
    private func framed(_ packet: Packet, toward destination: IPAddress) -> Transmission {
        var packet = packet
        guard let route = host.route(to: destination) else {
            return Transmission(packet: packet, interface: "", nextHop: destination)
        }
        let source = host.interface(named: route.interface)?.mac ?? .zero
        packet.ethernet = EthernetHeader(source: source, destination: neighbours[route.nextHop] ?? .zero)
        return Transmission(packet: packet, interface: route.interface, nextHop: route.nextHop)
    }
}
