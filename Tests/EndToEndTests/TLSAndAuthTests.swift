import Foundation
import JSON
import KubeClient
import KubeSim
import Synchronization
import Testing

/// Acceptance item 4: the authentication and TLS matrix over real HTTPS on loopback. A socat TLS
/// front (certificates made by the openssl CLI for each test) sits before KubeSim; KubeSim checks
/// the bearer token, socat the client certificate.
@Suite("Auth and TLS matrix over HTTPS (socat + openssl)", .disabled(if: ExternalTools.skipTLS, "SKIP_TLS_TESTS=1"))
struct TLSAndAuthTests {
    static let token = "e2e-bearer-0123456789abcdef"

    /// A cluster of one Deployment (2 pods) requiring `token` (nil: no token check).
    static func cluster(requireToken token: String? = TLSAndAuthTests.token) throws -> TestCluster {
        try TestCluster(Workloads.scenario([Workloads.deployment(replicas: 2)], server: ServerOptions(bearerToken: token)))
    }

    /// Asserts a successful plan of the two pods of deployment/web, served through the front.
    static func expectPlanned(_ r: RunResult, _ c: TestCluster, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(r.status == 0, "\(r)", sourceLocation: sourceLocation)
        let plan = try? JSONValue(parsing: r.stdout)
        #expect(plan.map(PlanSchema.violations) == [], "\(r)", sourceLocation: sourceLocation)
        #expect(plan?.planPods.names.sorted() == c.podNames(prefix: "web-"), sourceLocation: sourceLocation)
        #expect(plan?.planPods.withAction("update").count == 2, sourceLocation: sourceLocation)
        #expect(!c.server.requestLog.entries.isEmpty, "the requests reached KubeSim", sourceLocation: sourceLocation)
        #expect(c.server.requestLog.entries.allSatisfy { $0.statusCode == 200 || ($0.isAccessReview && $0.statusCode == 201) }, sourceLocation: sourceLocation)
    }

    static let plan = ["plan", "deployment/web", "app=nginx:1.27", "-o", "json"]

    @Test("CA by file (certificate-authority) and by data (certificate-authority-data)")
    func caFileAndData() throws {
        let c = try Self.cluster()
        defer { c.stop() }
        let front = try c.startTLSFront()
        let byFile = try c.writeManifest("by-file", KubeconfigFile.single(
            cluster: KubeconfigFile.cluster(front), user: ["token": .string(Self.token)]))
        Self.expectPlanned(try c.run(Self.plan, kubeconfig: byFile), c)
        let byData = try c.writeManifest("by-data", KubeconfigFile.single(
            cluster: ["server": .string(front.url), "certificate-authority-data": .string(try front.pki.base64(front.pki.caCert))],
            user: ["token": .string(Self.token)]))
        Self.expectPlanned(try c.run(Self.plan, kubeconfig: byData), c)
        let byFlag = try c.writeManifest("by-flag", KubeconfigFile.single(cluster: ["server": .string(front.url)], user: ["token": .string(Self.token)]))
        Self.expectPlanned(try c.run(Self.plan + ["--certificate-authority", front.pki.caCert], kubeconfig: byFlag), c)
        let localhost = try c.writeManifest("localhost", KubeconfigFile.single(
            cluster: ["server": .string("https://localhost:\(front.port)"), "certificate-authority": .string(front.pki.caCert)],
            user: ["token": .string(Self.token)]))
        Self.expectPlanned(try c.run(Self.plan, kubeconfig: localhost), c)
    }

    @Test("A wrong CA, or none (system trust store), is refused with a certificate error before any request")
    func wrongCARefused() throws {
        let c = try Self.cluster()
        defer { c.stop() }
        let front = try c.startTLSFront()
        let wrong = try c.writeManifest("wrong-ca", KubeconfigFile.single(
            cluster: ["server": .string(front.url), "certificate-authority": .string(front.pki.wrongCACert)],
            user: ["token": .string(Self.token)]))
        let none = try c.writeManifest("no-ca", KubeconfigFile.single(cluster: ["server": .string(front.url)], user: ["token": .string(Self.token)]))
        for kubeconfig in [wrong, none] {
            let r = try c.run(Self.plan, kubeconfig: kubeconfig)
            #expect(r.status != 0, "\(r)")
            #expect(r.stderr.lowercased().contains("certificate"), "\(r)")
            #expect(r.stdout.isEmpty)
        }
        let wrongName = try c.run(Self.plan + ["--tls-server-name", "not-the-server.example"], kubeconfig: try c.writeManifest(
            "ca-ok", KubeconfigFile.single(cluster: KubeconfigFile.cluster(front), user: ["token": .string(Self.token)])))
        #expect(wrongName.status != 0, "a server name outside the certificate's SANs is refused: \(wrongName)")
        #expect(c.server.requestLog.entries.isEmpty, "no request passed the TLS front")
        let insecure = try c.run(Self.plan + ["--insecure-skip-tls-verify"], kubeconfig: none)
        Self.expectPlanned(insecure, c)
    }

    @Test("Client certificate required by the front: given as files and as -data; refused without one")
    func clientCertificate() throws {
        let c = try Self.cluster(requireToken: nil)
        defer { c.stop() }
        let front = try c.startTLSFront(requireClientCertificate: true)
        let pki = front.pki
        let files = try c.writeManifest("cert-files", KubeconfigFile.single(
            cluster: KubeconfigFile.cluster(front),
            user: ["client-certificate": .string(pki.clientCert), "client-key": .string(pki.clientKey)]))
        Self.expectPlanned(try c.run(Self.plan, kubeconfig: files), c)
        let data = try c.writeManifest("cert-data", KubeconfigFile.single(
            cluster: ["server": .string(front.url), "certificate-authority-data": .string(try pki.base64(pki.caCert))],
            user: ["client-certificate-data": .string(try pki.base64(pki.clientCert)), "client-key-data": .string(try pki.base64(pki.clientKey))]))
        Self.expectPlanned(try c.run(Self.plan, kubeconfig: data), c)
        let flags = try c.writeManifest("cert-flags", KubeconfigFile.single(cluster: KubeconfigFile.cluster(front), user: .emptyObject))
        Self.expectPlanned(try c.run(Self.plan + ["--client-certificate", pki.clientCert, "--client-key", pki.clientKey], kubeconfig: flags), c)

        let before = c.server.requestLog.entries.count
        let without = try c.run(Self.plan, kubeconfig: flags)
        #expect(without.status != 0, "the front refuses a client without a certificate: \(without)")
        #expect(without.stdout.isEmpty)
        #expect(c.server.requestLog.entries.count == before)
    }

    @Test("Bearer token: the right one works; a wrong one exits 2 with Unauthorized")
    func bearerToken() throws {
        let c = try Self.cluster()
        defer { c.stop() }
        let front = try c.startTLSFront()
        let right = try c.writeManifest("right", KubeconfigFile.single(cluster: KubeconfigFile.cluster(front), user: ["token": .string(Self.token)]))
        Self.expectPlanned(try c.run(Self.plan, kubeconfig: right), c)
        c.server.requestLog.clear()
        let wrong = try c.writeManifest("wrong", KubeconfigFile.single(cluster: KubeconfigFile.cluster(front), user: ["token": "not-the-token"]))
        let r = try c.run(Self.plan, kubeconfig: wrong)
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("error: ") && r.stderr.contains("Unauthorized"), "\(r)")
        #expect(r.stdout.isEmpty)
        #expect(c.server.requestLog.entries.map(\.statusCode).contains(401))
        #expect(c.server.requestLog.writes.isEmpty)
        c.server.requestLog.clear()
        let flag = try c.run(Self.plan + ["--token", Self.token], kubeconfig: wrong)
        Self.expectPlanned(flag, c)
    }

    @Test("tokenFile: the token is read from the file")
    func tokenFile() throws {
        let c = try Self.cluster()
        defer { c.stop() }
        let front = try c.startTLSFront()
        let path = try c.write("secrets/token", Self.token + "\n", mode: 0o600)
        let kubeconfig = try c.writeManifest("token-file", KubeconfigFile.single(cluster: KubeconfigFile.cluster(front), user: ["tokenFile": .string(path)]))
        Self.expectPlanned(try c.run(Self.plan, kubeconfig: kubeconfig), c)
        try c.write("secrets/token", "stale-token\n")
        let stale = try c.run(Self.plan, kubeconfig: kubeconfig)
        #expect(stale.status == 2 && stale.stderr.contains("Unauthorized"), "the file is what counts: \(stale)")
    }

    @Test("Exec credential plugin: v1 and v1beta1, by name on PATH and by path; KUBERNETES_EXEC_INFO reaches it",
          arguments: ["client.authentication.k8s.io/v1", "client.authentication.k8s.io/v1beta1"])
    func execPlugin(apiVersion: String) throws {
        let c = try Self.cluster()
        defer { c.stop() }
        let front = try c.startTLSFront()
        let plugin = try ExecPlugin(in: c, apiVersion: apiVersion, token: Self.token)
        let byName = try c.writeManifest("exec-by-name", KubeconfigFile.single(
            cluster: KubeconfigFile.cluster(front), user: plugin.userExec(apiVersion: apiVersion, command: plugin.name, provideClusterInfo: true)))
        let env = ["PATH": plugin.binDirectory + ":" + BinaryRunner.baseEnvironment(home: c.dir)["PATH"]!]
        Self.expectPlanned(try c.run(Self.plan, kubeconfig: byName, env: env), c)
        #expect(plugin.runs() == ["run get-token --cluster e2e"], "one run per invocation, the credential is cached")
        let info = try #require(try plugin.lastExecInfo())
        #expect(info["kind"] == "ExecCredential")
        #expect(info["apiVersion"]?.string == apiVersion)
        #expect(info[path: ["spec", "interactive"]] == false)
        #expect(info[path: ["spec", "cluster", "server"]]?.string == front.url, "provideClusterInfo passes the cluster: \(info)")

        let byPath = try c.writeManifest("exec-by-path", KubeconfigFile.single(
            cluster: KubeconfigFile.cluster(front), user: plugin.userExec(apiVersion: apiVersion, command: plugin.path)))
        Self.expectPlanned(try c.run(Self.plan, kubeconfig: byPath), c)
        #expect(plugin.runs().count == 2)
        #expect(try plugin.lastExecInfo()?[path: ["spec", "cluster"]] == nil, "no cluster info unless provideClusterInfo")
    }

    @Test("KUBECONFIG of two files: first definition wins; --context selects a context defined only in the second")
    func kubeconfigMerge() throws {
        let c = try Self.cluster()
        defer { c.stop() }
        let front = try c.startTLSFront()
        let dead = "https://127.0.0.1:\(try TLSFront.freePort())"
        let first = try c.writeManifest("first.yaml", KubeconfigFile.document(
            clusters: [("shared", KubeconfigFile.cluster(front))],
            users: [("first-user", ["token": "not-the-token"])],
            contexts: [KubeconfigFile.Context(name: "ctx-first", cluster: "shared", user: "first-user")],
            current: "ctx-first"))
        let second = try c.writeManifest("second.yaml", KubeconfigFile.document(
            clusters: [("shared", ["server": .string(dead), "certificate-authority": .string(front.pki.caCert)])],
            users: [("second-user", ["token": .string(Self.token)]), ("first-user", ["token": .string(Self.token)])],
            contexts: [KubeconfigFile.Context(name: "ctx-second", cluster: "shared", user: "second-user", namespace: "default")],
            current: "ctx-second"))

        let merged = "\(first):\(second)"
        Self.expectPlanned(try c.run(Self.plan + ["--context", "ctx-second"], kubeconfig: merged), c)

        let current = try c.run(Self.plan, kubeconfig: merged)
        #expect(current.status == 2 && current.stderr.contains("Unauthorized"),
                "current-context and first-user come from the first file: \(current)")

        c.server.requestLog.clear()
        let reversed = try c.run(Self.plan + ["--context", "ctx-second", "--request-timeout", "5s"], kubeconfig: "\(second):\(first)")
        #expect(reversed.status != 0, "with the second file first its dead 'shared' cluster wins: \(reversed)")
        #expect(c.server.requestLog.entries.isEmpty)
    }

    @Test("In-cluster: KUBERNETES_SERVICE_HOST/PORT and the service account token, ca.crt and namespace files")
    func inCluster() throws {
        let c = try TestCluster(Workloads.scenario(
            [Workloads.deployment(replicas: 2, namespace: "apps")], server: ServerOptions(bearerToken: Self.token)))
        defer { c.stop() }
        let front = try c.startTLSFront()
        let sa = c.dir + "/serviceaccount"
        try c.write("serviceaccount/token", Self.token)
        try c.write("serviceaccount/ca.crt", try front.pki.read(front.pki.caCert))
        try c.write("serviceaccount/namespace", "apps\n")
        let env = ["KUBERNETES_SERVICE_HOST": "127.0.0.1", "KUBERNETES_SERVICE_PORT": String(front.port),
                   "KUBECTL_INPLACE_SERVICE_ACCOUNT_DIR": sa]
        let r = try c.run(Self.plan, kubeconfig: .some(nil), env: env)
        #expect(r.status == 0, "\(r)")
        let plan = try JSONValue(parsing: r.stdout)
        #expect(PlanSchema.violations(plan) == [])
        #expect(plan.planWorkloads.first?["namespace"] == "apps")
        #expect(plan.planPods.names.sorted() == c.podNames(prefix: "web-", namespace: "apps"))
        #expect(plan.planPods.count == 2)
        #expect(c.server.requestLog.entries.allSatisfy { $0.path.contains("/namespaces/apps/") || $0.isAccessReview })

        try c.write("serviceaccount/ca.crt", try front.pki.read(front.pki.wrongCACert))
        let wrongCA = try c.run(Self.plan, kubeconfig: .some(nil), env: env)
        #expect(wrongCA.status != 0 && wrongCA.stderr.lowercased().contains("certificate"), "ca.crt is what is trusted: \(wrongCA)")
    }
}

extension TLSAndAuthTests {
    @Test("A server that fails resumed TLS sessions (socat verifying client certificates) gets every request: the client falls back to full handshakes")
    func refusedSessionResumption() throws {
        let c = try Self.cluster(requireToken: nil)
        defer { c.stop() }
        let front = try c.startTLSFront(requireClientCertificate: true)
        let pki = front.pki
        let tls = TLSConfig(caPEM: Array(try pki.read(pki.caCert).utf8), clientCertificatePEM: Array(try pki.read(pki.clientCert).utf8),
                            clientKeyPEM: Array(try pki.read(pki.clientKey).utf8))
        // No idle handles: every request opens a new connection, offering the session the previous one got.
        let transport = CurlTransport(settings: TransportSettings(
            server: try ServerURL.parse(front.url, defaultTLS: true), tls: tls, userAgent: "e2e", maxIdleHandles: 0))
        for i in 0..<6 {
            let url = front.url + "/api/v1/namespaces/default/pods"
            let response: HTTPResponse
            do { response = try transport.send(HTTPRequest(method: "GET", url: url)) } catch {
                Issue.record("request \(i + 1) failed: \(error)")
                return
            }
            #expect(response.status == 200, "request \(i + 1)")
            let streamed = transport.stream(HTTPRequest(method: "GET", url: url), cancellation: StreamCancellation()) { _ in true }
            #expect(streamed.failure == nil && streamed.status == 200, "stream \(i + 1): \(String(describing: streamed.failure))")
        }

        // Several connections offering the session at once (a surge's burst): each failed one is retried.
        let burst = CurlTransport(settings: TransportSettings(
            server: try ServerURL.parse(front.url, defaultTLS: true), tls: tls, userAgent: "e2e", maxIdleHandles: 0))
        let url = front.url + "/api/v1/namespaces/default/pods"
        #expect((try? burst.send(HTTPRequest(method: "GET", url: url)))?.status == 200, "the first request gets the session")
        let failures = Mutex<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 8) { i in
            do {
                let status = try burst.send(HTTPRequest(method: "GET", url: url)).status
                if status != 200 { failures.withLock { $0.append("request \(i): status \(status)") } }
            } catch {
                failures.withLock { $0.append("request \(i): \(error)") }
            }
        }
        #expect(failures.withLock { $0 }.isEmpty, "\(failures.withLock { $0 })")

        // Issue 12: a burst on the write loop, each new connection offering the session at once: each failed one goes again.
        let loop = CurlTransport(settings: TransportSettings(
            server: try ServerURL.parse(front.url, defaultTLS: true), tls: tls, userAgent: "e2e", maxIdleHandles: 0))
        #expect((try? loop.send(HTTPRequest(method: "GET", url: url)))?.status == 200, "the first request gets the session")
        let answered = DispatchGroup()
        let statuses = Mutex<[String]>([])
        for i in 0..<8 {
            answered.enter()
            loop.send(HTTPRequest(method: "GET", url: url)) { result in
                statuses.withLock { $0.append((try? result.get()).map { "\($0.status)" } ?? "request \(i): \(result)") }
                answered.leave()
            }
        }
        #expect(answered.wait(timeout: .now() + 30) == .success)
        #expect(statuses.withLock { $0 } == Array(repeating: "200", count: 8), "\(statuses.withLock { $0 })")
    }
}
