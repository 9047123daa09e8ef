/// Left-aligned columns separated by three spaces, like kubectl's printers; styling is applied
/// after measuring so escape codes do not break alignment.
public struct TableWriter: Sendable {
    public var header: [String]
    public var rows: [[String]] = []

    public init(header: [String]) { self.header = header }

    public mutating func add(_ row: [String]) { rows.append(row) }

    /// The table as text; `style(column, cell)` may colour a cell.
    public func render(style: (Int, String) -> String = { $1 }) -> String {
        var widths = header.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func line(_ cells: [String], styled: Bool) -> String {
            var out = ""
            for (i, cell) in cells.enumerated() {
                let last = i == cells.count - 1
                let text = styled ? style(i, cell) : cell
                out += last ? text : text + String(repeating: " ", count: widths[i] - cell.count + 3)
            }
            return out + "\n"
        }
        return line(header, styled: false) + rows.map { line($0, styled: true) }.joined()
    }
}
