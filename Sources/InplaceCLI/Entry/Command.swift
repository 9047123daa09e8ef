/// One command of the tool: its help and what it runs.
public struct Command: Sendable {
    /// The words after the program name (`plan`, `set image`).
    public var name: String
    /// One line for the command list.
    public var summary: String
    /// Paragraphs for `--help`.
    public var description: String
    /// The synopsis after the program name.
    public var usage: String
    /// (comment, command line without the program name) pairs.
    public var examples: [(String, String)]
    /// The command's own flags (global flags are added to every command).
    public var flags: [FlagSpec]
    /// True for commands that talk to a cluster (they take the connection flags).
    public var usesCluster: Bool
    /// Hidden from help and completion (internal helpers).
    public var hidden: Bool
    /// Runs the command.
    public var run: @Sendable (CommandContext) throws -> ExitCode

    public init(name: String, summary: String, description: String, usage: String,
                examples: [(String, String)] = [], flags: [FlagSpec] = [], usesCluster: Bool = true,
                hidden: Bool = false, run: @escaping @Sendable (CommandContext) throws -> ExitCode) {
        self.name = name
        self.summary = summary
        self.description = description
        self.usage = usage
        self.examples = examples
        self.flags = flags
        self.usesCluster = usesCluster
        self.hidden = hidden
        self.run = run
    }

    /// Every flag the command parses: its own, then the global ones it does not shadow.
    public var allFlags: [FlagSpec] {
        let own = Set(flags.map(\.name))
        let globals = GlobalOptions.flags.filter { !own.contains($0.name) && (usesCluster || Self.localGlobals.contains($0.name)) }
        return flags + globals
    }

    /// Global flags that make sense without a cluster.
    static let localGlobals: Set<String> = ["v", "no-color", "quiet", "help"]
}
