import LVSModel
import Schedulers

// The packet level: ARP requests, replies, caches and announcements.
extension ClusterModel {
    // MARK: ARP

    mutating func resolve(_ target: IPAddress, host: Int, port: Int, frame: Int32, source: IPAddress, engine: inout Engine) {
        if let pending = pk.pendingByHost[host][target] {
            pk.pending[Int(pending)].frames.append(frame)
            return
        }
        let device = pk.ports[port].device
        guard let request = ARPPolicy.request(from: pk.hosts[host], outgoingInterface: device, packetSource: source, target: target) else {
            note(frame: frame) { m in "dropped at \(m.pk.names[host]): cannot ARP for \(target) on \(device)" }
            freeFrame(frame)
            return
        }
        pk.arp[host].markPending(target, at: engine.now)
        let flow = pk.frames[Int(frame)].flow
        let entry: Int32
        if let free = pk.freePending.popLast() {
            entry = free
            pk.pending[Int(free)].generation &+= 1
            let generation = pk.pending[Int(free)].generation
            pk.pending[Int(free)] = PendingResolution(
                host: Int32(host), port: Int32(port), target: target, tries: 1, generation: generation, frames: [frame],
                request: request, flow: flow, isLive: true)
        } else {
            entry = Int32(pk.pending.count)
            pk.pending.append(
                PendingResolution(
                    host: Int32(host), port: Int32(port), target: target, tries: 1, generation: 0, frames: [frame],
                    request: request, flow: flow, isLive: true))
        }
        pk.pendingByHost[host][target] = entry
        sendARP(request, port: port, flow: flow, engine: &engine) { m in
            "\(m.pk.names[host]): who has \(target)? tell \(request.senderIP)"
        }
        engine.schedule(
            Event(kind: PacketEventKind.arpRetry, a: UInt32(entry), b: pk.pending[Int(entry)].generation), after: .seconds(1))
    }

    mutating func arpRetry(_ entry: Int, generation: UInt32, engine: inout Engine) {
        guard entry < pk.pending.count, pk.pending[entry].isLive, pk.pending[entry].generation == generation else { return }
        let pending = pk.pending[entry]
        let host = Int(pending.host)
        if pending.tries < 3 {
            pk.pending[entry].tries += 1
            sendARP(pending.request, port: Int(pending.port), flow: pending.flow, engine: &engine) { m in
                "\(m.pk.names[host]): who has \(pending.target)? (try \(pending.tries + 1))"
            }
            engine.schedule(Event(kind: PacketEventKind.arpRetry, a: UInt32(entry), b: generation), after: .seconds(1))
            return
        }
        for frame in pending.frames {
            note(pk.frames[Int(frame)].flow) { m in "dropped at \(m.pk.names[host]): \(DropReason.neighbourUnresolved(pending.target).explanation) (no ARP reply)" }
            pk.heldNotes[frame] = nil
            freeFrame(frame)
        }
        finishPending(entry)
    }

    mutating func finishPending(_ entry: Int) {
        let pending = pk.pending[entry]
        pk.pending[entry].isLive = false
        pk.pending[entry].frames = []
        pk.pendingByHost[Int(pending.host)][pending.target] = nil
        pk.freePending.append(Int32(entry))
    }

    /// Sends the frames waiting for `target` on `host` now that its MAC is known.
    mutating func flushPending(_ target: IPAddress, host: Int, engine: inout Engine) {
        guard let entry = pk.pendingByHost[host][target], let mac = pk.arp[host].lookup(target, at: engine.now) else { return }
        let pending = pk.pending[Int(entry)]
        finishPending(Int(entry))
        for frame in pending.frames {
            pk.frames[Int(frame)].packet.ethernet.destination = mac
            let held = pk.heldNotes.removeValue(forKey: frame)
            transmit(frame, port: Int(pending.port), rewritten: held?.1 ?? [], engine: &engine) { _ in held?.0 ?? "" }
        }
    }

    /// How long `host` takes to answer an ARP request at `now`: 0–20 µs from a
    /// hash of (seed, host, time). Hosts answering the same broadcast thus race
    /// (`spec/ipvs-forwarding.md` §6.1: which reply arrives first, and wins the
    /// router's cache, is not fixed), reproducibly for a seed.
    func arpReplyDelay(host: Int, now: Int64) -> Int64 {
        var x = pk.seed ^ (UInt64(host) &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(bitPattern: now)
        x = (x ^ (x >> 30)) &* 0xBF58_476D_1CE4_E5B9
        x = (x ^ (x >> 27)) &* 0x94D0_49BB_1331_11EB
        x ^= x >> 31
        return Int64(x % 20_000)
    }

    mutating func sendARP(_ arp: ARPPacket, port: Int, flow: UInt64, delay: Int64 = 0, engine: inout Engine, note: (ClusterModel) -> String) {
        let placeholder = Packet(
            ethernet: arp.ethernet, ip: IPv4Header(source: arp.senderIP, destination: arp.targetIP, protocol: .icmp, totalLength: 0),
            transport: .icmp(ICMPMessage(kind: .echoRequest)))
        let frame = newFrame(Frame(packet: placeholder, arp: arp, flow: flow, hop: -1))
        transmit(frame, port: port, rewritten: [], delay: delay, engine: &engine, note: note)
    }

    /// Host `host`'s devices come up at the start of the run: each up Ethernet
    /// device with `arp_notify` announces its addresses (aliases such as
    /// `eth0:0` included) with a gratuitous ARP request, as Linux does on
    /// NETDEV_UP — and as keepalived does for a VIP it takes over.
    mutating func announce(host: Int, engine: inout Engine) {
        for device in pk.hosts[host].interfaces
        where device.kind == .ethernet && device.isUp && pk.hosts[host].effectiveSysctls(on: device.name).arpNotify {
            guard let port = pk.portOfDevice[host][device.name] else { continue }
            for address in device.addresses {
                let garp = ARPPacket.gratuitous(address: address.address, mac: device.mac)
                sendARP(garp, port: Int(port), flow: PacketEventKind.announceFlow, engine: &engine) { m in
                    "\(m.pk.names[host]): gratuitous ARP, \(address.address) is at \(device.mac) (arp_notify on \(device.name))"
                }
            }
        }
    }

    mutating func arpReceive(_ arp: ARPPacket, port: Int, flow: UInt64, hop: Int32, engine: inout Engine) {
        let host = Int(pk.ports[port].host)
        let device = pk.ports[port].device
        let now = engine.now
        if arp.operation == .request {
            let answer = ARPPolicy.reply(from: pk.hosts[host], to: arp, arrivingOn: device)
            let update = pk.arp[host].process(arp, isAnsweredByUs: answer != nil, at: now)
            if update != .ignored && update != .lockedOut { pk.arpGeneration[host] &+= 1 }
            noteCacheUpdate(update, arp: arp, host: host, hop: hop)
            if let answer {
                sendARP(answer, port: port, flow: flow, delay: arpReplyDelay(host: host, now: now.nanoseconds), engine: &engine) { m in
                    "\(m.pk.names[host]): \(answer.senderIP) is at \(answer.senderMAC)"
                }
            }
        } else {
            let update = pk.arp[host].process(arp, isAnsweredByUs: false, at: now)
            if update != .ignored && update != .lockedOut { pk.arpGeneration[host] &+= 1 }
            noteCacheUpdate(update, arp: arp, host: host, hop: hop)
        }
        flushPending(arp.senderIP, host: host, engine: &engine)
    }

    func macOwner(_ mac: MACAddress) -> String {
        for port in pk.ports where port.mac == mac { return pk.names[Int(port.host)] }
        return "\(mac)"
    }

    mutating func noteCacheUpdate(_ update: ARPCache.Update, arp: ARPPacket, host: Int, hop: Int32) {
        guard pk.tracing, hop >= 0 else { return }
        switch update {
        case .created, .changed:
            note(hop: hop) { m in "\(m.pk.names[host]): ARP cache now says \(arp.senderIP) is at \(m.macOwner(arp.senderMAC))'s MAC" }
        case .lockedOut:
            note(hop: hop) { m in "\(m.pk.names[host]): ignores \(arp.senderIP) at \(m.macOwner(arp.senderMAC)) (lock time)" }
        default:
            break
        }
    }
}
