/// The service-account configuration of a pod (client-go rest.InClusterConfig).
enum InClusterConfig {
    /// True when `KUBERNETES_SERVICE_HOST` and `_PORT` are set and the token file is readable.
    static func isPossible(_ env: Environment) -> Bool {
        guard env.variables["KUBERNETES_SERVICE_HOST"].nonEmpty != nil,
            env.variables["KUBERNETES_SERVICE_PORT"].nonEmpty != nil
        else { return false }
        return (try? env.readFile(tokenPath(env))) != nil
    }

    static func tokenPath(_ env: Environment) -> String { FilePath.join(env.serviceAccountDirectory, "token") }
    static func caPath(_ env: Environment) -> String { FilePath.join(env.serviceAccountDirectory, "ca.crt") }
    static func namespacePath(_ env: Environment) -> String { FilePath.join(env.serviceAccountDirectory, "namespace") }

    /// The pod's namespace: `POD_NAMESPACE`, else the service account `namespace` file, else `default`.
    static func namespace(_ env: Environment) -> String {
        if let ns = env.variables["POD_NAMESPACE"].nonEmpty { return ns }
        if let bytes = try? env.readFile(namespacePath(env)) {
            let ns = String(decoding: bytes, as: UTF8.self).trimmingSpaces()
            if !ns.isEmpty { return ns }
        }
        return "default"
    }

    /// The in-cluster configuration; `--server`, `--token` and `--certificate-authority` replace
    /// the service account values, `--namespace` the pod's namespace.
    static func load(_ env: Environment, overrides: ConfigOverrides, timeout: Duration?) throws(ConfigError) -> ClientConfig {
        guard let host = env.variables["KUBERNETES_SERVICE_HOST"].nonEmpty,
            let port = env.variables["KUBERNETES_SERVICE_PORT"].nonEmpty
        else {
            throw .inCluster("KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined")
        }
        let hostPart = host.contains(":") && !host.hasPrefix("[") ? "[\(host)]" : host
        var server = "https://\(hostPart):\(port)"
        if let s = overrides.server.nonEmpty {
            server = try ServerURL.parse(s, defaultTLS: true).base
        }
        var credentials = Credentials()
        if let token = overrides.token.nonEmpty {
            credentials.bearerToken = token
        } else {
            let path = tokenPath(env)
            do throws(FileReadError) {
                let bytes = try env.readFile(path)
                credentials.bearerToken = String(decoding: bytes, as: UTF8.self)
                credentials.tokenFile = path
            } catch {
                throw .unreadableFile(field: "service account token", path: path, owner: "the in-cluster configuration", reason: error.description)
            }
        }
        var tls = TLSConfig()
        var warnings: [String] = []
        if let ca = overrides.certificateAuthority.nonEmpty {
            let path = FilePath.absolute(ca, base: env.currentDirectory)
            do throws(FileReadError) {
                tls.caPEM = try env.readFile(path)
            } catch {
                throw .unreadableFile(field: "certificate-authority", path: path, owner: "--certificate-authority", reason: error.description)
            }
        } else if let ca = try? env.readFile(caPath(env)) {
            tls.caPEM = ca
        } else {
            warnings.append("expected to load the root CA from \(caPath(env)); using the system trust store")
        }
        let namespace = overrides.namespace.nonEmpty ?? Self.namespace(env)
        return ClientConfig(
            server: server, namespace: namespace, namespaceIsExplicit: overrides.namespace.nonEmpty != nil,
            tls: tls, credentials: credentials, requestTimeout: timeout, source: .inCluster, warnings: warnings)
    }
}
