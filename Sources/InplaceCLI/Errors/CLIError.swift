/// Errors of the command line itself, each with the exit code it ends the program with.
public enum CLIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A flag or argument problem; `command` is used for the "See ... --help" hint.
    case usage(String, command: String)
    /// A file or input that cannot be read.
    case input(String)
    /// Someone else holds the workload, or it changed so that the plan is void (exit 5).
    case conflict(String)
    /// An error already shown to the user that only carries an exit code.
    case exit(ExitCode)

    public var description: String {
        switch self {
        case let .usage(message, _): return message
        case let .input(message): return message
        case let .conflict(message): return message
        case .exit(let code): return "exit \(code.rawValue)"
        }
    }

    /// The exit code for this error.
    public var exitCode: ExitCode {
        switch self {
        case .usage, .input: return .usage
        case .conflict: return .conflict
        case .exit(let code): return code
        }
    }
}
