import JSON
import KubeFormats

/// Applies flag overrides to a merged kubeconfig and produces a `ClientConfig`, following
/// client-go's DirectClientConfig and DeferredLoadingClientConfig.
public struct ClientConfigResolver: Sendable {
    /// Source of files (certificates, token files) and of the in-cluster environment.
    public var environment: Environment

    /// A resolver reading through `environment`.
    public init(environment: Environment) { self.environment = environment }

    /// Resolves the context, cluster and user in effect. `searched` lists the files the loading
    /// rules looked at (for the "no configuration" message).
    public func resolve(_ kc: Kubeconfig, overrides: ConfigOverrides, searched: [String] = []) throws(ConfigError) -> ClientConfig {
        let files = kc.files
        let timeout = try RequestTimeout.parse(overrides.requestTimeout)

        let contextName = overrides.context.nonEmpty ?? kc.currentContext
        var context = KubeconfigContext()
        if !contextName.isEmpty {
            guard let found = kc.contexts[contextName] else { throw .contextNotFound(name: contextName, files: files) }
            context = found
        }
        if let c = overrides.cluster.nonEmpty { context.cluster = c }
        if let u = overrides.user.nonEmpty { context.user = u }
        if let n = overrides.namespace.nonEmpty { context.namespace = n }

        var user = KubeconfigUser()
        if !context.user.isEmpty {
            if let found = kc.users[context.user] {
                user = found
            } else if overrides.user.nonEmpty != nil {
                throw .userNotFound(name: context.user, files: files)
            }
        }

        var cluster = KubeconfigCluster()
        var missingCluster: String? = nil
        if !context.cluster.isEmpty {
            if let found = kc.clusters[context.cluster] {
                cluster = found
            } else if overrides.cluster.nonEmpty != nil {
                throw .clusterNotFound(name: context.cluster, context: nil, files: files)
            } else {
                missingCluster = context.cluster
            }
        }

        if cluster.isEmpty && overrides.server.nonEmpty == nil {
            if InClusterConfig.isPossible(environment) {
                return try InClusterConfig.load(environment, overrides: overrides, timeout: timeout)
            }
            if let missingCluster {
                throw .clusterNotFound(name: missingCluster, context: contextName.isEmpty ? nil : contextName, files: files)
            }
            if files.isEmpty || (kc.clusters.isEmpty && kc.contexts.isEmpty) {
                throw .noConfiguration(searched: searched)
            }
            throw .noServer(cluster: context.cluster, files: files)
        }

        try applyClusterOverrides(&cluster, overrides)
        let clusterOwner = context.cluster.isEmpty ? "the cluster" : "cluster \"\(context.cluster)\""
        if cluster.server.isEmpty { throw .noServer(cluster: context.cluster, files: files) }

        var tls = TLSConfig(insecureSkipVerify: cluster.insecureSkipTLSVerify)
        tls.serverName = cluster.tlsServerName.isEmpty ? nil : cluster.tlsServerName
        if !cluster.certificateAuthority.isEmpty && cluster.certificateAuthorityData != nil {
            throw .conflictingSettings(owner: clusterOwner, detail: "certificate-authority-data and certificate-authority are both specified")
        }
        if let data = cluster.certificateAuthorityData {
            tls.caPEM = data
        } else if !cluster.certificateAuthority.isEmpty {
            tls.caPEM = try read(cluster.certificateAuthority, field: "certificate-authority", owner: clusterOwner)
        }
        if tls.caPEM != nil && tls.insecureSkipVerify {
            throw .conflictingSettings(owner: clusterOwner, detail: "specifying a root certificates file with the insecure flag (insecure-skip-tls-verify) is not allowed")
        }

        applyUserOverrides(&user, overrides)
        let userLabel = context.user.isEmpty ? "(default)" : context.user
        let userOwner = "user \"\(userLabel)\""
        var credentials = Credentials()
        var methods: [String] = []
        if !user.token.isEmpty { methods.append("token") }
        if !user.username.isEmpty || !user.password.isEmpty { methods.append("basicAuth") }
        if methods.count > 1 {
            throw .conflictingSettings(owner: userOwner, detail: "more than one authentication method found (\(methods.joined(separator: ", "))); only one is allowed")
        }
        if let provider = user.authProviderName, user.token.isEmpty {
            throw .unsupportedAuthProvider(user: userLabel, provider: provider)
        }
        if !user.token.isEmpty {
            credentials.bearerToken = user.token
        } else if !user.tokenFile.isEmpty {
            let bytes = try read(user.tokenFile, field: "tokenFile", owner: userOwner)
            credentials.bearerToken = String(decoding: bytes, as: UTF8.self)
            credentials.tokenFile = user.tokenFile
        }
        if !user.username.isEmpty || !user.password.isEmpty {
            credentials.username = user.username
            credentials.password = user.password
        }
        if !user.clientCertificate.isEmpty || user.clientCertificateData != nil {
            if !user.clientCertificate.isEmpty && user.clientCertificateData != nil {
                throw .conflictingSettings(owner: userOwner, detail: "client-certificate-data and client-certificate are both specified")
            }
            if !user.clientKey.isEmpty && user.clientKeyData != nil {
                throw .conflictingSettings(owner: userOwner, detail: "client-key-data and client-key are both specified")
            }
            if user.clientKey.isEmpty && user.clientKeyData == nil {
                throw .incompleteClientCertificate(user: userLabel, detail: "client-key-data or client-key must be specified to use the client certificate")
            }
            if let data = user.clientCertificateData {
                tls.clientCertificatePEM = data
            } else {
                tls.clientCertificatePEM = try read(user.clientCertificate, field: "client-certificate", owner: userOwner)
            }
            if let data = user.clientKeyData {
                tls.clientKeyPEM = data
            } else {
                tls.clientKeyPEM = try read(user.clientKey, field: "client-key", owner: userOwner)
            }
        }
        if let exec = user.exec {
            if let bad = user.invalidInteractiveMode {
                throw .invalidExecConfig(user: userLabel, detail: "invalid interactiveMode \"\(bad)\" (expected Never, IfAvailable or Always)")
            }
            if let problem = exec.validationProblems().first { throw .invalidExecConfig(user: userLabel, detail: problem) }
            if credentials.bearerToken == nil && credentials.username == nil {
                credentials.exec = exec
            }
        }
        if !user.impersonate.isEmpty { credentials.impersonateUser = user.impersonate }
        credentials.impersonateGroups = user.impersonateGroups

        let url = try ServerURL.parse(
            cluster.server, defaultTLS: tls.caPEM != nil || tls.clientCertificatePEM != nil || tls.insecureSkipVerify)
        var warnings: [String] = []
        if url.scheme != "https" {
            if !credentials.isEmpty || tls.clientCertificatePEM != nil || credentials.impersonateUser != nil {
                warnings.append("the server \(url.base) is not https: credentials are not sent (as kubectl does)")
            }
            credentials = Credentials()
            tls.clientCertificatePEM = nil
            tls.clientKeyPEM = nil
        }
        if let exec = credentials.exec, exec.provideClusterInfo {
            credentials.execClusterInfo = execClusterInfo(cluster, server: url.base, ca: tls.caPEM)
        }

        let namespace: String
        if let n = context.namespace.isEmpty ? nil : context.namespace {
            namespace = n
        } else if InClusterConfig.isPossible(environment) {
            namespace = InClusterConfig.namespace(environment)
        } else {
            namespace = "default"
        }
        return ClientConfig(
            server: url.base, namespace: namespace, namespaceIsExplicit: overrides.namespace.nonEmpty != nil,
            tls: tls, credentials: credentials, proxyURL: cluster.proxyURL.isEmpty ? nil : cluster.proxyURL,
            disableCompression: cluster.disableCompression, requestTimeout: timeout,
            contextName: contextName.isEmpty ? nil : contextName,
            clusterName: context.cluster.isEmpty ? nil : context.cluster,
            userName: context.user.isEmpty ? nil : context.user,
            source: .kubeconfig(files: files), warnings: warnings)
    }

    /// client-go's getCluster override rules: a CA or insecure flag replaces all CA settings;
    /// `--server` or `--tls-server-name` replaces the kubeconfig's tls-server-name.
    private func applyClusterOverrides(_ cluster: inout KubeconfigCluster, _ o: ConfigOverrides) throws(ConfigError) {
        if let s = o.server.nonEmpty { cluster.server = s }
        let ca = o.certificateAuthority.nonEmpty
        if o.insecureSkipTLSVerify || ca != nil {
            cluster.insecureSkipTLSVerify = o.insecureSkipTLSVerify
            cluster.certificateAuthority = ca.map { FilePath.absolute($0, base: environment.currentDirectory) } ?? ""
            cluster.certificateAuthorityData = nil
        }
        if o.tlsServerName.nonEmpty != nil || o.server.nonEmpty != nil {
            cluster.tlsServerName = o.tlsServerName ?? ""
        }
    }

    private func applyUserOverrides(_ user: inout KubeconfigUser, _ o: ConfigOverrides) {
        if let t = o.token.nonEmpty { user.token = t }
        if let u = o.username.nonEmpty { user.username = u }
        if let p = o.password.nonEmpty { user.password = p }
        if let c = o.clientCertificate.nonEmpty {
            user.clientCertificate = FilePath.absolute(c, base: environment.currentDirectory)
            user.clientCertificateData = nil
        }
        if let k = o.clientKey.nonEmpty {
            user.clientKey = FilePath.absolute(k, base: environment.currentDirectory)
            user.clientKeyData = nil
        }
    }

    private func read(_ path: String, field: String, owner: String) throws(ConfigError) -> [UInt8] {
        do throws(FileReadError) {
            return try environment.readFile(path)
        } catch {
            throw .unreadableFile(field: field, path: path, owner: owner, reason: error.description)
        }
    }

    /// The ExecCredential `spec.cluster` object (client.authentication.k8s.io Cluster).
    private func execClusterInfo(_ c: KubeconfigCluster, server: String, ca: [UInt8]?) -> JSONValue {
        var o = JSONObject()
        o["server"] = .string(server)
        if !c.tlsServerName.isEmpty { o["tls-server-name"] = .string(c.tlsServerName) }
        if c.insecureSkipTLSVerify { o["insecure-skip-tls-verify"] = .bool(true) }
        if let ca { o["certificate-authority-data"] = .string(Base64.encode(ca)) }
        if !c.proxyURL.isEmpty { o["proxy-url"] = .string(c.proxyURL) }
        if c.disableCompression { o["disable-compression"] = .bool(true) }
        if let ext = c.execExtension { o["config"] = ext }
        return .object(o)
    }
}
