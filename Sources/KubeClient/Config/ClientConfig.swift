import JSON

/// TLS material and verification settings, with all files already read into memory.
public struct TLSConfig: Sendable, Equatable {
    /// PEM CA bundle; nil means the system trust store.
    public var caPEM: [UInt8]?
    /// PEM client certificate (chain).
    public var clientCertificatePEM: [UInt8]?
    /// PEM client private key.
    public var clientKeyPEM: [UInt8]?
    /// Skip server certificate verification.
    public var insecureSkipVerify: Bool
    /// Name used for SNI and certificate verification instead of the server URL's host.
    public var serverName: String?

    /// TLS settings; verification on, system roots, no client certificate by default.
    public init(
        caPEM: [UInt8]? = nil, clientCertificatePEM: [UInt8]? = nil, clientKeyPEM: [UInt8]? = nil,
        insecureSkipVerify: Bool = false, serverName: String? = nil
    ) {
        self.caPEM = caPEM
        self.clientCertificatePEM = clientCertificatePEM
        self.clientKeyPEM = clientKeyPEM
        self.insecureSkipVerify = insecureSkipVerify
        self.serverName = serverName
    }
}

/// How requests authenticate (besides a TLS client certificate).
public struct Credentials: Sendable, Equatable {
    /// A static bearer token.
    public var bearerToken: String?
    /// A file holding the bearer token, re-read about once a minute (service account tokens rotate).
    public var tokenFile: String?
    /// HTTP basic auth user name.
    public var username: String?
    /// HTTP basic auth password.
    public var password: String?
    /// A credential plugin, used when there is no token and no basic auth.
    public var exec: ExecConfig?
    /// `spec.cluster` for the plugin's `KUBERNETES_EXEC_INFO` when `provideClusterInfo` is set.
    public var execClusterInfo: JSONValue?
    /// `Impersonate-User`.
    public var impersonateUser: String?
    /// `Impersonate-Group` values.
    public var impersonateGroups: [String]

    /// Credentials; none by default.
    public init(
        bearerToken: String? = nil, tokenFile: String? = nil, username: String? = nil, password: String? = nil,
        exec: ExecConfig? = nil, execClusterInfo: JSONValue? = nil, impersonateUser: String? = nil,
        impersonateGroups: [String] = []
    ) {
        self.bearerToken = bearerToken
        self.tokenFile = tokenFile
        self.username = username
        self.password = password
        self.exec = exec
        self.execClusterInfo = execClusterInfo
        self.impersonateUser = impersonateUser
        self.impersonateGroups = impersonateGroups
    }

    /// True when nothing authenticates requests.
    public var isEmpty: Bool {
        bearerToken == nil && tokenFile == nil && username == nil && password == nil && exec == nil
    }
}

/// A fully resolved connection configuration: what the kubeconfig, flags or the in-cluster
/// environment say, ready for `KubeClient`.
public struct ClientConfig: Sendable, Equatable {
    /// Where the configuration came from.
    public enum Source: Sendable, Equatable {
        case kubeconfig(files: [String])
        case inCluster
    }

    /// Base URL of the API server, without a trailing slash (may carry a path prefix).
    public var server: String
    /// The namespace to use when none is given for a request.
    public var namespace: String
    /// True when the namespace came from `--namespace`.
    public var namespaceIsExplicit: Bool
    /// TLS settings.
    public var tls: TLSConfig
    /// Request authentication.
    public var credentials: Credentials
    /// Proxy for all requests (`proxy-url`).
    public var proxyURL: String?
    /// Do not ask for compressed responses.
    public var disableCompression: Bool
    /// Per-request timeout (`--request-timeout`); nil means none.
    public var requestTimeout: Duration?
    /// The kubeconfig context used (nil in-cluster or when unnamed).
    public var contextName: String?
    /// The kubeconfig cluster used.
    public var clusterName: String?
    /// The kubeconfig user used.
    public var userName: String?
    /// Origin of this configuration.
    public var source: Source
    /// Things worth telling the user (e.g. credentials not sent over plain HTTP).
    public var warnings: [String]

    /// A configuration given directly (tests, or callers that build their own).
    public init(
        server: String, namespace: String = "default", namespaceIsExplicit: Bool = false,
        tls: TLSConfig = TLSConfig(), credentials: Credentials = Credentials(), proxyURL: String? = nil,
        disableCompression: Bool = false, requestTimeout: Duration? = nil, contextName: String? = nil,
        clusterName: String? = nil, userName: String? = nil, source: Source = .kubeconfig(files: []),
        warnings: [String] = []
    ) {
        self.server = server
        self.namespace = namespace
        self.namespaceIsExplicit = namespaceIsExplicit
        self.tls = tls
        self.credentials = credentials
        self.proxyURL = proxyURL
        self.disableCompression = disableCompression
        self.requestTimeout = requestTimeout
        self.contextName = contextName
        self.clusterName = clusterName
        self.userName = userName
        self.source = source
        self.warnings = warnings
    }

    /// Loads the kubeconfig files by client-go's rules, applies the flag overrides, and falls back
    /// to the in-cluster service account when there is no usable kubeconfig.
    public static func load(
        kubeconfigPath: String? = nil, overrides: ConfigOverrides = ConfigOverrides(),
        environment: Environment = .current(), parser: @escaping KubeconfigParser = KubeconfigLoader.jsonParser
    ) throws(ConfigError) -> ClientConfig {
        let loader = KubeconfigLoader(environment: environment, parser: parser)
        let kubeconfig = try loader.load(explicitPath: kubeconfigPath)
        let resolver = ClientConfigResolver(environment: environment)
        return try resolver.resolve(
            kubeconfig, overrides: overrides, searched: loader.precedence(explicitPath: kubeconfigPath))
    }
}
