import LVSModel
import Testing

/// Typical connection lives, worked by hand from the kernel's transition
/// table (spec §2.3 "Typical lives").
@Suite struct TCPStateMachineTests {
    /// Runs a sequence of (flags, direction) packets from NONE and returns every state reached.
    func walk(_ packets: [(TCPFlags, PacketDirection)]) -> [ConnectionState] {
        var state = ConnectionState.none
        var states: [ConnectionState] = []
        for (flags, direction) in packets {
            state = state.next(onTCP: flags, direction: direction)
            states.append(state)
        }
        return states
    }

    @Test func natClientClosingFirstEndsInTimeWait() {
        let states = walk([
            (.syn, .input), (.synAck, .output), (.ack, .input),
            (.finAck, .input), (.ack, .output), (.finAck, .output), (.ack, .input),
        ])
        #expect(states == [.synRecv, .synRecv, .established, .closeWait, .closeWait, .timeWait, .timeWait])
    }

    @Test func natServerClosingFirstEndsInTimeWait() {
        let states = walk([(.syn, .input), (.synAck, .output), (.ack, .input), (.finAck, .output), (.ack, .input), (.finAck, .input)])
        #expect(states == [.synRecv, .synRecv, .established, .finWait, .finWait, .timeWait])
    }

    @Test func directRoutingSeesOnlyInboundAndStopsInFinWait() {
        let states = walk([(.syn, .inputOnly), (.ack, .inputOnly), (.finAck, .inputOnly), (.ack, .inputOnly)])
        #expect(states == [.synRecv, .established, .finWait, .finWait])
    }

    @Test func resetFromEitherSideCloses() {
        #expect(ConnectionState.established.next(onTCP: .rst, direction: .input) == .close)
        #expect(ConnectionState.established.next(onTCP: [.rst, .ack], direction: .output) == .close)
        // RST outranks SYN.
        #expect(ConnectionState.none.next(onTCP: [.rst, .syn], direction: .input) == .close)
    }

    @Test func packetWithoutControlFlagsCloses() {
        #expect(ConnectionState.established.next(onTCP: .psh, direction: .input) == .close)
    }

    @Test func synOnTimeWaitRestartsAsSynRecv() {
        #expect(ConnectionState.timeWait.next(onTCP: .syn, direction: .input) == .synRecv)
        #expect(ConnectionState.timeWait.next(onTCP: .syn, direction: .output) == .synSent)
    }

    @Test func aTableKeptByValueGivesTheSameTransitions() {
        // A director keeps `TCPTransitions.shared`; spec §2.3 by hand: NONE −SYN→ SYN_RECV,
        // ESTABLISHED −FIN in→ CLOSE_WAIT, CLOSE_WAIT −FIN out→ TIME_WAIT, DR's
        // ESTABLISHED −FIN (input only)→ FIN_WAIT, LISTEN −ACK out→ ESTABLISHED.
        let kept = TCPTransitions.shared
        #expect(ConnectionState.none.next(onTCP: .syn, direction: .input, in: kept) == .synRecv)
        #expect(ConnectionState.established.next(onTCP: .finAck, direction: .input, in: kept) == .closeWait)
        #expect(ConnectionState.closeWait.next(onTCP: .finAck, direction: .output, in: kept) == .timeWait)
        #expect(ConnectionState.established.next(onTCP: .finAck, direction: .inputOnly, in: kept) == .finWait)
        #expect(ConnectionState.listen.next(onTCP: .ack, direction: .output, in: kept) == .established)
    }

    @Test func activeStatesAreExactlyTheFourOfLinux61() {
        let active = ConnectionState.allCases.filter(\.isActive)
        #expect(active == [.established, .synSent, .synRecv, .synAck])
    }

    @Test func defaultTimeoutsMatchTheKernel() {
        let defaults = IPVSTimeouts()
        #expect(ConnectionState.established.timeoutSeconds(defaults) == 900)
        #expect(ConnectionState.finWait.timeoutSeconds(defaults) == 120)
        #expect(ConnectionState.timeWait.timeoutSeconds(defaults) == 120)
        #expect(ConnectionState.close.timeoutSeconds(defaults) == 10)
        #expect(ConnectionState.closeWait.timeoutSeconds(defaults) == 60)
        #expect(ConnectionState.synRecv.timeoutSeconds(defaults) == 60)
        #expect(ConnectionState.udp.timeoutSeconds(defaults) == 300)
        let changed = IPVSTimeouts(tcp: 100, tcpFin: 20, udp: 30)
        #expect(ConnectionState.established.timeoutSeconds(changed) == 100)
        #expect(ConnectionState.finWait.timeoutSeconds(changed) == 20)
        #expect(ConnectionState.udp.timeoutSeconds(changed) == 30)
    }
}
