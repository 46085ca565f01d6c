/// TCP header flags, as far as IPVS and the packet model care.
public struct TCPFlags: OptionSet, Hashable, Sendable, Codable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    public static let fin = TCPFlags(rawValue: 0x01)
    public static let syn = TCPFlags(rawValue: 0x02)
    public static let rst = TCPFlags(rawValue: 0x04)
    public static let psh = TCPFlags(rawValue: 0x08)
    public static let ack = TCPFlags(rawValue: 0x10)

    public static let synAck: TCPFlags = [.syn, .ack]
    public static let finAck: TCPFlags = [.fin, .ack]
}

/// Which way a packet travels relative to an IPVS connection entry.
public enum PacketDirection: UInt8, Hashable, Sendable, Codable {
    /// Client to server, on an entry whose replies the director also sees (NAT).
    case input = 0
    /// Server to client (seen only with NAT).
    case output = 1
    /// Client to server on a "no output" entry (DR and TUN).
    case inputOnly = 2
}

extension ConnectionState {
    /// The kernel's normal-mode TCP transition (Linux 6.1 `tcp_states`):
    /// the event is the packet's most important flag, RST > SYN > FIN > ACK,
    /// and a packet with none of them moves the entry to CLOSE.
    ///
    /// - Complexity: O(1), a table lookup.
    @inlinable @inline(__always)
    public func next(onTCP flags: TCPFlags, direction: PacketDirection) -> ConnectionState {
        next(onTCP: flags, direction: direction, in: .shared)
    }

    /// ``next(onTCP:direction:)`` read from `table`, for owners that keep the table (a
    /// director does): a packet then reads it directly, without the lazily initialised
    /// global's check.
    @inlinable @inline(__always)
    public func next(onTCP flags: TCPFlags, direction: PacketDirection, in table: TCPTransitions) -> ConnectionState {
        let event: Int
        if flags.contains(.rst) {
            event = 3
        } else if flags.contains(.syn) {
            event = 0
        } else if flags.contains(.fin) {
            event = 1
        } else if flags.contains(.ack) {
            event = 2
        } else {
            return .close
        }
        guard rawValue < 11 else { return self }  // UDP entries have no TCP transitions
        let column = Int(direction.rawValue) * 4 + event
        return table.rows[Int(rawValue) * 12 + column]
    }
}

/// The TCP transition table (``TCPTransitionTable``) at a fixed address that lives as
/// long as the process, to be kept by value.
public struct TCPTransitions: @unchecked Sendable {
    /// 11 rows (states NONE … SYNACK) of 12 columns, as states; never written after set-up.
    @usableFromInline let rows: UnsafePointer<ConnectionState>

    /// The one copy, made on first use and never freed.
    public static let shared: TCPTransitions = {
        let table = TCPTransitionTable.next.map { ConnectionState(rawValue: $0)! }
        let rows = UnsafeMutablePointer<ConnectionState>.allocate(capacity: table.count)
        rows.initialize(from: table, count: table.count)
        return TCPTransitions(rows: UnsafePointer(rows))
    }()

    @usableFromInline init(rows: UnsafePointer<ConnectionState>) { self.rows = rows }
}

/// The normal-mode transition table, row = current state (NONE … SYNACK in
/// ``ConnectionState`` order), columns = IN syn/fin/ack/rst, OUT syn/fin/ack/rst,
/// IN-ONLY syn/fin/ack/rst. Transcribed from the behaviour in
/// `spec/ipvs-schedulers.md` §2.3.
@usableFromInline
enum TCPTransitionTable {
    // Short names for readability of the table.
    static let NO = ConnectionState.none.rawValue
    static let ES = ConnectionState.established.rawValue
    static let SS = ConnectionState.synSent.rawValue
    static let SR = ConnectionState.synRecv.rawValue
    static let FW = ConnectionState.finWait.rawValue
    static let TW = ConnectionState.timeWait.rawValue
    static let CL = ConnectionState.close.rawValue
    static let CW = ConnectionState.closeWait.rawValue
    static let LA = ConnectionState.lastAck.rawValue
    static let LI = ConnectionState.listen.rawValue
    static let SA = ConnectionState.synAck.rawValue

    @usableFromInline
    static let next: [UInt8] = [
        // IN: syn fin ack rst   OUT: syn fin ack rst   IN-ONLY: syn fin ack rst
        SR, CL, ES, CL, SS, TW, ES, CL, SR, CL, ES, CL,  // NONE
        ES, CW, ES, CL, ES, FW, ES, CL, ES, FW, ES, CL,  // ESTABLISHED
        ES, SS, SS, CL, SS, SS, SS, SS, ES, SS, SS, CL,  // SYN_SENT
        SR, TW, ES, SR, SR, TW, ES, CL, SR, TW, ES, SR,  // SYN_RECV
        SR, TW, FW, CL, SS, FW, FW, CL, SR, FW, FW, CL,  // FIN_WAIT
        SR, TW, TW, CL, SS, TW, TW, TW, SR, TW, TW, CL,  // TIME_WAIT
        SR, CL, CL, CL, SS, CL, CL, CL, SR, CL, CL, CL,  // CLOSE
        SR, CW, CW, CL, SS, TW, CW, CL, SR, CW, CW, CL,  // CLOSE_WAIT
        SR, LA, CL, LA, SS, LA, LA, CL, SR, LA, CL, LA,  // LAST_ACK
        SR, LI, LI, LI, LI, LI, ES, CL, SR, LI, LI, LI,  // LISTEN
        SR, TW, ES, SR, SR, TW, ES, CL, SR, TW, ES, CL,  // SYNACK
    ]
}
