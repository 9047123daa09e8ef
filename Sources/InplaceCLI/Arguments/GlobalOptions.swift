import InplaceCore
import KubeClient
import KubeFormats

/// The connection and output flags every command takes, with kubectl's names and meanings. The
/// connection flags are the client's own overrides, handed to it as they are.
public struct GlobalOptions: Sendable, Equatable {
    /// `--kubeconfig`.
    public var kubeconfig: String?
    /// `--context`, `--cluster`, `--user`, `-n`, `-s`, `--token`, TLS files, `--request-timeout`.
    public var connection = ConfigOverrides()
    public var verbosity = 0
    public var noColor = false
    public var quiet = false

    public init() {}

    /// `-n/--namespace`, when given.
    public var namespace: String? {
        get { connection.namespace }
        set { connection.namespace = newValue }
    }

    /// The flags, for parsing and help.
    public static let flags: [FlagSpec] = [
        FlagSpec("kubeconfig", valueName: "PATH", help: "Path to the kubeconfig file to use."),
        FlagSpec("context", valueName: "NAME", help: "The kubeconfig context to use."),
        FlagSpec("cluster", valueName: "NAME", help: "The kubeconfig cluster to use."),
        FlagSpec("user", valueName: "NAME", help: "The kubeconfig user to use."),
        FlagSpec("namespace", short: "n", valueName: "NS", help: "The namespace (default: the context's, else \"default\")."),
        FlagSpec("server", short: "s", valueName: "URL", help: "The address and port of the Kubernetes API server."),
        FlagSpec("token", valueName: "TOKEN", help: "Bearer token for authentication to the API server."),
        FlagSpec("certificate-authority", valueName: "PATH", help: "Path to a cert file for the certificate authority."),
        FlagSpec("client-certificate", valueName: "PATH", help: "Path to a client certificate file for TLS."),
        FlagSpec("client-key", valueName: "PATH", help: "Path to a client key file for TLS."),
        FlagSpec("insecure-skip-tls-verify", kind: .bool, help: "Do not verify the server's certificate (insecure)."),
        FlagSpec("tls-server-name", valueName: "NAME", help: "Server name to use for certificate validation."),
        FlagSpec("request-timeout", valueName: "DUR", default: "0",
                 help: "How long to wait for a single request (e.g. 5s, 1m); 0 waits forever."),
        FlagSpec("v", short: "v", valueName: "LEVEL", default: "0",
                 help: "Log level; 6 and up traces requests (secrets are always redacted)."),
        FlagSpec("no-color", kind: .bool, help: "Never colour the output (also NO_COLOR, TERM=dumb)."),
        FlagSpec("quiet", short: "q", kind: .bool, help: "Only print errors and the final result."),
        FlagSpec("help", short: "h", kind: .bool, help: "Show help for the command."),
    ]

    /// Reads the global flags out of parsed arguments.
    public init(_ args: ParsedArguments, command: String) throws(CLIError) {
        kubeconfig = args.value("kubeconfig")
        connection = ConfigOverrides(
            context: args.value("context"), cluster: args.value("cluster"), user: args.value("user"),
            namespace: args.value("namespace"), server: args.value("server"), token: args.value("token"),
            certificateAuthority: args.value("certificate-authority"), clientCertificate: args.value("client-certificate"),
            clientKey: args.value("client-key"), insecureSkipTLSVerify: args.bool("insecure-skip-tls-verify"),
            tlsServerName: args.value("tls-server-name"))
        noColor = args.bool("no-color")
        quiet = args.bool("quiet")
        if let t = args.value("request-timeout") {
            guard let s = GoDuration.seconds(t) ?? Double(t) else {
                throw .usage("invalid argument \"\(t)\" for \"--request-timeout\": use a duration such as 30s or 1m", command: command)
            }
            connection.requestTimeout = s > 0 ? "\(s)s" : nil
        }
        if let v = args.value("v") {
            guard let level = Int(v), level >= 0 else {
                throw .usage("invalid argument \"\(v)\" for \"-v, --v\": expected a number", command: command)
            }
            verbosity = level
        }
        if let ns = namespace, ns.isEmpty {
            throw .usage("--namespace must not be empty", command: command)
        }
    }
}
