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
    /// True for commands that talk to a cluster (their help lists the connection flags).
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

    /// Every flag the command parses: its own, then the global ones it does not shadow (every command
    /// takes every global flag, as kubectl's persistent flags).
    public var allFlags: [FlagSpec] { flags + globalFlags }

    /// The global flags the command takes (those it does not shadow with one of its own).
    public var globalFlags: [FlagSpec] {
        let own = Set(flags.map(\.name))
        return GlobalOptions.flags.filter { !own.contains($0.name) }
    }

    /// The global flags its help lists: the connection flags only where the command talks to a cluster.
    public var helpGlobalFlags: [FlagSpec] {
        globalFlags.filter { !$0.hidden && (usesCluster || Self.localGlobals.contains($0.name)) }
    }

    /// Global flags that make sense without a cluster.
    static let localGlobals: Set<String> = ["v", "no-color", "quiet", "help"]
}
