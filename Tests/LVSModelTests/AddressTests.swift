import LVSModel
import Testing

@Suite struct AddressTests {
    @Test(arguments: [
        ("10.0.0.1", "10.0.0.1"), ("2001:db8::1", "2001:db8::1"), ("2001:0db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"),
        ("::", "::"), ("::1", "::1"), ("fe80::", "fe80::"), ("1:0:0:2:0:0:0:3", "1:0:0:2::3"),
        ("::ffff:10.1.2.3", "::ffff:10.1.2.3"), ("2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"),
    ])
    func parsesAndPrintsInCanonicalForm(input: String, expected: String) throws {
        let address = try #require(IPAddress(input))
        #expect(address.description == expected)
    }

    @Test(arguments: ["10.0.0", "10.0.0.256", "1.2.3.4.5", "::1::", "12345::", ":1", "1:2:3:4:5:6:7:8:9", "", "a.b.c.d", "01.2.3.4x"])
    func rejectsMalformedAddresses(input: String) {
        #expect(IPAddress(input) == nil)
    }

    @Test func foldsIPv6AsXorOfBigEndianWords() throws {
        let address = try #require(IPAddress("2001:db8:1:2:3:4:5:6"))
        #expect(address.folded == 0x2001_0db8 ^ 0x0001_0002 ^ 0x0003_0004 ^ 0x0005_0006)
        #expect(IPAddress("10.0.0.1")?.folded == 0x0A00_0001)
    }

    @Test func parsesEndpointsWithBracketedIPv6() throws {
        let endpoint = try #require(Endpoint("[2001:db8::1]:443"))
        #expect(endpoint.port == 443)
        #expect(endpoint.description == "[2001:db8::1]:443")
        #expect(Endpoint("10.0.0.1:80")?.port == 80)
        #expect(Endpoint("10.0.0.1:65536") == nil)
        #expect(Endpoint("2001:db8::1:80") == nil)
    }

    @Test func masksClientsForPersistence() throws {
        let client = try #require(IPAddress("192.168.7.201"))
        #expect(client.masked(v4Mask: 0xFFFF_FF00).description == "192.168.7.0")
        let v6 = try #require(IPAddress("2001:db8:aaaa:bbbb::1"))
        #expect(v6.masked(prefixLength: 48).description == "2001:db8:aaaa::")
    }

    @Test func parsesMACAddresses() throws {
        let mac = try #require(MACAddress("00:1A:2b:3c:4d:5e"))
        #expect(mac.description == "00:1a:2b:3c:4d:5e")
        #expect(MACAddress("00:1a:2b:3c:4d") == nil)
    }
}
