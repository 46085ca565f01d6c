/// `lvssim trace --format text`: the hops as an aligned table for a terminal.
///
/// Columns: `#`, `t (ms)` (milliseconds with microsecond precision), `link`,
/// `from → to` (a broadcast's receiver is "(broadcast)"), `src MAC → dst MAC`, `src IP:port → dst IP:port` (for ARP
/// the question or answer), `proto` (with the TCP flags), `outer` (the IPIP
/// header or `-`), `rewritten` (the field names or `-`) and `note`. A value
/// the sending host rewrote on this hop carries a `*` right after it; a
/// legend under the table says so. Every column starts at the same offset on
/// every line (widths are counted in characters; `→` is one).
public enum TraceTextRenderer {
    /// The marker written after a rewritten value.
    public static let marker = "*"

    /// The legend line printed under the table.
    public static let legend =
        "* = value rewritten by the sending host on this hop; \"rewritten\" lists every changed field (TTL and checksums included)"

    /// The table, a blank line and the legend, each line ending in "\n".
    /// With `emphasis`, rewritten values are also bold (ANSI SGR 1), for a
    /// terminal; the layout is the same.
    public static func render(_ hops: [PacketHop], emphasis: Bool = false) -> String {
        typealias Piece = TraceRenderSupport.Piece
        let header: [[Piece]] = [
            "#", "t (ms)", "link", "from → to", "src MAC → dst MAC", "src → dst", "proto", "outer", "rewritten", "note",
        ].map { [Piece($0)] }
        var rows: [[[Piece]]] = [header]
        for (index, hop) in hops.enumerated() {
            let outer = TraceRenderSupport.outerPieces(hop)
            let rewritten = TraceRenderSupport.rewrittenList(hop)
            rows.append([
                [Piece(String(index + 1))],
                [Piece(TraceRenderSupport.milliseconds(hop.timeNanoseconds))],
                [Piece(hop.link)],
                [Piece(TraceRenderSupport.hostPair(hop))],
                TraceRenderSupport.macPieces(hop),
                TraceRenderSupport.addressPieces(hop),
                [Piece(TraceRenderSupport.protoLabel(hop))],
                outer.isEmpty ? [Piece("-")] : outer,
                [Piece(rewritten.isEmpty ? "-" : rewritten)],
                [Piece(hop.note)],
            ])
        }
        func width(_ cell: [Piece]) -> Int {
            cell.reduce(0) { $0 + $1.text.count + ($1.rewritten ? marker.count : 0) }
        }
        let columns = header.count
        var widths = Array(repeating: 0, count: columns)
        for row in rows {
            for column in 0..<columns { widths[column] = max(widths[column], width(row[column])) }
        }
        // The first two columns are numbers: right-aligned.
        let rightAligned: Set<Int> = [0, 1]
        var out = ""
        for row in rows {
            var line = ""
            for column in 0..<columns {
                let cell = row[column]
                var text = ""
                for piece in cell {
                    if piece.rewritten {
                        text += emphasis ? "\u{1B}[1m\(piece.text)\(marker)\u{1B}[0m" : piece.text + marker
                    } else {
                        text += piece.text
                    }
                }
                let gap = String(repeating: " ", count: widths[column] - width(cell))
                if column > 0 { line += "  " }
                line += rightAligned.contains(column) ? gap + text : text + gap
            }
            while line.last == " " { line.removeLast() }
            out += line + "\n"
        }
        out += "\n" + legend + "\n"
        return out
    }
}
