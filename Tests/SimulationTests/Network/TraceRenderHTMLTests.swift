import Foundation
import LVSModel
import Testing

@testable import Simulation

/// `TraceHTMLRenderer`: a self-contained page whose diagram shows every hop.
@Suite struct TraceRenderHTMLTests {
    static func count(_ needle: String, in text: String) -> Int {
        text.components(separatedBy: needle).count - 1
    }

    @Test func pageIsSelfContainedWithOneDiagram() {
        for hops in [TraceFixtures.nat, TraceFixtures.dr, TraceFixtures.tun] {
            let html = TraceHTMLRenderer.render(hops, title: "fixture, connection 1")
            #expect(html.hasPrefix("<!DOCTYPE html>\n"))
            #expect(html.hasSuffix("</html>\n"))
            #expect(Self.count("<svg", in: html) == 1)
            #expect(Self.count("</svg>", in: html) == 1)
            #expect(Self.count("<table>", in: html) == 1)
            // The only URL is the SVG namespace; no scripts, no external fonts or images.
            let withoutNamespace = html.replacingOccurrences(of: "xmlns=\"http://www.w3.org/2000/svg\"", with: "")
            #expect(!withoutNamespace.contains("http://"))
            #expect(!withoutNamespace.contains("https://"))
            #expect(!html.contains("<script"))
            #expect(!html.contains("@import"))
            #expect(!html.contains("url(http"))
            #expect(html.contains("<title>lvssim trace: fixture, connection 1</title>"))
            // Every hop is a group in the diagram and a row in the table.
            for number in 1...hops.count { #expect(html.contains("<g class=\"hop ") && html.contains("id=\"hop-\(number)\"")) }
            #expect(Self.count("<g class=\"hop ", in: html) == hops.count)
            #expect(Self.count("<tr class=", in: html) == hops.count)
            // Opening and closing tags of the groups balance.
            #expect(Self.count("<g ", in: html) == Self.count("</g>", in: html))
            #expect(Self.count("<text ", in: html) == Self.count("</text>", in: html))
        }
    }

    @Test func lanesAreClientRouterDirectorThenRealServers() {
        let html = TraceHTMLRenderer.render(TraceFixtures.nat, title: "nat")
        let names = ["client", "router", "director", "rs1"].map { ">\($0)</text>" }
        let positions = names.map { html.range(of: $0)!.lowerBound }
        #expect(positions == positions.sorted())
        // Each lane is labelled at the top and the bottom.
        for name in names { #expect(Self.count(name, in: html) == 2) }
        // Lane x positions: 150, 430, 710, 990.
        #expect(html.contains("<line class=\"lifeline\" x1=\"990\""))
    }

    @Test func rewrittenValuesCarryTheHighlightClass() {
        let html = TraceHTMLRenderer.render(TraceFixtures.nat, title: "nat")
        // The DNAT hop: destination IP and both MACs highlighted, in the diagram and the table.
        #expect(html.contains("172.16.1.10:40001 → <tspan class=\"rw\">192.168.10.1</tspan>:80"))
        #expect(html.contains("<tspan class=\"rw\">02:00:00:00:00:d1</tspan> → <tspan class=\"rw\">02:00:00:00:10:01</tspan>"))
        #expect(html.contains("172.16.1.10:40001 → <span class=\"rw\">192.168.10.1</span>:80"))
        #expect(html.contains("<tspan class=\"rw\">202.99.59.110</tspan>:80 → 172.16.1.10:40001"))
        // The field names at the right, wrapped to the notes column.
        #expect(html.contains(">rewrote eth.src, eth.dst, ip.dst, ip.ttl,</text>"))
        #expect(html.contains(">ip.csum, l4.csum</text>"))
        #expect(html.contains(".rw { fill: \(TraceHTMLRenderer.highlightColor)"))
        // The client's own SYN: nothing highlighted in its group.
        let first = html.range(of: "id=\"hop-1\"")!
        let second = html.range(of: "id=\"hop-2\"")!
        #expect(!html[first.upperBound..<second.lowerBound].contains("class=\"rw\""))
    }

    @Test func arpIsDashedDropIsCrossedOuterIsBoxed() {
        let html = TraceHTMLRenderer.render(TraceFixtures.tun, title: "tun")
        #expect(html.contains("<g class=\"hop arp\" id=\"hop-3\">"))
        #expect(html.contains("ARP request (broadcast)"))
        #expect(html.contains("who-has 202.99.59.108 tell 202.99.59.109"))
        #expect(html.contains(".arp .arrow { stroke: #6c757d; stroke-dasharray"))
        #expect(html.contains("<g class=\"hop drop\" id=\"hop-10\">"))
        #expect(Self.count("<path class=\"cross\"", in: html) == 1)
        #expect(html.contains("dropped: 1520 bytes with DF exceed the outside MTU 1500"))
        #expect(Self.count("<rect class=\"outerbox\"", in: html) == 2)
        #expect(html.contains("<text class=\"outer rw\" x=\"850\" y=\"") )
        #expect(html.contains(">IPIP 202.99.59.109 → 202.99.59.108 DF</text>"))
        // Directions: the SYN towards rs1 is inbound, the SYN-ACK a reply.
        #expect(html.contains("<g class=\"hop inbound\" id=\"hop-1\">"))
        #expect(html.contains("<g class=\"hop reply\" id=\"hop-6\">"))
    }

    @Test func textIsEscaped() {
        var hop = TraceFixtures.nat[0]
        hop.note = "dropped: len<1500 & \"DF\""
        hop.link = "a<b>&c"
        let html = TraceHTMLRenderer.render([hop], title: "x & <y>")
        #expect(html.contains("dropped: len&lt;1500 &amp; &quot;DF&quot;"))
        #expect(html.contains("a&lt;b&gt;&amp;c"))
        #expect(html.contains("<title>lvssim trace: x &amp; &lt;y&gt;</title>"))
        #expect(!html.contains("len<1500"))
        #expect(!html.contains("<y>"))
        #expect(!html.contains("a<b>"))
    }

    @Test func longNotesWrapAndRenderingIsDeterministic() {
        let lines = TraceHTMLRenderer.wrap(String(repeating: "word ", count: 40), width: 20, maxLines: 3)
        #expect(lines.count == 3)
        #expect(lines.allSatisfy { $0.count <= 20 })
        #expect(lines[2].hasSuffix("…"))
        #expect(TraceHTMLRenderer.wrap("short note", width: 20, maxLines: 3) == ["short note"])
        #expect(TraceHTMLRenderer.wrap("", width: 20, maxLines: 3) == [])
        #expect(
            TraceHTMLRenderer.render(TraceFixtures.tun, title: "t") == TraceHTMLRenderer.render(TraceFixtures.tun, title: "t"))
        #expect(TraceHTMLRenderer.render([], title: "empty").contains("<svg"))
    }

    /// For `scripts/trace-screenshot.sh`: with `LVSSIM_TRACE_HTML_OUT=path`
    /// writes a fixture's page there (`LVSSIM_TRACE_FIXTURE` = nat, dr or tun;
    /// default nat; `LVSSIM_TRACE_FORMAT=text` or `json` writes that format
    /// instead). Without the variable it only checks the page renders.
    @Test func writesFixture() throws {
        let environment = ProcessInfo.processInfo.environment
        let name = environment["LVSSIM_TRACE_FIXTURE"] ?? "nat"
        let hops: [PacketHop]
        switch name {
        case "dr": hops = TraceFixtures.dr
        case "tun": hops = TraceFixtures.tun
        default: hops = TraceFixtures.nat
        }
        let html = TraceHTMLRenderer.render(hops, title: "\(name) fixture, connection 1")
        #expect(!html.isEmpty)
        if let path = environment["LVSSIM_TRACE_HTML_OUT"], !path.isEmpty {
            let output: String
            switch environment["LVSSIM_TRACE_FORMAT"] {
            case "text": output = TraceTextRenderer.render(hops)
            case "json": output = TraceJSONRenderer.render(hops)
            default: output = html
            }
            try Data(output.utf8).write(to: URL(fileURLWithPath: path))
        }
    }
}
