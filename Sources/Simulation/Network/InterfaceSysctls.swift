/// The per-interface `net.ipv4.conf.<if>.*` settings that matter to LVS.
///
/// A host also has a `conf/all` copy; ``NetworkHost/effectiveSysctls(on:)`` combines
/// the two as the kernel does (maximum for `arp_ignore`, `arp_announce` and
/// `rp_filter`; either one for `send_redirects`, `arp_notify` and `arp_accept`).
public struct InterfaceSysctls: Hashable, Sendable {
    /// `arp_ignore`: which ARP requests for local addresses get a reply
    /// (0 any interface, 1 arrival interface, 2 and sender in its subnet,
    /// 3 not scope-host addresses, 4–7 reserved (reply, as 0), 8 never).
    public var arpIgnore: UInt8
    /// `arp_announce`: which source IP outgoing ARP requests carry (0, 1, 2).
    public var arpAnnounce: UInt8
    /// `rp_filter`: reverse-path filter, 0 off, 1 strict, 2 loose.
    public var rpFilter: UInt8
    /// `send_redirects`: whether forwarding back out of the arrival interface
    /// sends ICMP redirects.
    public var sendRedirects: Bool
    /// `arp_notify`: announce the device's addresses with gratuitous ARP when
    /// the device comes up (at the start of a packet-level run).
    public var arpNotify: Bool
    /// `arp_accept`: whether an unsolicited (gratuitous) ARP may create a
    /// neighbour entry; with 0 it only updates an existing one.
    public var arpAccept: Bool

    public init(
        arpIgnore: UInt8 = 0, arpAnnounce: UInt8 = 0, rpFilter: UInt8 = 0, sendRedirects: Bool = true,
        arpNotify: Bool = false, arpAccept: Bool = false
    ) {
        self.arpIgnore = arpIgnore
        self.arpAnnounce = arpAnnounce
        self.rpFilter = rpFilter
        self.sendRedirects = sendRedirects
        self.arpNotify = arpNotify
        self.arpAccept = arpAccept
    }

    /// The kernel defaults for a new interface: 0, 0, 0 and redirects on.
    /// (Distributions often ship `rp_filter=1` or `2`; set it explicitly.)
    public static let kernelDefaults = InterfaceSysctls()

    /// The LVS-DR real-server settings: `arp_ignore=1`, `arp_announce=2`.
    public static let directRoutingRealServer = InterfaceSysctls(arpIgnore: 1, arpAnnounce: 2)

    /// The value in force for an interface given `all` and the interface's own.
    public func combined(with all: InterfaceSysctls) -> InterfaceSysctls {
        InterfaceSysctls(
            arpIgnore: max(all.arpIgnore, arpIgnore), arpAnnounce: max(all.arpAnnounce, arpAnnounce),
            rpFilter: max(all.rpFilter, rpFilter), sendRedirects: all.sendRedirects || sendRedirects,
            arpNotify: all.arpNotify || arpNotify, arpAccept: all.arpAccept || arpAccept)
    }
}
