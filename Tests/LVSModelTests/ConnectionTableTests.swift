import LVSModel
import Testing

/// The table's contract: handles, lookup, templates and the round trip of
/// every field through its hot and cold records.
@Suite struct ConnectionTableTests {
    static let vip = Endpoint(address: .v4(0x0A00_0001), port: 80)
    static let service = ServiceKey.address(.tcp, vip)

    static func entry(clientPort: UInt16, v6: Bool = false) -> Connection {
        let client = v6 ? IPAddress.v6(high: 0x2001_0db8_0000_0000, low: 7) : .v4(0xC0A8_0001)
        var connection = Connection(
            proto: .tcp, client: Endpoint(address: client, port: clientPort), virtual: vip,
            destination: Endpoint(address: .v4(0x0A00_0102), port: 8080), state: .synRecv, forwarding: .tunnel,
            service: service, isAssured: true, expiresAtNanoseconds: 123_456_789, timeoutSeconds: 60)
        connection.serverPort = 0
        connection.serviceIndex = 3
        connection.serverIndex = 5
        connection.locationEpoch = 9
        return connection
    }

    @Test func everyFieldSurvivesInsertModifyAndRemove() throws {
        var table = ConnectionTable()
        let original = Self.entry(clientPort: 1000, v6: true)
        let id = table.insert(original, indexed: false)
        #expect(table[id] == original)
        #expect(table.read(id) { $0.serverIndex } == 5)
        var changed = original
        changed.state = .timeWait
        changed.isCountedActive = true
        changed.destination.port = 9090
        changed.serverPort = 9090
        changed.timeoutSeconds = 120
        changed.locationEpoch = 10
        table[id] = changed
        #expect(table[id] == changed)
        table.modify(id) { $0.isAssured = false }
        changed.isAssured = false
        #expect(table.entries.map(\.connection) == [changed])
        let removed = table.remove(id)
        #expect(removed == changed)
        #expect(table.count == 0)
    }

    @Test func staleHandlesNeverResolveAfterTheSlotIsReused() {
        var table = ConnectionTable()
        let first = table.insert(Self.entry(clientPort: 1), indexed: true)
        let discarded = table.discard(first)
        let discardedAgain = table.discard(first)
        #expect(discarded && !discardedAgain)
        #expect(table.lookup(ConnectionKey(proto: .tcp, client: Self.entry(clientPort: 1).client, virtual: Self.vip)) == nil)
        let second = table.insert(Self.entry(clientPort: 2), indexed: false)
        #expect(second.slot == first.slot && second.generation != first.generation)
        #expect(!table.isValid(first) && table.isValid(second))
        let removed = table.remove(first)
        #expect(removed == nil)
        #expect(table.controlledCount(of: first) == 0)
    }

    @Test func templatesCountTheirConnectionsAndRekeyOutOfTheIndex() throws {
        var table = ConnectionTable()
        table.reserveCapacity(16)
        var template = Self.entry(clientPort: 0)
        template.isTemplate = true
        let templateID = table.insert(template, indexed: false)  // templates are always indexed
        let key = ConnectionKey(proto: .tcp, client: template.client, virtual: Self.vip)
        #expect(table.lookup(key) == templateID)
        let a = table.insert(Self.entry(clientPort: 10), indexed: false, controller: templateID)
        let b = table.insert(Self.entry(clientPort: 11), indexed: true, controller: templateID)
        #expect(table.controlledCount(of: templateID) == 2)
        #expect(table.controller(of: a) == templateID)
        table.discard(a)
        #expect(table.controlledCount(of: templateID) == 1)
        table.rekey(templateID, virtualPort: 65535, destinationPort: 65535)
        #expect(table.lookup(key) == nil)
        let rekeyed = table[templateID]
        #expect(rekeyed.virtual.port == 65535 && rekeyed.destination.port == 65535 && rekeyed.client.port == 0)
        #expect(table.lookup(ConnectionKey(proto: .tcp, client: rekeyed.client, virtual: rekeyed.virtual)) == templateID)
        #expect(table.entries.map(\.id) == [templateID, b])  // slot order
        table.discard(templateID)
        #expect(table.controller(of: b) == nil)
        table.removeAll()
        #expect(table.count == 0 && table.entries.isEmpty)
    }

    /// A copy of the table is a value: writes to either (insert, update, discard, and
    /// growth of the storage) never show in the other.
    @Test func copiesAreIndependentValues() {
        var table = ConnectionTable()
        let kept = table.insert(Self.entry(clientPort: 1), indexed: true)
        let gone = table.insert(Self.entry(clientPort: 2), indexed: false)
        let snapshot = table
        table.discard(gone)
        table[kept] = { var c = table[kept]; c.state = .close; return c }()
        // 100 more entries: slot 1 is reused, then the storage grows past 16 slots.
        var added: [ConnectionID] = []
        for port in UInt16(100)..<200 { added.append(table.insert(Self.entry(clientPort: port), indexed: false)) }
        #expect(added[0].slot == gone.slot && table.count == 101)
        #expect(snapshot.count == 2 && snapshot.isValid(gone) && !table.isValid(gone))
        #expect(snapshot[kept].state == .synRecv && table[kept].state == .close)
        #expect(snapshot[gone].client.port == 2 && snapshot.entries.count == 2)
        // And the other way round: the snapshot's writes stay in the snapshot.
        var second = snapshot
        second.discard(kept)
        #expect(!second.isValid(kept) && snapshot.isValid(kept) && table.isValid(kept))
        let key = ConnectionKey(proto: .tcp, client: Self.entry(clientPort: 1).client, virtual: Self.vip)
        #expect(second.lookup(key) == nil && snapshot.lookup(key) == kept && table.lookup(key) == kept)
    }
}
