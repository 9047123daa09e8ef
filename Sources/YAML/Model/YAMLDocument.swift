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
    /// Where each value starts, by JSON path (see `YAMLPath`); `""` is the root.
    public var positions: [String: SourceMark]

    /// A document with these contents.
    public init(value: JSONValue, index: Int, line: Int, positions: [String: SourceMark]) {
        self.value = value
        self.index = index
        self.line = line
        self.positions = positions
    }

    /// The mark of `path`, or else of its closest ancestor that has one.
    public func mark(for path: String) -> SourceMark? {
        if let mark = positions[path] { return mark }
        var components = YAMLPath.components(of: path)
        while !components.isEmpty {
            components.removeLast()
            if let mark = positions[YAMLPath.string(components)] { return mark }
        }
        return nil
    }
}
