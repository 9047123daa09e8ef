import JSON

/// One document of a YAML (or JSON) stream, converted to JSON the way kubectl does, with the source
/// position of every value so callers can point users at the line to fix.
public struct YAMLDocument: Sendable {
    /// The document's content.
    public var value: JSONValue
    /// 0-based index among the documents returned for the stream (skipped empty documents don't count).
    public var index: Int
    /// 1-based line where the document's content starts.
    public var line: Int
    /// Where each value starts, by JSON path (see `YAMLPath`); `""` is the root. Built on first use.
    public var positions: [String: SourceMark] {
        get { table.marks }
        set { table = PositionTable(dictionary: newValue) }
    }

    private var table: PositionTable

    /// A document with these contents.
    public init(value: JSONValue, index: Int, line: Int, positions: [String: SourceMark]) {
        self.value = value
        self.index = index
        self.line = line
        self.table = PositionTable(dictionary: positions)
    }

    init(value: JSONValue, index: Int, line: Int, table: PositionTable) {
        self.value = value
        self.index = index
        self.line = line
        self.table = table
    }

    /// The mark of `path`, or else of its closest ancestor that has one.
    public func mark(for path: String) -> SourceMark? {
        let marks = table.marks
        if let mark = marks[path] { return mark }
        var components = YAMLPath.components(of: path)
        while !components.isEmpty {
            components.removeLast()
            if let mark = marks[YAMLPath.string(components)] { return mark }
        }
        return nil
    }
}
