/// A kubeconfig `exec` credential plugin entry (client.authentication.k8s.io v1 or v1beta1).
public struct ExecConfig: Sendable, Equatable {
    /// Whether the plugin may read standard input.
    public enum InteractiveMode: String, Sendable, Equatable {
        case never = "Never"
        case ifAvailable = "IfAvailable"
        case always = "Always"
    }

    /// One extra environment variable for the plugin.
    public struct EnvVar: Sendable, Equatable {
        /// Variable name.
        public var name: String
        /// Variable value.
        public var value: String
        /// A variable.
        public init(name: String, value: String) { self.name = name; self.value = value }
    }

    /// `client.authentication.k8s.io/v1`.
    public static let v1 = "client.authentication.k8s.io/v1"
    /// `client.authentication.k8s.io/v1beta1`.
    public static let v1beta1 = "client.authentication.k8s.io/v1beta1"

    /// The program to run: a name looked up on PATH, or a path.
    public var command: String
    /// Its arguments.
    public var args: [String]
    /// Variables added to the caller's environment.
    public var env: [EnvVar]
    /// The ExecCredential API version exchanged with the plugin.
    public var apiVersion: String
    /// Shown to the user when the plugin is not installed.
    public var installHint: String
    /// Whether `KUBERNETES_EXEC_INFO` carries `spec.cluster`.
    public var provideClusterInfo: Bool
    /// Interactivity; nil when unset (v1beta1 defaults it to IfAvailable, v1 requires it).
    public var interactiveMode: InteractiveMode?

    /// A plugin entry.
    public init(
        command: String, args: [String] = [], env: [EnvVar] = [], apiVersion: String,
        installHint: String = "", provideClusterInfo: Bool = false, interactiveMode: InteractiveMode? = nil
    ) {
        self.command = command
        self.args = args
        self.env = env
        self.apiVersion = apiVersion
        self.installHint = installHint
        self.provideClusterInfo = provideClusterInfo
        self.interactiveMode = interactiveMode
    }

    /// The interactive mode after client-go's defaulting (IfAvailable for v1beta1 when unset).
    public var effectiveInteractiveMode: InteractiveMode? {
        if let interactiveMode { return interactiveMode }
        return apiVersion == Self.v1beta1 ? .ifAvailable : nil
    }

    /// Problems that make the entry unusable, in client-go's validation order.
    public func validationProblems() -> [String] {
        var problems: [String] = []
        if command.isEmpty { problems.append("command must be specified to use an exec authentication plugin") }
        if apiVersion.isEmpty {
            problems.append("apiVersion must be specified to use an exec authentication plugin")
        } else if apiVersion != Self.v1 && apiVersion != Self.v1beta1 {
            problems.append("exec plugin: invalid apiVersion \"\(apiVersion)\" (supported: \(Self.v1), \(Self.v1beta1))")
        }
        for variable in env where variable.name.isEmpty {
            _ = variable
            problems.append("env variable name must be specified to use an exec authentication plugin")
        }
        if effectiveInteractiveMode == nil {
            problems.append("interactiveMode must be specified to use an exec authentication plugin (Never, IfAvailable or Always)")
        }
        return problems
    }
}
