/// The flags and positional arguments of one invocation, after parsing.
public struct ParsedArguments: Sendable, Equatable {
    /// Values by long flag name, in the order given.
    public var values: [String: [String]] = [:]
    /// Positional arguments, in order.
    public var positionals: [String] = []
    /// kubectl's deprecation warnings for values given in an old spelling (`--dry-run` alone).
    public var warnings: [String] = []

    public init(positionals: [String] = []) { self.positionals = positionals }

    /// The last value of a value flag.
    public func value(_ name: String) -> String? { values[name]?.last }
    /// Every value of a repeated flag.
    public func all(_ name: String) -> [String] { values[name] ?? [] }
    /// True when the flag was given.
    public func has(_ name: String) -> Bool { values[name] != nil }
    /// A boolean flag's value (false when absent).
    public func bool(_ name: String) -> Bool { values[name]?.last == "true" }
}
