import Foundation
import JSON
import KubeSim
import Testing

/// Acceptance item 6: at `-v 9` (every request and response traced) no secret appears in stdout or
/// stderr: bearer tokens (kubeconfig, `--token`, exec plugin), basic-auth passwords and client keys.
/// Over HTTPS, since credentials are only sent over TLS (as kubectl does).
@Suite("No secret in any output at -v 9", .disabled(if: ExternalTools.skipTLS, "SKIP_TLS_TESTS=1"))
struct SecretRedactionTests {
    static let plan = ["plan", "deployment/web", "app=nginx:1.27", "-o", "json", "-v", "9"]

    /// Asserts the run worked, really traced requests at -v 9, and leaked none of `secrets`.
    static func expectTracedWithout(_ secrets: [String], _ r: RunResult, front: TLSFront, succeeded: Bool = true,
                                    sourceLocation: SourceLocation = #_sourceLocation) {
        if succeeded {
            #expect(r.status == 0, "\(r)", sourceLocation: sourceLocation)
            #expect((try? JSONValue(parsing: r.stdout))?.planPods.count == 2, sourceLocation: sourceLocation)
        }
        #expect(r.stderr.contains("GET \(front.url)/"), "requests are traced at -v 9: \(r.stderr.prefix(400))", sourceLocation: sourceLocation)
        #expect(r.stderr.contains("Response Body") || r.stderr.contains("\"kind\""), "bodies are traced at -v 9", sourceLocation: sourceLocation)
        for secret in secrets {
            #expect(!r.stdout.contains(secret), "stdout leaks \(secret)", sourceLocation: sourceLocation)
            #expect(!r.stderr.contains(secret), "stderr leaks \(secret)", sourceLocation: sourceLocation)
        }
    }

    static func cluster(_ options: ServerOptions) throws -> TestCluster {
        try TestCluster(Workloads.scenario([Workloads.deployment(replicas: 2)], server: options))
    }

    @Test("Bearer token from the kubeconfig and from --token, also when it is refused")
    func bearerToken() throws {
        let token = "e2e-secret-token-9f8e7d6c5b4a"
        let c = try Self.cluster(ServerOptions(bearerToken: token))
        defer { c.stop() }
        let front = try c.startTLSFront()
        let kubeconfig = try c.writeManifest("kubeconfig-token", KubeconfigFile.single(cluster: KubeconfigFile.cluster(front), user: ["token": .string(token)]))
        let r = try c.run(Self.plan, kubeconfig: kubeconfig)
        Self.expectTracedWithout([token], r, front: front)
        #expect(r.stderr.contains("Authorization"), "the header is traced, redacted")

        let bare = try c.writeManifest("kubeconfig-bare", KubeconfigFile.single(cluster: KubeconfigFile.cluster(front), user: .emptyObject))
        Self.expectTracedWithout([token], try c.run(Self.plan + ["--token", token], kubeconfig: bare), front: front)

        let wrongToken = "e2e-wrong-token-1a2b3c4d5e6f"
        let refused = try c.run(Self.plan + ["--token", wrongToken], kubeconfig: bare)
        #expect(refused.status == 2 && refused.stderr.contains("Unauthorized"), "\(refused)")
        Self.expectTracedWithout([wrongToken, token], refused, front: front, succeeded: false)
    }

    @Test("Basic-auth password (and its base64 form)")
    func basicAuth() throws {
        let user = "e2e-admin"
        let password = "e2e-basic-password-4f7a21"
        let c = try Self.cluster(ServerOptions(basicAuth: .init(username: user, password: password)))
        defer { c.stop() }
        let front = try c.startTLSFront()
        let kubeconfig = try c.writeManifest("kubeconfig-basic", KubeconfigFile.single(
            cluster: KubeconfigFile.cluster(front), user: ["username": .string(user), "password": .string(password)]))
        let encoded = Data("\(user):\(password)".utf8).base64EncodedString()
        Self.expectTracedWithout([password, encoded], try c.run(Self.plan, kubeconfig: kubeconfig), front: front)
    }

    @Test("Client key given as data and as a file: no line of it in the output")
    func clientKey() throws {
        let c = try Self.cluster(ServerOptions())
        defer { c.stop() }
        let front = try c.startTLSFront(requireClientCertificate: true)
        let pki = front.pki
        let keyPEM = try pki.read(pki.clientKey)
        let keyData = try pki.base64(pki.clientKey)
        let keyLines = keyPEM.split(separator: "\n").map(String.init).filter { !$0.hasPrefix("-----") && $0.count >= 16 }
        #expect(!keyLines.isEmpty)
        let asData = try c.writeManifest("kubeconfig-key-data", KubeconfigFile.single(
            cluster: KubeconfigFile.cluster(front),
            user: ["client-certificate-data": .string(try pki.base64(pki.clientCert)), "client-key-data": .string(keyData)]))
        Self.expectTracedWithout([keyData, "PRIVATE KEY"] + keyLines, try c.run(Self.plan, kubeconfig: asData), front: front)
        let asFile = try c.writeManifest("kubeconfig-key-file", KubeconfigFile.single(
            cluster: KubeconfigFile.cluster(front), user: ["client-certificate": .string(pki.clientCert), "client-key": .string(pki.clientKey)]))
        Self.expectTracedWithout([keyData, "PRIVATE KEY"] + keyLines, try c.run(Self.plan, kubeconfig: asFile), front: front)
    }

    @Test("Token issued by an exec credential plugin")
    func execPluginToken() throws {
        let token = "e2e-exec-issued-token-77aa88bb"
        let c = try Self.cluster(ServerOptions(bearerToken: token))
        defer { c.stop() }
        let front = try c.startTLSFront()
        let plugin = try ExecPlugin(in: c, apiVersion: "client.authentication.k8s.io/v1", token: token)
        let kubeconfig = try c.writeManifest("kubeconfig-exec", KubeconfigFile.single(
            cluster: KubeconfigFile.cluster(front), user: plugin.userExec(apiVersion: "client.authentication.k8s.io/v1", command: plugin.path)))
        Self.expectTracedWithout([token], try c.run(Self.plan, kubeconfig: kubeconfig), front: front)
        #expect(plugin.runs().count == 1, "the token really came from the plugin")
    }
}
