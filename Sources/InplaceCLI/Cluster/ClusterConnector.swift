import InplaceCore

/// Opens a session with the cluster from the connection flags; the real one uses kubeconfig and
/// the Kubernetes client, tests may substitute it.
public protocol ClusterConnector: Sendable {
    /// Resolves configuration and returns a ready session (no request is made yet).
    func connect(_ options: GlobalOptions, environment: [String: String], terminal: any Terminal) throws -> ClusterSession
    /// The kubeconfig's context names (for completion).
    func contextNames(_ options: GlobalOptions, environment: [String: String]) -> [String]
}

extension ClusterConnector {
    /// No kubeconfig: no contexts.
    public func contextNames(_ options: GlobalOptions, environment: [String: String]) -> [String] { [] }
}

/// A connected cluster: the resolved default namespace and the operations commands use.
public final class ClusterSession: Sendable {
    /// The namespace from `-n`, else the context's, else `default`.
    public let namespace: String
    /// True when `-n` was given (a manifest in another namespace is then an error).
    public let namespaceFromFlag: Bool
    /// The cluster operations.
    public let cluster: any ClusterAPI
    /// Requests made so far, by HTTP method (for summaries).
    public let requestCounts: @Sendable () -> [String: Int]
    /// Stops the client retrying requests `seconds` from now (the command's `--timeout`); nil: never.
    public let setDeadline: @Sendable (Double?) -> Void

    public init(namespace: String, namespaceFromFlag: Bool, cluster: any ClusterAPI,
                requestCounts: @escaping @Sendable () -> [String: Int], setDeadline: @escaping @Sendable (Double?) -> Void = { _ in }) {
        self.namespace = namespace
        self.namespaceFromFlag = namespaceFromFlag
        self.cluster = cluster
        self.requestCounts = requestCounts
        self.setDeadline = setDeadline
    }
}
