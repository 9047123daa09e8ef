/// A problem with the client configuration (kubeconfig files, flags, in-cluster environment).
/// Messages name the file and field at fault and are meant to be shown as `error: <message>`.
public enum ConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `--kubeconfig` names a file that does not exist.
    case kubeconfigNotFound(path: String)
    /// A kubeconfig file exists but could not be read.
    case kubeconfigUnreadable(path: String, reason: String)
    /// A kubeconfig file could not be parsed, or a field has the wrong type or value.
    case kubeconfigInvalid(path: String, field: String?, reason: String)
    /// A `*-data` field is not valid base64.
    case invalidBase64(path: String, field: String)
    /// The requested or current context is not defined in any kubeconfig file.
    case contextNotFound(name: String, files: [String])
    /// The cluster named by `--cluster` or by the context is not defined.
    case clusterNotFound(name: String, context: String?, files: [String])
    /// The user named by `--user` is not defined.
    case userNotFound(name: String, files: [String])
    /// The selected cluster has no `server`.
    case noServer(cluster: String, files: [String])
    /// No kubeconfig file, no `--server` and not running in a cluster.
    case noConfiguration(searched: [String])
    /// The server URL cannot be used.
    case invalidServer(String, reason: String)
    /// A file named by the configuration (certificate, key, CA, token file) could not be read.
    case unreadableFile(field: String, path: String, owner: String, reason: String)
    /// Two settings that exclude each other are both present.
    case conflictingSettings(owner: String, detail: String)
    /// A client certificate without its key, or a key without a certificate.
    case incompleteClientCertificate(user: String, detail: String)
    /// An `exec` credential plugin entry is not usable.
    case invalidExecConfig(user: String, detail: String)
    /// The user relies on a removed `auth-provider` plugin (gcp, azure, oidc).
    case unsupportedAuthProvider(user: String, provider: String)
    /// `--request-timeout` is not a valid duration.
    case invalidTimeout(String)
    /// The in-cluster service account configuration is incomplete.
    case inCluster(String)

    /// The message shown to the user.
    public var description: String {
        switch self {
        case .kubeconfigNotFound(let path):
            return "kubeconfig file \"\(path)\" (from --kubeconfig) does not exist"
        case .kubeconfigUnreadable(let path, let reason):
            return "cannot read kubeconfig file \"\(path)\": \(reason)"
        case .kubeconfigInvalid(let path, let field, let reason):
            if let field { return "error loading kubeconfig file \"\(path)\": \(field): \(reason)" }
            return "error loading kubeconfig file \"\(path)\": \(reason)"
        case .invalidBase64(let path, let field):
            return "error loading kubeconfig file \"\(path)\": \(field) is not valid base64 data"
        case .contextNotFound(let name, let files):
            return "context \"\(name)\" does not exist (context was not found for specified context: \(name)) in \(Self.fileList(files))"
        case .clusterNotFound(let name, let context, let files):
            if let context {
                return "cluster \"\(name)\" (used by context \"\(context)\") does not exist in \(Self.fileList(files))"
            }
            return "cluster \"\(name)\" does not exist in \(Self.fileList(files))"
        case .userNotFound(let name, let files):
            return "user \"\(name)\" does not exist in \(Self.fileList(files))"
        case .noServer(let cluster, let files):
            let name = cluster.isEmpty ? "the default cluster" : "cluster \"\(cluster)\""
            return "invalid configuration: \(name) has no server defined (in \(Self.fileList(files))); set it in the kubeconfig or pass --server"
        case .noConfiguration(let searched):
            let where_ = searched.isEmpty ? "" : " (looked for \(searched.map { "\"\($0)\"" }.joined(separator: ", ")))"
            return "no configuration has been provided\(where_): set KUBECONFIG, pass --kubeconfig or --server, or run inside a cluster"
        case .invalidServer(let server, let reason):
            return "invalid server URL \"\(server)\": \(reason)"
        case .unreadableFile(let field, let path, let owner, let reason):
            return "unable to read \(field) \"\(path)\" for \(owner): \(reason)"
        case .conflictingSettings(let owner, let detail):
            return "invalid configuration for \(owner): \(detail)"
        case .incompleteClientCertificate(let user, let detail):
            return "invalid configuration for user \"\(user)\": \(detail)"
        case .invalidExecConfig(let user, let detail):
            return "invalid exec credential plugin configuration for user \"\(user)\": \(detail)"
        case .unsupportedAuthProvider(let user, let provider):
            return "user \"\(user)\" uses the \"\(provider)\" auth-provider, which is not supported (it was removed from kubectl); configure an exec credential plugin instead"
        case .invalidTimeout(let value):
            return "invalid --request-timeout \"\(value)\": must be a single integer in seconds, or an integer followed by a unit (e.g. 1s | 2m | 3h)"
        case .inCluster(let detail):
            return "unable to load in-cluster configuration: \(detail)"
        }
    }

    private static func fileList(_ files: [String]) -> String {
        if files.isEmpty { return "the configuration" }
        if files.count == 1 { return "kubeconfig \"\(files[0])\"" }
        return "kubeconfig files " + files.map { "\"\($0)\"" }.joined(separator: ", ")
    }
}
