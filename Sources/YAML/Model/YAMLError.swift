/// A YAML document could not be read: syntax errors reported by libyaml, and the conversion errors
/// kubectl reports (duplicate keys, unknown anchors, excessive aliasing, values JSON cannot hold).
public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file name given to the parser (or `-` for stdin, as the caller chose).
    public var file: String
    /// 1-based line of the problem.
    public var line: Int
    /// 1-based column of the problem.
    public var column: Int
    /// What is wrong, in libyaml's or kubectl's words.
    public var message: String

    /// An error at this position.
    public init(file: String, line: Int, column: Int, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `FILE:LINE:COL: MESSAGE`.
    public var description: String { "\(file):\(line):\(column): \(message)" }
}
