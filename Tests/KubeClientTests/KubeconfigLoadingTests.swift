import JSON
import Testing
@testable import KubeClient

@Suite("Kubeconfig loading rules")
struct KubeconfigLoadingTests {
    static let fileA = """
        {"apiVersion":"v1","kind":"Config","current-context":"",
         "clusters":[{"name":"shared","cluster":{"server":"https://a.example:6443","certificate-authority":"certs/ca.pem"}},
                     {"name":"only-a","cluster":{"server":"https://only-a:6443","insecure-skip-tls-verify":true}}],
         "users":[{"name":"admin","user":{"token":"token-from-a"}}],
         "contexts":[{"name":"ctx","context":{"cluster":"shared","user":"admin","namespace":"from-a"}}]}
        """
    static let fileB = """
        {"current-context":"ctx",
         "clusters":[{"name":"shared","cluster":{"server":"https://b.example:6443"}},
                     {"name":"only-b","cluster":{"server":"https://only-b:6443","insecure-skip-tls-verify":true}}],
         "users":[{"name":"admin","user":{"token":"token-from-b"}},{"name":"bob","user":{"token":"bob-token"}}],
         "contexts":[{"name":"ctx","context":{"cluster":"only-b","user":"bob"}},
                     {"name":"ctx-b","context":{"cluster":"only-b","user":"bob","namespace":"from-b"}}]}
        """

    @Test func explicitFileIsUsedAloneEvenWhenKUBECONFIGIsSet() throws {
        let env = memoryEnvironment(
            files: ["/cfg/a": Self.fileA, "/cfg/b": Self.fileB], variables: ["KUBECONFIG": "/cfg/b"])
        let loader = KubeconfigLoader(environment: env)
        #expect(loader.precedence(explicitPath: "/cfg/a") == ["/cfg/a"])
        let kc = try loader.load(explicitPath: "/cfg/a")
        #expect(kc.files == ["/cfg/a"])
        #expect(kc.clusters["only-b"] == nil)
        #expect(kc.users["admin"]?.token == "token-from-a")
    }

    @Test func missingExplicitFileIsAnErrorNamingIt() {
        let loader = KubeconfigLoader(environment: memoryEnvironment(files: [:]))
        #expect(throws: ConfigError.kubeconfigNotFound(path: "/nope/config")) {
            try loader.load(explicitPath: "/nope/config")
        }
        let message = ConfigError.kubeconfigNotFound(path: "/nope/config").description
        #expect(message.contains("/nope/config") && message.contains("--kubeconfig"))
    }

    @Test func kubeconfigListMergesWithFirstDefinitionWinning() throws {
        let env = memoryEnvironment(
            files: ["/cfg/a": Self.fileA, "/cfg/b": Self.fileB],
            variables: ["KUBECONFIG": "/cfg/missing:/cfg/a::/cfg/b:/cfg/a"])
        let loader = KubeconfigLoader(environment: env)
        #expect(loader.precedence(explicitPath: nil) == ["/cfg/missing", "/cfg/a", "/cfg/b"])
        let kc = try loader.load(explicitPath: nil)
        #expect(kc.files == ["/cfg/a", "/cfg/b"])
        // The first file to define a name wins, entirely.
        #expect(kc.clusters["shared"]?.server == "https://a.example:6443")
        #expect(kc.clusters["shared"]?.certificateAuthority == "/cfg/certs/ca.pem")
        #expect(kc.users["admin"]?.token == "token-from-a")
        #expect(kc.contexts["ctx"]?.cluster == "shared")
        #expect(kc.contexts["ctx"]?.namespace == "from-a")
        // Names only one file defines are all present.
        #expect(kc.clusters["only-a"] != nil && kc.clusters["only-b"] != nil)
        #expect(kc.users["bob"]?.token == "bob-token")
        #expect(kc.contexts["ctx-b"]?.origin == "/cfg/b")
        // A's current-context is empty, so B's is the first non-empty one.
        #expect(kc.currentContext == "ctx")
    }

    @Test func firstNonEmptyCurrentContextWins() throws {
        let first = #"{"current-context":"one","contexts":[{"name":"one","context":{}}]}"#
        let second = #"{"current-context":"two","contexts":[{"name":"two","context":{}}]}"#
        let env = memoryEnvironment(files: ["/x/1": first, "/x/2": second], variables: ["KUBECONFIG": "/x/2:/x/1"])
        let kc = try KubeconfigLoader(environment: env).load(explicitPath: nil)
        #expect(kc.currentContext == "two")
    }

    @Test func fileThatFailsToParseIsAnErrorNamingIt() {
        let env = memoryEnvironment(files: ["/cfg/a": Self.fileA, "/cfg/bad": "{not json"], variables: ["KUBECONFIG": "/cfg/a:/cfg/bad"])
        do {
            _ = try KubeconfigLoader(environment: env).load(explicitPath: nil)
            Issue.record("expected an error")
        } catch {
            guard case .kubeconfigInvalid(let path, _, _) = error else { Issue.record("wrong error \(error)"); return }
            #expect(path == "/cfg/bad")
            #expect(error.description.contains("/cfg/bad"))
        }
    }

    @Test func wrongFieldTypeNamesTheField() {
        let bad = #"{"clusters":[{"name":"c","cluster":{"server":["x"]}}]}"#
        let env = memoryEnvironment(files: ["/k": bad])
        #expect(throws: ConfigError.kubeconfigInvalid(path: "/k", field: "clusters[\"c\"].cluster.server", reason: "expected a string, found array")) {
            try KubeconfigLoader(environment: env).load(explicitPath: "/k")
        }
    }

    @Test func invalidBase64DataNamesTheField() {
        let bad = #"{"users":[{"name":"u","user":{"client-key-data":"%%%notbase64"}}]}"#
        let env = memoryEnvironment(files: ["/k": bad])
        #expect(throws: ConfigError.invalidBase64(path: "/k", field: "users[\"u\"].user.client-key-data")) {
            try KubeconfigLoader(environment: env).load(explicitPath: "/k")
        }
    }

    @Test func homeConfigIsTheDefault() throws {
        let env = memoryEnvironment(files: ["/home/u/.kube/config": Self.fileB], home: "/home/u")
        let loader = KubeconfigLoader(environment: env)
        #expect(loader.precedence(explicitPath: nil) == ["/home/u/.kube/config"])
        #expect(try loader.load(explicitPath: nil).currentContext == "ctx")
    }

    @Test func emptyFileIsAnEmptyConfig() throws {
        let env = memoryEnvironment(files: ["/k": "  \n"])
        let kc = try KubeconfigLoader(environment: env).load(explicitPath: "/k")
        #expect(kc.clusters.isEmpty && kc.files == ["/k"])
    }

    @Test func relativePathsResolveAgainstTheDefiningFilesDirectory() throws {
        let a = """
            {"clusters":[{"name":"c","cluster":{"server":"https://s","certificate-authority":"ca.crt"}}],
             "users":[{"name":"u","user":{"client-certificate":"../pki/u.crt","client-key":"/abs/u.key","tokenFile":"tok",
               "exec":{"apiVersion":"client.authentication.k8s.io/v1","command":"./bin/plugin","interactiveMode":"Never"}}},
                      {"name":"p","user":{"exec":{"apiVersion":"client.authentication.k8s.io/v1","command":"on-path","interactiveMode":"Never"}}}]}
            """
        let b = #"{"clusters":[{"name":"d","cluster":{"server":"https://d","certificate-authority":"sub/ca.crt"}}]}"#
        let env = memoryEnvironment(files: ["/etc/kube/a.json": a, "rel/b.json": b], variables: ["KUBECONFIG": "/etc/kube/a.json:rel/b.json"], cwd: "/home/u/work")
        let kc = try KubeconfigLoader(environment: env).load(explicitPath: nil)
        #expect(kc.clusters["c"]?.certificateAuthority == "/etc/kube/ca.crt")
        #expect(kc.users["u"]?.clientCertificate == "/etc/pki/u.crt")
        #expect(kc.users["u"]?.clientKey == "/abs/u.key")
        #expect(kc.users["u"]?.tokenFile == "/etc/kube/tok")
        #expect(kc.users["u"]?.exec?.command == "/etc/kube/bin/plugin")
        #expect(kc.users["p"]?.exec?.command == "on-path")
        // A relative kubeconfig path is made absolute against the working directory first.
        #expect(kc.clusters["d"]?.certificateAuthority == "/home/u/work/rel/sub/ca.crt")
    }

    @Test func customParserIsUsedForFileContents() throws {
        let env = memoryEnvironment(files: ["/k.yaml": "whatever yaml"])
        let loader = KubeconfigLoader(environment: env) { bytes, path in
            #expect(path == "/k.yaml")
            #expect(String(decoding: bytes, as: UTF8.self) == "whatever yaml")
            return ["current-context": "from-parser"]
        }
        #expect(try loader.load(explicitPath: "/k.yaml").currentContext == "from-parser")
    }

    @Test func laterDuplicateInOneFileReplacesEarlier() throws {
        let text = #"{"clusters":[{"name":"c","cluster":{"server":"https://first"}},{"name":"c","cluster":{"server":"https://second"}}]}"#
        let kc = try KubeconfigLoader(environment: memoryEnvironment(files: ["/k": text])).load(explicitPath: "/k")
        #expect(kc.clusters["c"]?.server == "https://second")
    }
}
