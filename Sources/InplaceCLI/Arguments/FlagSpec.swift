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
    /// The value a bare `--flag` stands for (pflag's NoOptDefVal); a value must then be given as
    /// `--flag=VALUE`. Booleans stand for `true`.
    public var bareValue: String?
    /// Deprecated spellings of values: the value as given → (the value it means, kubectl's warning).
    public var deprecatedValues: [String: (means: String, warning: String)]
    /// What the value 0 means, where it means something other than none of it (`no limit`).
    public var zeroMeans: String?

    public init(_ name: String, short: Character? = nil, kind: Kind = .value, valueName: String = "",
                default defaultValue: String? = nil, hidden: Bool = false, bareValue: String? = nil,
                deprecatedValues: [String: (means: String, warning: String)] = [:], zeroMeans: String? = nil, help: String) {
        self.name = name
        self.short = short
        self.kind = kind
        self.valueName = valueName
        self.defaultValue = defaultValue
        self.help = help
        self.hidden = hidden
        self.bareValue = kind == .bool ? "true" : bareValue
        self.deprecatedValues = deprecatedValues
        self.zeroMeans = zeroMeans
    }

    /// The help text with what 0 means, as help and the man page show it.
    public var fullHelp: String { zeroMeans.map { "\(help) 0: \($0)." } ?? help }

    /// True when `--flag` alone is complete, so the next word is not its value.
    public var takesNoSeparateValue: Bool { bareValue != nil }

    /// `-o, --output` or `--output`, as pflag names a flag in its errors.
    public var displayName: String { short.map { "-\($0), --\(name)" } ?? "--\(name)" }

    /// kubectl's `--dry-run`: `none|client|server`, a bare `--dry-run` and the old booleans still
    /// accepted with kubectl's deprecation warnings.
    public static func dryRun(help: String) -> FlagSpec {
        FlagSpec("dry-run", valueName: "none|client|server", default: "none", bareValue: "unchanged",
                 deprecatedValues: [
                     "unchanged": ("client", "--dry-run is deprecated and can be replaced with --dry-run=client."),
                     "true": ("client", "--dry-run=true is deprecated (boolean value) and can be replaced with --dry-run=client."),
                     "false": ("none", "--dry-run=false is deprecated (boolean value) and can be replaced with --dry-run=none."),
                 ],
                 help: help)
    }
}
