import InplaceCore
import JSON
import KubeClient
import YAML

/// Connects through kubeconfig (or in-cluster config) exactly as kubectl resolves it.
public struct KubeConnector: ClusterConnector {
    public init() {}

    public func connect(_ options: GlobalOptions, environment: [String: String], terminal: any Terminal) throws -> ClusterSession {
        var env = Environment.current()
        env.variables = environment
        if let dir = environment[Self.serviceAccountDirectoryVariable], !dir.isEmpty { env.serviceAccountDirectory = dir }
        let config = try ClientConfig.load(kubeconfigPath: options.kubeconfig, overrides: options.connection, environment: env,
                                           parser: Self.yamlParser)
        let client = try KubeClient(config: config, options: KubeClientOptions(
            userAgent: "kubectl-inplace/\(Version.current)", verbosity: options.verbosity,
            logSink: { line in terminal.err(line + "\n") }, environment: env, trace: ClientTrace.from(environment: environment)))
        for warning in config.warnings where !options.quiet { terminal.err("warning: \(warning)\n") }
        let counter = client.requestCounter
        return ClusterSession(namespace: config.namespace, namespaceFromFlag: options.namespace != nil,
                              cluster: LiveCluster(client: client), requestCounts: { counter.snapshot },
                              setDeadline: { [deadline = client.retryDeadline] in deadline.set(secondsFromNow: $0) })
    }

    public func contextNames(_ options: GlobalOptions, environment: [String: String]) -> [String] {
        var env = Environment.current()
        env.variables = environment
        let loader = KubeconfigLoader(environment: env, parser: Self.yamlParser)
        return ((try? loader.load(explicitPath: options.kubeconfig))?.contexts.keys).map { $0.sorted() } ?? []
    }

    /// For tests only: replaces `/var/run/secrets/kubernetes.io/serviceaccount` as the directory the
    /// in-cluster configuration reads `token`, `ca.crt` and `namespace` from, so the end-to-end tests
    /// can run the binary in-cluster without root. It grants nothing `KUBECONFIG` does not already.
    public static let serviceAccountDirectoryVariable = "KUBECTL_INPLACE_SERVICE_ACCOUNT_DIR"

    /// Kubeconfig files are YAML (JSON is YAML too).
    static let yamlParser: KubeconfigParser = { bytes, path in
        do {
            return try YAML.documents(from: bytes, fileName: path).first?.value ?? .emptyObject
        } catch {
            throw error
        }
    }
}
