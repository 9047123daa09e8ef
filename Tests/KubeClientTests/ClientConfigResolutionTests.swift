import Foundation
import JSON
import Testing
@testable import KubeClient
import KubeFormats

@Suite("Client configuration: contexts, overrides, in-cluster")
struct ClientConfigResolutionTests {
    static let kubeconfig = """
        {"current-context":"dev",
         "clusters":[
           {"name":"dev-cluster","cluster":{"server":"https://dev.example:6443","certificate-authority-data":"\(Base64.encode(Array("DEV-CA".utf8)))","tls-server-name":"kube.dev"}},
           {"name":"prod-cluster","cluster":{"server":"https://prod.example","certificate-authority":"/pki/prod-ca.pem",
              "extensions":[{"name":"client.authentication.k8s.io/exec","extension":{"audience":"prod"}}]}},
           {"name":"plain","cluster":{"server":"http://127.0.0.1:8080"}},
           {"name":"noserver","cluster":{"insecure-skip-tls-verify":true}}],
         "users":[
           {"name":"dev-user","user":{"token":"dev-token"}},
           {"name":"cert-user","user":{"client-certificate":"/pki/u.crt","client-key-data":"\(Base64.encode(Array("KEY".utf8)))"}},
           {"name":"file-user","user":{"tokenFile":"/pki/token"}},
           {"name":"exec-user","user":{"exec":{"apiVersion":"client.authentication.k8s.io/v1beta1","command":"get-token","provideClusterInfo":true}}},
           {"name":"half-cert","user":{"client-certificate-data":"\(Base64.encode(Array("CERT".utf8)))"}}],
         "contexts":[
           {"name":"dev","context":{"cluster":"dev-cluster","user":"dev-user","namespace":"team-a"}},
           {"name":"prod","context":{"cluster":"prod-cluster","user":"cert-user"}},
           {"name":"prod-exec","context":{"cluster":"prod-cluster","user":"exec-user"}},
           {"name":"plain","context":{"cluster":"plain","user":"dev-user"}},
           {"name":"broken","context":{"cluster":"noserver","user":"dev-user"}},
           {"name":"dangling","context":{"cluster":"missing-cluster","user":"dev-user"}}]}
        """
    static let files = [
        "/home/u/.kube/config": kubeconfig, "/pki/prod-ca.pem": "PROD-CA", "/pki/u.crt": "USER-CERT",
        "/pki/token": "file-token\n", "/work/flag-ca.pem": "FLAG-CA",
    ]

    func load(_ overrides: ConfigOverrides = ConfigOverrides(), files: [String: String] = files, variables: [String: String] = [:]) throws(ConfigError) -> ClientConfig {
        try ClientConfig.load(overrides: overrides, environment: memoryEnvironment(files: files, variables: variables))
    }

    @Test func currentContextSelectsClusterUserAndNamespace() throws {
        let c = try load()
        #expect(c.server == "https://dev.example:6443")
        #expect(c.namespace == "team-a" && !c.namespaceIsExplicit)
        #expect(c.credentials.bearerToken == "dev-token")
        #expect(c.tls.caPEM == Array("DEV-CA".utf8))
        #expect(c.tls.serverName == "kube.dev")
        #expect(c.contextName == "dev" && c.clusterName == "dev-cluster" && c.userName == "dev-user")
        #expect(c.source == .kubeconfig(files: ["/home/u/.kube/config"]))
    }

    @Test func contextFlagSwitchesAndNamespaceDefaults() throws {
        let c = try load(ConfigOverrides(context: "prod"))
        #expect(c.server == "https://prod.example")
        #expect(c.namespace == "default")
        #expect(c.tls.caPEM == Array("PROD-CA".utf8))
        #expect(c.tls.clientCertificatePEM == Array("USER-CERT".utf8))
        #expect(c.tls.clientKeyPEM == Array("KEY".utf8))
        #expect(c.credentials.bearerToken == nil)
    }

    @Test func unknownContextIsAClearError() {
        #expect(throws: ConfigError.contextNotFound(name: "nope", files: ["/home/u/.kube/config"])) {
            try load(ConfigOverrides(context: "nope"))
        }
        let text = ConfigError.contextNotFound(name: "nope", files: ["/home/u/.kube/config"]).description
        #expect(text.contains("context was not found for specified context: nope"))
        #expect(text.contains("/home/u/.kube/config"))
    }

    @Test func currentContextThatDoesNotExistIsAnError() {
        let kc = #"{"current-context":"gone","clusters":[{"name":"c","cluster":{"server":"https://x"}}]}"#
        #expect(throws: ConfigError.contextNotFound(name: "gone", files: ["/home/u/.kube/config"])) {
            try load(files: ["/home/u/.kube/config": kc])
        }
    }

    @Test func unknownClusterOrUserFlagsAreErrors() {
        #expect(throws: ConfigError.clusterNotFound(name: "zzz", context: nil, files: ["/home/u/.kube/config"])) {
            try load(ConfigOverrides(cluster: "zzz"))
        }
        #expect(throws: ConfigError.userNotFound(name: "zzz", files: ["/home/u/.kube/config"])) {
            try load(ConfigOverrides(user: "zzz"))
        }
        #expect(throws: ConfigError.clusterNotFound(name: "missing-cluster", context: "dangling", files: ["/home/u/.kube/config"])) {
            try load(ConfigOverrides(context: "dangling"))
        }
    }

    @Test func clusterWithoutServerIsAnError() {
        #expect(throws: ConfigError.noServer(cluster: "noserver", files: ["/home/u/.kube/config"])) {
            try load(ConfigOverrides(context: "broken"))
        }
    }

    @Test func flagOverridesApplyLikeKubectl() throws {
        let c = try load(ConfigOverrides(
            cluster: "prod-cluster", user: "file-user", namespace: "ns1", server: "https://override:443/prefix/",
            certificateAuthority: "flag-ca.pem", requestTimeout: "1m30s"))
        #expect(c.server == "https://override:443/prefix")
        #expect(c.namespace == "ns1" && c.namespaceIsExplicit)
        // --certificate-authority (relative to the working directory) replaces the kubeconfig CA.
        #expect(c.tls.caPEM == Array("FLAG-CA".utf8))
        #expect(c.credentials.bearerToken == "file-token\n")
        #expect(c.credentials.tokenFile == "/pki/token")
        #expect(c.requestTimeout == .seconds(90))
    }

    @Test func serverFlagClearsKubeconfigTLSServerName() throws {
        #expect(try load(ConfigOverrides(server: "https://other:6443")).tls.serverName == nil)
        #expect(try load(ConfigOverrides(server: "https://other:6443", tlsServerName: "n")).tls.serverName == "n")
        #expect(try load(ConfigOverrides(tlsServerName: "flag-name")).tls.serverName == "flag-name")
    }

    @Test func insecureFlagClearsCertificateAuthority() throws {
        let c = try load(ConfigOverrides(insecureSkipTLSVerify: true))
        #expect(c.tls.insecureSkipVerify)
        #expect(c.tls.caPEM == nil)
    }

    @Test func tokenFlagWinsOverTokenFileAndExec() throws {
        let a = try load(ConfigOverrides(user: "file-user", token: "flag-token"))
        #expect(a.credentials.bearerToken == "flag-token" && a.credentials.tokenFile == nil)
        let b = try load(ConfigOverrides(context: "prod-exec", token: "flag-token"))
        #expect(b.credentials.exec == nil && b.credentials.bearerToken == "flag-token")
    }

    @Test func tokenAndBasicAuthTogetherAreRejected() {
        do {
            _ = try load(ConfigOverrides(username: "me", password: "pw"))
            Issue.record("expected an error")
        } catch {
            guard case .conflictingSettings(let owner, let detail) = error else { Issue.record("\(error)"); return }
            #expect(owner == "user \"dev-user\"")
            #expect(detail.contains("more than one authentication method"))
        }
    }

    @Test func clientCertificateWithoutKeyIsRejected() {
        #expect(throws: ConfigError.incompleteClientCertificate(user: "half-cert", detail: "client-key-data or client-key must be specified to use the client certificate")) {
            try load(ConfigOverrides(user: "half-cert"))
        }
    }

    @Test func clientCertificateFlagsReplaceKubeconfigData() throws {
        let files = Self.files.merging(["/work/c.crt": "FLAG-CERT", "/work/c.key": "FLAG-KEY"]) { a, _ in a }
        let c = try load(ConfigOverrides(context: "prod", clientCertificate: "c.crt", clientKey: "/work/c.key"), files: files)
        #expect(c.tls.clientCertificatePEM == Array("FLAG-CERT".utf8))
        #expect(c.tls.clientKeyPEM == Array("FLAG-KEY".utf8))
    }

    @Test func unreadableCertificateFileNamesFieldAndPath() {
        var files = Self.files
        files["/pki/u.crt"] = nil
        #expect(throws: ConfigError.unreadableFile(field: "client-certificate", path: "/pki/u.crt", owner: "user \"cert-user\"", reason: "no such file or directory")) {
            try load(ConfigOverrides(context: "prod"), files: files)
        }
    }

    @Test func execUserCarriesClusterInfoForThePlugin() throws {
        let c = try load(ConfigOverrides(context: "prod-exec"))
        #expect(c.credentials.exec?.command == "get-token")
        #expect(c.credentials.exec?.effectiveInteractiveMode == .ifAvailable)
        let info = try #require(c.credentials.execClusterInfo)
        #expect(info["server"] == "https://prod.example")
        #expect(info["certificate-authority-data"]?.string == Base64.encode(Array("PROD-CA".utf8)))
        #expect(info["config"] == ["audience": "prod"])
    }

    @Test func execV1RequiresInteractiveMode() {
        let kc = """
            {"current-context":"x","clusters":[{"name":"c","cluster":{"server":"https://c"}}],
             "users":[{"name":"u","user":{"exec":{"apiVersion":"client.authentication.k8s.io/v1","command":"p"}}}],
             "contexts":[{"name":"x","context":{"cluster":"c","user":"u"}}]}
            """
        do {
            _ = try load(files: ["/home/u/.kube/config": kc])
            Issue.record("expected an error")
        } catch {
            guard case .invalidExecConfig(let user, let detail) = error else { Issue.record("\(error)"); return }
            #expect(user == "u" && detail.contains("interactiveMode must be specified"))
        }
    }

    @Test func plainHTTPServerGetsNoCredentials() throws {
        let c = try load(ConfigOverrides(context: "plain"))
        #expect(c.server == "http://127.0.0.1:8080")
        #expect(c.credentials.isEmpty)
        #expect(c.warnings.contains { $0.contains("not https") })
    }

    @Test func schemelessServerDefaultsByTLSSettings() throws {
        #expect(try ServerURL.parse("10.0.0.1:6443", defaultTLS: true).base == "https://10.0.0.1:6443")
        #expect(try ServerURL.parse("localhost:8080", defaultTLS: false).base == "http://localhost:8080")
        let v6 = try ServerURL.parse("https://[fd00::1]:6443/", defaultTLS: false)
        #expect(v6.host == "fd00::1" && v6.port == 6443 && v6.base == "https://[fd00::1]:6443")
        #expect(throws: ConfigError.self) { try ServerURL.parse("ftp://x", defaultTLS: true) }
        #expect(throws: ConfigError.self) { try ServerURL.parse("https://host:notaport", defaultTLS: true) }
    }

    @Test func requestTimeoutFollowsClientGoParsing() throws {
        #expect(try RequestTimeout.parse("0") == nil)
        #expect(try RequestTimeout.parse(nil) == nil)
        #expect(try RequestTimeout.parse("30") == .seconds(30))
        #expect(try RequestTimeout.parse("1m30s") == .seconds(90))
        #expect(try RequestTimeout.parse("250ms") == .milliseconds(250))
        #expect(try RequestTimeout.parse("1.5h") == .seconds(5400))
        #expect(throws: ConfigError.invalidTimeout("ten")) { try RequestTimeout.parse("ten") }
        #expect(throws: ConfigError.invalidTimeout("5x")) { try RequestTimeout.parse("5x") }
    }

    @Test func nothingConfiguredOutsideAClusterIsAnError() {
        do {
            _ = try load(files: [:])
            Issue.record("expected an error")
        } catch {
            #expect(error == .noConfiguration(searched: ["/home/u/.kube/config"]))
            #expect(error.description.contains("no configuration has been provided"))
        }
    }

    @Test func serverFlagAloneIsEnough() throws {
        let c = try load(ConfigOverrides(server: "https://flag:6443", token: "t"), files: [:])
        #expect(c.server == "https://flag:6443" && c.credentials.bearerToken == "t" && c.namespace == "default")
    }
}

@Suite("In-cluster configuration")
struct InClusterConfigTests {
    func serviceAccountDirectory(namespace: String? = "pod-ns") -> String {
        let dir = makeTemporaryDirectory()
        _ = FileManager.default.createFile(atPath: dir + "/token", contents: Data("sa-token\n".utf8))
        _ = FileManager.default.createFile(atPath: dir + "/ca.crt", contents: Data("SA-CA".utf8))
        if let namespace { _ = FileManager.default.createFile(atPath: dir + "/namespace", contents: Data("\(namespace)\n".utf8)) }
        return dir
    }

    func environment(_ dir: String, _ vars: [String: String]) -> Environment {
        Environment(variables: vars, homeDirectory: dir + "/home", currentDirectory: dir, serviceAccountDirectory: dir)
    }

    @Test func usedWhenThereIsNoKubeconfig() throws {
        let dir = serviceAccountDirectory()
        defer { removeTemporaryDirectory(dir) }
        let env = environment(dir, ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443"])
        let c = try ClientConfig.load(environment: env)
        #expect(c.source == .inCluster)
        #expect(c.server == "https://10.96.0.1:443")
        #expect(c.credentials.bearerToken == "sa-token\n")
        #expect(c.credentials.tokenFile == dir + "/token")
        #expect(c.tls.caPEM == Array("SA-CA".utf8))
        #expect(c.namespace == "pod-ns")
    }

    @Test func podNamespaceVariableWinsThenFileThenDefault() throws {
        let dir = serviceAccountDirectory()
        defer { removeTemporaryDirectory(dir) }
        var vars = ["KUBERNETES_SERVICE_HOST": "10.96.0.1", "KUBERNETES_SERVICE_PORT": "443", "POD_NAMESPACE": "from-env"]
        #expect(try ClientConfig.load(environment: environment(dir, vars)).namespace == "from-env")
        vars["POD_NAMESPACE"] = nil
        #expect(try ClientConfig.load(environment: environment(dir, vars)).namespace == "pod-ns")
        try FileManager.default.removeItem(atPath: dir + "/namespace")
        #expect(try ClientConfig.load(environment: environment(dir, vars)).namespace == "default")
        let flagged = try ClientConfig.load(overrides: ConfigOverrides(namespace: "flag"), environment: environment(dir, vars))
        #expect(flagged.namespace == "flag" && flagged.namespaceIsExplicit)
    }

    @Test func ipv6ServiceHostIsBracketed() throws {
        let dir = serviceAccountDirectory()
        defer { removeTemporaryDirectory(dir) }
        let c = try ClientConfig.load(environment: environment(dir, ["KUBERNETES_SERVICE_HOST": "fd00:10:96::1", "KUBERNETES_SERVICE_PORT": "6443"]))
        #expect(c.server == "https://[fd00:10:96::1]:6443")
        #expect(try ServerURL.parse(c.server, defaultTLS: true).host == "fd00:10:96::1")
    }

    @Test func tokenFlagReplacesServiceAccountToken() throws {
        let dir = serviceAccountDirectory()
        defer { removeTemporaryDirectory(dir) }
        let c = try ClientConfig.load(
            overrides: ConfigOverrides(token: "flag"), environment: environment(dir, ["KUBERNETES_SERVICE_HOST": "h", "KUBERNETES_SERVICE_PORT": "1"]))
        #expect(c.credentials.bearerToken == "flag" && c.credentials.tokenFile == nil)
    }

    @Test func notPossibleWithoutTokenFileOrVariables() throws {
        let dir = serviceAccountDirectory()
        defer { removeTemporaryDirectory(dir) }
        #expect(throws: ConfigError.self) { try ClientConfig.load(environment: environment(dir, ["KUBERNETES_SERVICE_HOST": "h"])) }
        try FileManager.default.removeItem(atPath: dir + "/token")
        #expect(throws: ConfigError.self) {
            try ClientConfig.load(environment: environment(dir, ["KUBERNETES_SERVICE_HOST": "h", "KUBERNETES_SERVICE_PORT": "1"]))
        }
    }

    @Test func kubeconfigWinsButPodNamespaceFillsAMissingContextNamespace() throws {
        let dir = serviceAccountDirectory()
        defer { removeTemporaryDirectory(dir) }
        try FileManager.default.createDirectory(atPath: dir + "/home/.kube", withIntermediateDirectories: true)
        let kc = #"{"current-context":"x","clusters":[{"name":"c","cluster":{"server":"https://kc:6443"}}],"contexts":[{"name":"x","context":{"cluster":"c"}}]}"#
        _ = FileManager.default.createFile(atPath: dir + "/home/.kube/config", contents: Data(kc.utf8))
        let c = try ClientConfig.load(environment: environment(dir, ["KUBERNETES_SERVICE_HOST": "h", "KUBERNETES_SERVICE_PORT": "1"]))
        #expect(c.server == "https://kc:6443")
        #expect(c.namespace == "pod-ns")
    }
}
