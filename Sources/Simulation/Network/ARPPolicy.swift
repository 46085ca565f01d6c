import LVSModel

/// Which ARP requests a host answers and what source address its own
/// requests carry — the `arp_ignore` / `arp_announce` rules behind the LVS
/// "ARP problem".
///
/// Pure functions of a ``NetworkHost``; both use the effective sysctl of the device
/// involved (the maximum of `conf/all` and `conf/<device>`), as the kernel does.
public enum ARPPolicy {
    /// Whether `host` replies to an ARP request for `targetIP` from `senderIP`
    /// that arrived on device `interface`.
    ///
    /// Kernel equivalence (`arp_process` → `arp_ignore`): the target must first
    /// be local to the host (any device — weak host model), then the effective
    /// `arp_ignore` of the arrival device decides:
    /// - 0 (and the reserved 4–7, and anything above 8): reply.
    /// - 1: reply only if `targetIP` is configured on the arrival device. A VIP
    ///   on `lo:0` is therefore not answered on `eth0`.
    /// - 2: as 1, and some address of the arrival device must have a subnet
    ///   containing both `targetIP` and `senderIP`.
    /// - 3: reply unless `targetIP` is configured only with scope host.
    /// - 8: never reply.
    ///
    /// ARP is never received on `lo` or `tunl0`, and a down device receives nothing.
    public static func shouldReply(
        _ host: NetworkHost, toRequestArrivingOn interface: String, targetIP: IPAddress, senderIP: IPAddress
    ) -> Bool {
        guard let device = host.interface(named: interface), device.isUp, device.kind == .ethernet,
            host.isLocal(targetIP)
        else { return false }
        switch host.effectiveSysctls(on: interface).arpIgnore {
        case 1:
            return device.hasAddress(targetIP)
        case 2:
            return device.hasAddress(targetIP)
                && device.addresses.contains { $0.contains(targetIP) && $0.contains(senderIP) }
        case 3:
            return host.interfaces.contains { other in
                other.isUp && other.addresses.contains { $0.address == targetIP && $0.scope < .host }
            }
        case 8:
            return false
        default:
            return true
        }
    }

    /// The sender IP `host` puts in an ARP request for `target` sent on device
    /// `outgoingInterface`, triggered by a packet whose source is `packetSource`
    /// (nil when no packet triggered it).
    ///
    /// Kernel equivalence (`arp_solicit`), by the effective `arp_announce` of
    /// the outgoing device:
    /// - 0 (and above 2): the packet's source if it is a local address — a
    ///   DR real server replying from the VIP thus announces the VIP.
    /// - 1: the packet's source only if it is local and one subnet of the
    ///   outgoing device contains both it and `target`.
    /// - 2: never the packet's source.
    ///
    /// Otherwise the best local address for `target` (see
    /// ``NetworkHost/selectSourceAddress(on:toward:)``).
    public static func requestSourceAddress(
        _ host: NetworkHost, outgoingInterface: String, packetSource: IPAddress?, target: IPAddress
    ) -> IPAddress? {
        let fallback = { host.selectSourceAddress(on: outgoingInterface, toward: target) }
        guard let packetSource, host.isLocal(packetSource) else { return fallback() }
        switch host.effectiveSysctls(on: outgoingInterface).arpAnnounce {
        case 1:
            let device = host.interface(named: outgoingInterface)
            let isOnLink = device?.addresses.contains { $0.contains(target) && $0.contains(packetSource) } ?? false
            return isOnLink ? packetSource : fallback()
        case 2:
            return fallback()
        default:
            return packetSource
        }
    }

    /// The ARP request `host` broadcasts on `outgoingInterface` to resolve
    /// `target`, or nil if the device cannot ARP or the host has no address.
    public static func request(
        from host: NetworkHost, outgoingInterface: String, packetSource: IPAddress?, target: IPAddress
    ) -> ARPPacket? {
        guard let device = host.interface(named: outgoingInterface), device.kind == .ethernet,
            let source = requestSourceAddress(
                host, outgoingInterface: outgoingInterface, packetSource: packetSource, target: target)
        else { return nil }
        return .request(senderMAC: device.mac, senderIP: source, targetIP: target)
    }

    /// The reply `host` sends to `request` received on `interface`, or nil if
    /// ``shouldReply(_:toRequestArrivingOn:targetIP:senderIP:)`` says no.
    public static func reply(
        from host: NetworkHost, to request: ARPPacket, arrivingOn interface: String
    ) -> ARPPacket? {
        guard request.operation == .request, !request.isGratuitous,
            shouldReply(host, toRequestArrivingOn: interface, targetIP: request.targetIP, senderIP: request.senderIP),
            let device = host.interface(named: interface)
        else { return nil }
        return .reply(to: request, with: device.mac)
    }
}
