/// `lvssim trace --format html`: one self-contained page (inline CSS and
/// inline SVG, no scripts, no fonts or images from the network) with a
/// sequence diagram of the hops and a table of them.
///
/// The diagram has a lane per host: client, router, director (those that
/// appear), then the others (the real servers) in order of appearance. Each
/// hop is an arrow from its sender's lane to its receiver's lane in its own
/// row, labelled with the protocol and TCP flags, the IP addresses and ports
/// above and the MAC addresses below; values the sender rewrote are drawn
/// bold in the highlight colour (class `rw`). Arrows towards the real servers
/// are blue, arrows back towards the client green, ARP arrows grey and
/// dashed, a dropped packet's arrow red and ending in an X. An IPIP outer
/// header is a boxed label under the arrow. The time and link are at the
/// left of each row, the rewritten field names and the note at the right.
public enum TraceHTMLRenderer {
    // Geometry (pixels).
    static let firstLaneX = 150
    static let laneSpacing = 280
    static let headTop = 10
    static let headHeight = 30
    static let rowsTop = 56
    static let rowHeight = 76
    static let notesGap = 100
    static let notesWidth = 330
    static let noteCharacters = 48

    /// The highlight colour of rewritten values (also used by the screenshot check).
    public static let highlightColor = "#d6336c"

    /// The page for `hops`; `title` (e.g. "teach-nat.yaml, connection 1") is
    /// shown in the heading and the `<title>`. Same input, same bytes.
    public static func render(_ hops: [PacketHop], title: String) -> String {
        let esc = TraceRenderSupport.escapeXML
        var html = """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <title>lvssim trace: \(esc(title))</title>
            <style>
            \(css)
            </style>
            </head>
            <body>
            <h1>lvssim trace: \(esc(title))</h1>
            <p class="sub">\(hops.count) \(hops.count == 1 ? "hop" : "hops"); each arrow is one frame on one link, as on the wire there.</p>
            \(legendHTML)

            """
        html += diagram(hops) + "\n"
        html += table(hops)
        html += "</body>\n</html>\n"
        return html
    }

    // MARK: - Diagram

    static func laneX(_ index: Int) -> Int { firstLaneX + index * laneSpacing }

    static func diagram(_ hops: [PacketHop]) -> String {
        let esc = TraceRenderSupport.escapeXML
        let lanes = TraceRenderSupport.lanes(hops)
        let lastX = laneX(max(lanes.count - 1, 0))
        let notesX = lastX + notesGap
        let width = notesX + notesWidth
        let bottom = rowsTop + hops.count * rowHeight
        let height = bottom + headHeight + 2 * headTop
        var svg = """
            <svg xmlns="http://www.w3.org/2000/svg" class="diagram" width="\(width)" height="\(height)" \
            viewBox="0 0 \(width) \(height)" role="img" aria-label="sequence diagram of \(hops.count) hops">
            <defs>
            \(marker("blue", "#1f5fa8"))
            \(marker("green", "#2e7d32"))
            \(marker("grey", "#6c757d"))
            </defs>

            """
        // Row stripes, then lifelines and lane heads (top and bottom).
        for index in hops.indices where index % 2 == 1 {
            svg += "<rect class=\"stripe\" x=\"0\" y=\"\(rowsTop + index * rowHeight)\" width=\"\(width)\" height=\"\(rowHeight)\"/>\n"
        }
        svg += "<text class=\"colhead\" x=\"12\" y=\"\(headTop + 12)\">t (ms)</text>"
        svg += "<text class=\"colhead\" x=\"12\" y=\"\(headTop + 26)\">link</text>\n"
        svg += "<text class=\"colhead\" x=\"\(notesX)\" y=\"\(headTop + 20)\">rewritten fields / note</text>\n"
        for (index, lane) in lanes.enumerated() {
            let x = laneX(index)
            svg += "<line class=\"lifeline\" x1=\"\(x)\" y1=\"\(headTop + headHeight)\" x2=\"\(x)\" y2=\"\(bottom + headTop)\"/>\n"
            for top in [headTop, bottom + headTop] {
                svg += "<rect class=\"lanehead\" x=\"\(x - 70)\" y=\"\(top)\" width=\"140\" height=\"\(headHeight)\" rx=\"6\"/>"
                svg += "<text class=\"lanename\" x=\"\(x)\" y=\"\(top + 20)\">\(esc(lane))</text>\n"
            }
        }
        for (index, hop) in hops.enumerated() {
            svg += row(
                hop, number: index + 1, top: rowsTop + index * rowHeight, lanes: lanes,
                onLink: hosts(on: hop.link, in: hops), notesX: notesX)
        }
        svg += "</svg>"
        return svg
    }

    static func marker(_ name: String, _ color: String) -> String {
        "<marker id=\"arrow-\(name)\" viewBox=\"0 0 10 10\" refX=\"10\" refY=\"5\" markerUnits=\"userSpaceOnUse\" "
            + "markerWidth=\"11\" markerHeight=\"9\" orient=\"auto-start-reverse\"><path d=\"M0,0 L10,5 L0,10 z\" fill=\"\(color)\"/></marker>"
    }

    /// The hosts seen sending or receiving on `link` anywhere in the trace.
    static func hosts(on link: String, in hops: [PacketHop]) -> Set<String> {
        var names: Set<String> = []
        for hop in hops where hop.link == link {
            names.insert(hop.from)
            names.insert(hop.to)
        }
        names.remove("*")
        return names
    }

    /// One hop: time and link at the left, the arrow with its labels, notes at the right.
    /// A broadcast ("*") is drawn from the sender to the outermost lanes of the
    /// hosts seen on its link (both ways when they are on both sides), with a
    /// dot on every other such lane.
    static func row(_ hop: PacketHop, number: Int, top: Int, lanes: [String], onLink: Set<String>, notesX: Int) -> String {
        let esc = TraceRenderSupport.escapeXML
        let fromIndex = lanes.firstIndex(of: hop.from) ?? 0
        let broadcast = hop.to == "*"
        let x1 = laneX(fromIndex)
        // The arrow ends (one, or two for a broadcast reaching both sides).
        var ends: [Int] = []
        var dots: [Int] = []
        if broadcast {
            let reached = lanes.indices.filter { $0 != fromIndex && onLink.contains(lanes[$0]) }
            if let left = reached.min(), left < fromIndex { ends.append(laneX(left)) }
            if let right = reached.max(), right > fromIndex { ends.append(laneX(right)) }
            dots = reached.map(laneX).filter { !ends.contains($0) }
        } else if let toIndex = lanes.firstIndex(of: hop.to), toIndex != fromIndex {
            ends.append(laneX(toIndex))
        }
        if ends.isEmpty { ends.append(x1 + laneSpacing / 2) }  // to itself or nobody known: a short stub
        let drop = TraceRenderSupport.isDrop(hop)
        let x2 = ends[ends.count - 1]
        let direction = x2 > x1 ? 1 : -1
        let mid = ((ends.count == 2 ? ends[0] : x1) + x2) / 2
        let arrowY = top + 40
        let kind: String
        let color: String
        if drop {
            kind = "drop"
            color = ""
        } else if hop.proto == .arp {
            kind = "arp"
            color = "grey"
        } else if direction > 0 {
            kind = "inbound"
            color = "blue"
        } else {
            kind = "reply"
            color = "green"
        }
        var out = "<g class=\"hop \(kind)\" id=\"hop-\(number)\">\n"
        // Left column: number, time, link.
        out += "<text class=\"num\" x=\"12\" y=\"\(top + 18)\">#\(number)</text>"
        out += "<text class=\"time\" x=\"12\" y=\"\(top + 34)\">\(TraceRenderSupport.milliseconds(hop.timeNanoseconds)) ms</text>"
        out += "<text class=\"link\" x=\"12\" y=\"\(top + 49)\">\(esc(hop.link))</text>\n"
        // Above the arrow: protocol and flags, then addresses.
        var protoLabel = TraceRenderSupport.protoLabel(hop)
        if broadcast { protoLabel += " (broadcast)" }
        out += "<text class=\"proto\" x=\"\(mid)\" y=\"\(top + 15)\">\(esc(protoLabel))</text>\n"
        out += "<text class=\"addr\" x=\"\(mid)\" y=\"\(top + 30)\">\(tspans(TraceRenderSupport.addressPieces(hop)))</text>\n"
        // The arrow (a dropped packet ends in an X short of the receiver's lane).
        let markerAttribute = drop ? "" : " marker-end=\"url(#arrow-\(color))\""
        for end in ends {
            let tip = end - (end > x1 ? 1 : -1) * (drop ? 2 : 1)
            out += "<line class=\"arrow\" x1=\"\(x1)\" y1=\"\(arrowY)\" x2=\"\(tip)\" y2=\"\(arrowY)\"\(markerAttribute)/>\n"
        }
        for x in dots {
            out += "<circle class=\"reach\" cx=\"\(x)\" cy=\"\(arrowY)\" r=\"4\"/>\n"
        }
        if drop {
            out += "<path class=\"cross\" d=\"M\(x2 - 8),\(arrowY - 8) L\(x2 + 8),\(arrowY + 8) M\(x2 - 8),\(arrowY + 8) L\(x2 + 8),\(arrowY - 8)\"/>\n"
        }
        // Below the arrow: MAC addresses, then the outer header.
        out += "<text class=\"mac\" x=\"\(mid)\" y=\"\(top + 54)\">\(tspans(TraceRenderSupport.macPieces(hop)))</text>\n"
        if let outer = hop.outer {
            let label = TraceRenderSupport.outerSummary(outer)
            let added = TraceRenderSupport.outerPieces(hop).first?.rewritten ?? false
            let boxWidth = label.count * 7 + 14
            out += "<rect class=\"outerbox\" x=\"\(mid - boxWidth / 2)\" y=\"\(top + 58)\" width=\"\(boxWidth)\" height=\"16\" rx=\"3\"/>"
            out += "<text class=\"outer\(added ? " rw" : "")\" x=\"\(mid)\" y=\"\(top + 70)\">\(esc(label))</text>\n"
        }
        // Right column: rewritten field names and the note, wrapped.
        var lineY = top + 16
        let rewritten = hop.rewritten.map(\.name).joined(separator: ", ")
        let rewrittenLines = rewritten.isEmpty ? [] : wrap("rewrote " + rewritten, width: noteCharacters, maxLines: 2)
        for line in rewrittenLines {
            out += "<text class=\"rwlist rw\" x=\"\(notesX)\" y=\"\(lineY)\">\(esc(line))</text>\n"
            lineY += 14
        }
        for line in wrap(hop.note, width: noteCharacters, maxLines: 4 - rewrittenLines.count) {
            out += "<text class=\"note\(drop ? " dropnote" : "")\" x=\"\(notesX)\" y=\"\(lineY)\">\(esc(line))</text>\n"
            lineY += 14
        }
        out += "</g>\n"
        return out
    }

    /// Pieces as SVG/HTML text, rewritten ones in `<tspan class="rw">` (SVG) or `<span class="rw">` (HTML).
    static func tspans(_ pieces: [TraceRenderSupport.Piece], element: String = "tspan") -> String {
        pieces.map { piece in
            let text = TraceRenderSupport.escapeXML(piece.text)
            return piece.rewritten ? "<\(element) class=\"rw\">\(text)</\(element)>" : text
        }.joined()
    }

    /// `text` broken at spaces into lines of at most `width` characters (a
    /// longer word is cut), at most `maxLines` lines, the last ending in "…"
    /// when text was left out.
    static func wrap(_ text: String, width: Int, maxLines: Int) -> [String] {
        guard maxLines > 0 else { return [] }
        var lines: [String] = []
        var current = ""
        for word in text.split(separator: " ", omittingEmptySubsequences: true) {
            var word = String(word)
            while word.count > width {
                if !current.isEmpty {
                    lines.append(current)
                    current = ""
                }
                lines.append(String(word.prefix(width)))
                word = String(word.dropFirst(width))
            }
            if current.isEmpty {
                current = word
            } else if current.count + 1 + word.count <= width {
                current += " " + word
            } else {
                lines.append(current)
                current = word
            }
        }
        if !current.isEmpty { lines.append(current) }
        if lines.count > maxLines {
            lines = Array(lines.prefix(maxLines))
            var last = lines[maxLines - 1]
            if last.count >= width { last = String(last.prefix(width - 1)) }
            lines[maxLines - 1] = last + "…"
        }
        return lines
    }

    // MARK: - Table

    static func table(_ hops: [PacketHop]) -> String {
        let esc = TraceRenderSupport.escapeXML
        var html = "<h2>Hops</h2>\n<table>\n<thead><tr><th>#</th><th>t (ms)</th><th>link</th><th>from → to</th>"
            + "<th>src MAC → dst MAC</th><th>src → dst</th><th>proto</th><th>outer</th><th>rewritten</th><th>note</th></tr></thead>\n<tbody>\n"
        for (index, hop) in hops.enumerated() {
            let outer = TraceRenderSupport.outerPieces(hop)
            let rewritten = TraceRenderSupport.rewrittenList(hop).replacingOccurrences(of: ",", with: ", ")
            html += "<tr class=\"\(TraceRenderSupport.isDrop(hop) ? "droprow" : "")\">"
            html += "<td class=\"r\">\(index + 1)</td><td class=\"r\">\(TraceRenderSupport.milliseconds(hop.timeNanoseconds))</td>"
            html += "<td>\(esc(hop.link))</td><td>\(esc(TraceRenderSupport.hostPair(hop)))</td>"
            html += "<td class=\"m\">\(tspans(TraceRenderSupport.macPieces(hop), element: "span"))</td>"
            html += "<td class=\"m\">\(tspans(TraceRenderSupport.addressPieces(hop), element: "span"))</td>"
            html += "<td>\(esc(TraceRenderSupport.protoLabel(hop)))</td>"
            html += "<td class=\"m\">\(outer.isEmpty ? "" : tspans(outer, element: "span"))</td>"
            html += "<td class=\"m\">\(esc(rewritten))</td><td>\(esc(hop.note))</td></tr>\n"
        }
        html += "</tbody>\n</table>\n"
        return html
    }

    // MARK: - Style

    static let legendHTML = """
        <div class="legend">
        <span><i class="swatch" style="border-top: 2px solid #1f5fa8"></i> towards the real servers</span>
        <span><i class="swatch" style="border-top: 2px solid #2e7d32"></i> back towards the client</span>
        <span><i class="swatch" style="border-top: 2px dashed #6c757d"></i> ARP</span>
        <span><i class="swatch" style="border-top: 2px solid #c62828"></i><b class="dropx">✕</b> dropped</span>
        <span><b class="rw">bold</b> value rewritten by the sender on this hop</span>
        <span><span class="outerkey">IPIP a → b</span> outer header (LVS-TUN)</span>
        <span class="mono">IP:port above the arrow, MAC below</span>
        </div>
        """

    static let css = """
        body { font-family: "DejaVu Sans", "Helvetica Neue", Arial, sans-serif; margin: 16px 20px; color: #1d2733; background: #ffffff; }
        h1 { font-size: 20px; margin: 0 0 4px 0; }
        h2 { font-size: 16px; margin: 22px 0 6px 0; }
        .sub { margin: 0 0 8px 0; color: #555f6b; font-size: 13px; }
        .legend { display: flex; flex-wrap: wrap; gap: 6px 20px; font-size: 12.5px; margin: 0 0 10px 0; align-items: center; }
        .legend span { display: inline-flex; align-items: center; gap: 5px; }
        .swatch { display: inline-block; width: 38px; height: 0; }
        .dropx { color: #c62828; margin-left: -4px; }
        .mono, .m { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; }
        .outerkey { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 11px; color: #5a32a3; background: #efe7fb; border: 1px solid #8a63d2; border-radius: 3px; padding: 0 4px; }
        svg.diagram { display: block; max-width: 100%; height: auto; border: 1px solid #d8dee6; background: #ffffff; }
        svg.diagram text { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; paint-order: stroke; stroke: #ffffff; stroke-width: 3px; stroke-linejoin: round; }
        .stripe { fill: #f4f7fb; }
        .lifeline { stroke: #b4bec9; stroke-width: 1.5; stroke-dasharray: 4 4; }
        .lanehead { fill: #e8eef6; stroke: #5f7286; stroke-width: 1.2; }
        .lanename { font-size: 14px; font-weight: 700; text-anchor: middle; fill: #1d2733; }
        .colhead { font-size: 11px; fill: #6b7785; }
        .num { font-size: 12px; font-weight: 700; fill: #1d2733; }
        .time { font-size: 12px; fill: #1d2733; }
        .link { font-size: 11px; fill: #6b7785; }
        .proto { font-size: 12px; font-weight: 700; text-anchor: middle; fill: #1d2733; }
        .addr { font-size: 12px; text-anchor: middle; fill: #1d2733; }
        .mac { font-size: 10.5px; text-anchor: middle; fill: #5b6673; }
        .outer { font-size: 11px; text-anchor: middle; fill: #5a32a3; }
        .outerbox { fill: #efe7fb; stroke: #8a63d2; stroke-width: 1; }
        .rwlist { font-size: 11px; }
        .note { font-size: 11px; fill: #3b4652; }
        .dropnote { fill: #c62828; font-weight: 700; }
        .arrow { stroke-width: 2.2; }
        .inbound .arrow { stroke: #1f5fa8; }
        .reply .arrow { stroke: #2e7d32; }
        .arp .arrow { stroke: #6c757d; stroke-dasharray: 7 5; }
        .drop .arrow { stroke: #c62828; stroke-dasharray: 2 0; }
        .reach { fill: #6c757d; }
        .cross { stroke: #c62828; stroke-width: 3.5; fill: none; }
        .rw { fill: \(highlightColor); color: \(highlightColor); font-weight: 700; }
        table { border-collapse: collapse; font-size: 12.5px; }
        th, td { border: 1px solid #d8dee6; padding: 3px 7px; text-align: left; vertical-align: top; }
        th { background: #e8eef6; white-space: nowrap; }
        td.r { text-align: right; }
        tr.droprow td { background: #fdecea; }
        """
}
