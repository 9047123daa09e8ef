import InplaceCore

/// Everything a running command may touch: its arguments, the terminal, the environment and,
/// on demand, the cluster connection.
public final class CommandContext: Sendable {
    public let command: Command
    public let args: ParsedArguments
    public let global: GlobalOptions
    public let terminal: any Terminal
    public let environment: [String: String]
    /// `kubectl inplace` when run as a kubectl plugin, else the executable's name.
    public let programName: String
    /// Connects to the cluster; injected so tests and the demo can substitute it.
    public let connector: any ClusterConnector

    public init(command: Command, args: ParsedArguments, global: GlobalOptions, terminal: any Terminal,
                environment: [String: String], programName: String, connector: any ClusterConnector) {
        self.command = command
        self.args = args
        self.global = global
        self.terminal = terminal
        self.environment = environment
        self.programName = programName
        self.connector = connector
    }

    /// `kubectl inplace plan`, for messages and hints.
    public var commandPath: String { "\(programName) \(command.name)" }

    /// Styling for stderr (progress, warnings, errors).
    public var errStyle: Style {
        Style.decide(isTTY: terminal.stderrIsTTY, noColorFlag: global.noColor, environment: environment)
    }

    /// Styling for stdout (tables).
    public var outStyle: Style {
        Style.decide(isTTY: terminal.stdoutIsTTY, noColorFlag: global.noColor, environment: environment)
    }

    /// Prints a warning on stderr (unless `--quiet`).
    public func warn(_ message: String) {
        guard !global.quiet else { return }
        terminal.err("\(errStyle.yellow("warning:")) \(message)\n")
    }

    /// Prints an informational line on stderr (unless `--quiet`).
    public func info(_ message: String) {
        guard !global.quiet else { return }
        terminal.err(message + "\n")
    }

    /// The connection once made.
    private let session = Mutex<ClusterSession?>(nil)

    /// The cluster connection, created on first use.
    public func cluster() throws -> ClusterSession {
        try session.withLock { session in
            if let session { return session }
            let s = try connector.connect(global, environment: environment, terminal: terminal)
            session = s
            return s
        }
    }
}
