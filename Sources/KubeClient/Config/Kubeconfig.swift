import JSON
import KubeFormats

/// A kubeconfig `cluster` entry. Empty strings mean "not set", as in client-go.
public struct KubeconfigCluster: Sendable, Equatable {
    /// `server`: the API server URL.
    public var server = ""
    /// `tls-server-name`.
    public var tlsServerName = ""
    /// `insecure-skip-tls-verify`.
    public var insecureSkipTLSVerify = false
    /// Path to a CA bundle (absolute after loading).
    public var certificateAuthority = ""
    /// `certificate-authority-data`, decoded.
    public var certificateAuthorityData: [UInt8]? = nil
    /// `proxy-url`.
    public var proxyURL = ""
    /// `disable-compression`.
    public var disableCompression = false
    /// The `client.authentication.k8s.io/exec` cluster extension, passed to exec plugins.
    public var execExtension: JSONValue? = nil
    /// The file that defined this entry.
    public var origin = ""

    /// An empty entry.
    public init() {}

    /// True when nothing is set (client-go's "empty cluster").
    public var isEmpty: Bool {
        server.isEmpty && tlsServerName.isEmpty && !insecureSkipTLSVerify && certificateAuthority.isEmpty
            && certificateAuthorityData == nil && proxyURL.isEmpty && !disableCompression && execExtension == nil
    }
}

/// A kubeconfig `user` (AuthInfo) entry.
public struct KubeconfigUser: Sendable, Equatable {
    /// `client-certificate` path (absolute after loading).
    public var clientCertificate = ""
    /// `client-certificate-data`, decoded.
    public var clientCertificateData: [UInt8]? = nil
    /// `client-key` path (absolute after loading).
    public var clientKey = ""
    /// `client-key-data`, decoded.
    public var clientKeyData: [UInt8]? = nil
    /// `token`.
    public var token = ""
    /// `tokenFile` path (absolute after loading).
    public var tokenFile = ""
    /// `username` (basic auth).
    public var username = ""
    /// `password` (basic auth).
    public var password = ""
    /// `as`.
    public var impersonate = ""
    /// `as-groups`.
    public var impersonateGroups: [String] = []
    /// `exec` credential plugin.
    public var exec: ExecConfig? = nil
    /// An `interactiveMode` value that is not Never/IfAvailable/Always (reported when used).
    public var invalidInteractiveMode: String? = nil
    /// The name of an `auth-provider` (gcp, azure, oidc), which this client does not support.
    public var authProviderName: String? = nil
    /// The file that defined this entry.
    public var origin = ""

    /// An empty entry.
    public init() {}
}

/// A kubeconfig `context` entry.
public struct KubeconfigContext: Sendable, Equatable {
    /// The cluster entry name.
    public var cluster = ""
    /// The user entry name.
    public var user = ""
    /// The default namespace.
    public var namespace = ""
    /// The file that defined this entry.
    public var origin = ""

    /// An empty entry.
    public init() {}
}

/// The contents of one kubeconfig file, or several merged by the loading rules.
public struct Kubeconfig: Sendable, Equatable {
    /// Cluster entries by name.
    public var clusters: [String: KubeconfigCluster] = [:]
    /// User entries by name.
    public var users: [String: KubeconfigUser] = [:]
    /// Context entries by name.
    public var contexts: [String: KubeconfigContext] = [:]
    /// `current-context`.
    public var currentContext = ""
    /// The files that were loaded, in precedence order.
    public var files: [String] = []

    /// An empty configuration.
    public init() {}

    /// Parses one file's document. Relative paths are resolved against the file's directory
    /// (made absolute with `currentDirectory`), as client-go's ResolveLocalPaths does.
    public init(document: JSONValue, path: String, currentDirectory: String) throws(ConfigError) {
        self.init()
        files = [path]
        if document.isNull { return }
        guard case .object(let root) = document else {
            throw .kubeconfigInvalid(path: path, field: nil, reason: "expected a Config object, found \(document.typeName)")
        }
        if let version = root["apiVersion"], !version.isNull {
            guard let v = version.string else { throw Self.typeError(path, "apiVersion", "a string", version) }
            if !v.isEmpty && v != "v1" {
                throw .kubeconfigInvalid(path: path, field: "apiVersion", reason: "unsupported version \"\(v)\" (expected v1)")
            }
        }
        let base = FilePath.directory(FilePath.absolute(path, base: currentDirectory))
        let r = FieldReader(path: path)
        currentContext = try r.string(root["current-context"], "current-context")

        for (name, body) in try r.namedList(root["clusters"], "clusters", inner: "cluster") {
            let f = "clusters[\"\(name)\"].cluster"
            var c = KubeconfigCluster()
            c.origin = path
            c.server = try r.string(body["server"], "\(f).server")
            c.tlsServerName = try r.string(body["tls-server-name"], "\(f).tls-server-name")
            c.insecureSkipTLSVerify = try r.bool(body["insecure-skip-tls-verify"], "\(f).insecure-skip-tls-verify")
            c.certificateAuthority = Self.resolve(try r.string(body["certificate-authority"], "\(f).certificate-authority"), base)
            c.certificateAuthorityData = try r.base64(body["certificate-authority-data"], "\(f).certificate-authority-data")
            c.proxyURL = try r.string(body["proxy-url"], "\(f).proxy-url")
            c.disableCompression = try r.bool(body["disable-compression"], "\(f).disable-compression")
            if case .array(let extensions)? = body["extensions"] {
                for case .object(let ext) in extensions
                where ext["name"]?.string == "client.authentication.k8s.io/exec" {
                    c.execExtension = ext["extension"]
                }
            }
            clusters[name] = c
        }

        for (name, body) in try r.namedList(root["users"], "users", inner: "user") {
            let f = "users[\"\(name)\"].user"
            var u = KubeconfigUser()
            u.origin = path
            u.clientCertificate = Self.resolve(try r.string(body["client-certificate"], "\(f).client-certificate"), base)
            u.clientCertificateData = try r.base64(body["client-certificate-data"], "\(f).client-certificate-data")
            u.clientKey = Self.resolve(try r.string(body["client-key"], "\(f).client-key"), base)
            u.clientKeyData = try r.base64(body["client-key-data"], "\(f).client-key-data")
            u.token = try r.string(body["token"], "\(f).token")
            u.tokenFile = Self.resolve(try r.string(body["tokenFile"], "\(f).tokenFile"), base)
            u.username = try r.string(body["username"], "\(f).username")
            u.password = try r.string(body["password"], "\(f).password")
            u.impersonate = try r.string(body["as"], "\(f).as")
            u.impersonateGroups = try r.stringList(body["as-groups"], "\(f).as-groups")
            if let provider = body["auth-provider"], case .object(let p) = provider {
                u.authProviderName = try r.string(p["name"], "\(f).auth-provider.name")
            }
            if let execValue = body["exec"], !execValue.isNull {
                guard case .object(let e) = execValue else { throw Self.typeError(path, "\(f).exec", "an object", execValue) }
                let ef = "\(f).exec"
                var command = try r.string(e["command"], "\(ef).command")
                if command.contains("/") { command = Self.resolve(command, base) }
                var env: [ExecConfig.EnvVar] = []
                if let envValue = e["env"], !envValue.isNull {
                    guard case .array(let items) = envValue else { throw Self.typeError(path, "\(ef).env", "a list", envValue) }
                    for (i, item) in items.enumerated() {
                        guard case .object(let o) = item else { throw Self.typeError(path, "\(ef).env[\(i)]", "an object", item) }
                        env.append(.init(
                            name: try r.string(o["name"], "\(ef).env[\(i)].name"),
                            value: try r.string(o["value"], "\(ef).env[\(i)].value")))
                    }
                }
                let modeText = try r.string(e["interactiveMode"], "\(ef).interactiveMode")
                var mode: ExecConfig.InteractiveMode? = nil
                if !modeText.isEmpty {
                    mode = ExecConfig.InteractiveMode(rawValue: modeText)
                    if mode == nil { u.invalidInteractiveMode = modeText }
                }
                u.exec = ExecConfig(
                    command: command,
                    args: try r.stringList(e["args"], "\(ef).args"),
                    env: env,
                    apiVersion: try r.string(e["apiVersion"], "\(ef).apiVersion"),
                    installHint: try r.string(e["installHint"], "\(ef).installHint"),
                    provideClusterInfo: try r.bool(e["provideClusterInfo"], "\(ef).provideClusterInfo"),
                    interactiveMode: mode)
            }
            users[name] = u
        }

        for (name, body) in try r.namedList(root["contexts"], "contexts", inner: "context") {
            let f = "contexts[\"\(name)\"].context"
            var c = KubeconfigContext()
            c.origin = path
            c.cluster = try r.string(body["cluster"], "\(f).cluster")
            c.user = try r.string(body["user"], "\(f).user")
            c.namespace = try r.string(body["namespace"], "\(f).namespace")
            contexts[name] = c
        }
    }

    /// Merges files in precedence order: the first file to define a cluster, user or context
    /// name wins (later definitions of that name are ignored entirely), and the first non-empty
    /// `current-context` wins.
    public static func merged(_ configs: [Kubeconfig]) -> Kubeconfig {
        var out = Kubeconfig()
        for c in configs {
            out.files.append(contentsOf: c.files)
            for (k, v) in c.clusters where out.clusters[k] == nil { out.clusters[k] = v }
            for (k, v) in c.users where out.users[k] == nil { out.users[k] = v }
            for (k, v) in c.contexts where out.contexts[k] == nil { out.contexts[k] = v }
            if out.currentContext.isEmpty { out.currentContext = c.currentContext }
        }
        return out
    }

    private static func resolve(_ p: String, _ base: String) -> String {
        p.isEmpty ? p : FilePath.absolute(p, base: base)
    }

    fileprivate static func typeError(_ path: String, _ field: String, _ expected: String, _ found: JSONValue) -> ConfigError {
        .kubeconfigInvalid(path: path, field: field, reason: "expected \(expected), found \(found.typeName)")
    }
}

/// Typed field access that reports the file and field on a type mismatch.
private struct FieldReader {
    let path: String

    func string(_ v: JSONValue?, _ field: String) throws(ConfigError) -> String {
        guard let v, !v.isNull else { return "" }
        switch v {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .bool(let b): return String(b)
        default: throw Kubeconfig.typeError(path, field, "a string", v)
        }
    }

    func bool(_ v: JSONValue?, _ field: String) throws(ConfigError) -> Bool {
        guard let v, !v.isNull else { return false }
        if let b = v.bool { return b }
        throw Kubeconfig.typeError(path, field, "true or false", v)
    }

    func stringList(_ v: JSONValue?, _ field: String) throws(ConfigError) -> [String] {
        guard let v, !v.isNull else { return [] }
        guard case .array(let items) = v else { throw Kubeconfig.typeError(path, field, "a list of strings", v) }
        var out: [String] = []
        for (i, item) in items.enumerated() { out.append(try string(item, "\(field)[\(i)]")) }
        return out
    }

    func base64(_ v: JSONValue?, _ field: String) throws(ConfigError) -> [UInt8]? {
        let text = try string(v, field)
        if text.isEmpty { return nil }
        guard let bytes = Base64.decode(text) else { throw .invalidBase64(path: path, field: field) }
        return bytes
    }

    /// A kubeconfig list of `{name, <inner>: {...}}`; later duplicates in one file replace earlier ones.
    func namedList(_ v: JSONValue?, _ field: String, inner: String) throws(ConfigError) -> [(String, JSONObject)] {
        guard let v, !v.isNull else { return [] }
        guard case .array(let items) = v else { throw Kubeconfig.typeError(path, field, "a list", v) }
        var out: [(String, JSONObject)] = []
        for (i, item) in items.enumerated() {
            guard case .object(let o) = item else { throw Kubeconfig.typeError(path, "\(field)[\(i)]", "an object", item) }
            let name = try string(o["name"], "\(field)[\(i)].name")
            var body = JSONObject()
            if let b = o[inner], !b.isNull {
                guard case .object(let bo) = b else { throw Kubeconfig.typeError(path, "\(field)[\(i)].\(inner)", "an object", b) }
                body = bo
            }
            if let existing = out.firstIndex(where: { $0.0 == name }) { out.remove(at: existing) }
            out.append((name, body))
        }
        return out
    }
}
