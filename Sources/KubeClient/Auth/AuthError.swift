/// Failures obtaining credentials (exec plugins, token files).
public enum AuthError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The plugin executable does not exist or is not executable.
    case pluginNotFound(command: String, installHint: String)
    /// The plugin could not be started.
    case pluginLaunchFailed(command: String, reason: String)
    /// The plugin exited unsuccessfully; `stderr` is what it printed (trimmed, truncated).
    case pluginFailed(command: String, exitCode: Int32?, signal: Int32?, stderr: String)
    /// The plugin's standard output is not a usable ExecCredential.
    case pluginOutputInvalid(command: String, detail: String)
    /// The plugin needs a terminal (interactiveMode Always) and there is none.
    case pluginNeedsTerminal(command: String)
    /// A token file could not be read.
    case tokenFileUnreadable(path: String, reason: String)
    /// The server is `http://` and not on this machine: a token or password is not sent in clear text.
    case insecureServer(server: String)

    /// client-go's explanation printed when a credential plugin is missing.
    public static let installHintHelp = """
        It looks like you are trying to use a client-go credential plugin that is not installed.

        To learn more about this feature, consult the documentation available at:
              https://kubernetes.io/docs/reference/access-authn-authz/authentication/#client-go-credential-plugins
        """

    /// The message shown to the user.
    public var description: String {
        switch self {
        case .pluginNotFound(let command, let hint):
            var text = "getting credentials: exec: executable \(command) not found\n\n\(Self.installHintHelp)"
            if !hint.isEmpty { text += "\n\n\(hint)" }
            return text
        case .pluginLaunchFailed(let command, let reason):
            return "getting credentials: exec: cannot run \(command): \(reason)"
        case .pluginFailed(let command, let code, let signal, let stderr):
            var text = "getting credentials: exec: executable \(command) "
            if let code { text += "failed with exit code \(code)" } else if let signal { text += "was killed by signal \(signal)" } else { text += "failed" }
            if !stderr.isEmpty { text += ": \(stderr)" }
            return text
        case .pluginOutputInvalid(let command, let detail):
            return "getting credentials: exec plugin \(command): \(detail)"
        case .pluginNeedsTerminal(let command):
            return "getting credentials: exec plugin \(command) cannot support interactive mode: standard input is not a terminal"
        case .tokenFileUnreadable(let path, let reason):
            return "cannot read token file \"\(path)\": \(reason)"
        case .insecureServer(let server):
            return "refusing to send credentials to \(server) in clear text: use an https:// server address"
        }
    }
}
