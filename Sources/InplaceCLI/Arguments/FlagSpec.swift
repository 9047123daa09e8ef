/// One flag a command accepts, with kubectl's (pflag's) spelling rules.
public struct FlagSpec: Sendable {
    /// How the flag takes its value.
    public enum Kind: Sendable, Equatable {
        /// `--flag`, `--flag=true|false`.
        case bool
        /// `--flag VALUE` or `--flag=VALUE`; the last one wins.
        case value
        /// Like `.value` but every occurrence is kept (`-f a -f b`).
        case repeated
    }

    /// The long name without dashes (`namespace`).
    public var name: String
    /// The one-letter short name, if any (`n`).
    public var short: Character?
    public var kind: Kind
    /// What the value is called in help (`NS`).
    public var valueName: String
    /// The default shown in help, if any.
    public var defaultValue: String?
    public var help: String
    /// Hidden from help (aliases such as `--v`).
    public var hidden: Bool

    public init(_ name: String, short: Character? = nil, kind: Kind = .value, valueName: String = "",
                default defaultValue: String? = nil, hidden: Bool = false, help: String) {
        self.name = name
        self.short = short
        self.kind = kind
        self.valueName = valueName
        self.defaultValue = defaultValue
        self.help = help
        self.hidden = hidden
    }
}
