/// Where something came from in the user's input: file, line and column (1-based; 0 = unknown).
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int
    public var column: Int

    public init(file: String, line: Int = 0, column: Int = 0) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:col`, omitting what is unknown.
    public var description: String {
        var s = file
        if line > 0 { s += ":\(line)" }
        if line > 0 && column > 0 { s += ":\(column)" }
        return s
    }
}
