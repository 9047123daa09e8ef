/// Values from the global command-line flags that override the kubeconfig; nil or empty means
/// "not given" (as with kubectl, `false` cannot override a kubeconfig `true`).
public struct ConfigOverrides: Sendable, Equatable {
    /// `--context`
    public var context: String?
    /// `--cluster`
    public var cluster: String?
    /// `--user`
    public var user: String?
    /// `-n/--namespace`
    public var namespace: String?
    /// `-s/--server`
    public var server: String?
    /// `--token`
    public var token: String?
    /// `--certificate-authority` (a path)
    public var certificateAuthority: String?
    /// `--client-certificate` (a path)
    public var clientCertificate: String?
    /// `--client-key` (a path)
    public var clientKey: String?
    /// `--insecure-skip-tls-verify`
    public var insecureSkipTLSVerify: Bool
    /// `--tls-server-name`
    public var tlsServerName: String?
    /// `--request-timeout` as typed (`0`, `30`, `1m30s`, ...)
    public var requestTimeout: String?
    /// `--username`
    public var username: String?
    /// `--password`
    public var password: String?

    /// Overrides; everything unset by default.
    public init(
        context: String? = nil, cluster: String? = nil, user: String? = nil, namespace: String? = nil,
        server: String? = nil, token: String? = nil, certificateAuthority: String? = nil,
        clientCertificate: String? = nil, clientKey: String? = nil, insecureSkipTLSVerify: Bool = false,
        tlsServerName: String? = nil, requestTimeout: String? = nil, username: String? = nil, password: String? = nil
    ) {
        self.context = context
        self.cluster = cluster
        self.user = user
        self.namespace = namespace
        self.server = server
        self.token = token
        self.certificateAuthority = certificateAuthority
        self.clientCertificate = clientCertificate
        self.clientKey = clientKey
        self.insecureSkipTLSVerify = insecureSkipTLSVerify
        self.tlsServerName = tlsServerName
        self.requestTimeout = requestTimeout
        self.username = username
        self.password = password
    }
}

extension Optional where Wrapped == String {
    /// The value when it is set and not empty.
    var nonEmpty: String? {
        guard let s = self, !s.isEmpty else { return nil }
        return s
    }
}
