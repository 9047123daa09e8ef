import Foundation
import JSON
import Testing
@testable import KubeClient
import KubeFormats

@Suite("Exec credential plugins")
struct ExecPluginTests {
    /// A plugin that counts its runs, records its input, and prints `token-<run>`.
    static func tokenPlugin(dir: String, apiVersion: String, expiry: String? = nil) -> String {
        let path = dir + "/plugin.sh"
        let expiryField = expiry.map { #","expirationTimestamp":"\#($0)""# } ?? ""
        writeScript(path, """
            n=$(cat "\(dir)/count" 2>/dev/null || echo 0); n=$((n+1)); echo $n > "\(dir)/count"
            printf '%s' "$KUBERNETES_EXEC_INFO" > "\(dir)/exec-info.json"
            printf '%s|%s|%s|%s' "$1" "$2" "$PLUGIN_SETTING" "$CALLER_VAR" > "\(dir)/seen.txt"
            printf '{"apiVersion":"\(apiVersion)","kind":"ExecCredential","status":{"token":"token-%s"\(expiryField)}}' "$n"
            """)
        return path
    }

    static func environment(_ dir: String, terminal: Bool = false) -> Environment {
        Environment(variables: ["PATH": "/usr/bin:/bin", "CALLER_VAR": "from-caller"], homeDirectory: dir, currentDirectory: dir, stdinIsTerminal: terminal)
    }

    func runs(_ dir: String) -> Int {
        Int((try? String(contentsOfFile: dir + "/count", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "0") ?? 0
    }

    @Test func v1PluginTokenAndExecInfo() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTemporaryDirectory(dir) }
        let config = ExecConfig(
            command: Self.tokenPlugin(dir: dir, apiVersion: ExecConfig.v1), args: ["get-token", "--fast"],
            env: [.init(name: "PLUGIN_SETTING", value: "on")], apiVersion: ExecConfig.v1, interactiveMode: .never)
        let provider = ExecCredentialProvider(config: config, environment: Self.environment(dir))
        let issued = try provider.credentials()
        #expect(issued.credentials.token == "token-1")
        #expect(try String(contentsOfFile: dir + "/seen.txt", encoding: .utf8) == "get-token|--fast|on|from-caller")
        let info = try JSONValue(parsing: String(contentsOfFile: dir + "/exec-info.json", encoding: .utf8))
        #expect(info == ["kind": "ExecCredential", "apiVersion": "client.authentication.k8s.io/v1", "spec": ["interactive": false]])
    }

    @Test func v1beta1PluginGetsClusterInfoWhenAsked() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTemporaryDirectory(dir) }
        let config = ExecConfig(command: Self.tokenPlugin(dir: dir, apiVersion: ExecConfig.v1beta1), apiVersion: ExecConfig.v1beta1, provideClusterInfo: true)
        let cluster: JSONValue = ["server": "https://k:6443", "certificate-authority-data": "Q0E=", "config": ["audience": "x"]]
        let provider = ExecCredentialProvider(config: config, clusterInfo: cluster, environment: Self.environment(dir))
        #expect(try provider.credentials().credentials.token == "token-1")
        let info = try JSONValue(parsing: String(contentsOfFile: dir + "/exec-info.json", encoding: .utf8))
        #expect(info["apiVersion"] == "client.authentication.k8s.io/v1beta1")
        #expect(info[path: ["spec", "cluster"]] == cluster)
        // v1beta1 defaults to IfAvailable; without a terminal the plugin is not interactive.
        #expect(info[path: ["spec", "interactive"]] == false)
        let onTerminal = ExecCredentialProvider(config: config, environment: Self.environment(dir, terminal: true))
        #expect(try onTerminal.interactive())
    }

    @Test func credentialsAreCachedUntilExpiry() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTemporaryDirectory(dir) }
        let config = ExecConfig(command: Self.tokenPlugin(dir: dir, apiVersion: ExecConfig.v1, expiry: "2030-01-01T00:00:00Z"), apiVersion: ExecConfig.v1, interactiveMode: .never)
        let clock = TestClock(RFC3339.parse("2029-12-31T23:59:00Z")!)
        let provider = ExecCredentialProvider(config: config, environment: Self.environment(dir), now: { clock.now })
        let first = try provider.credentials()
        #expect(first.credentials.expiration == RFC3339.parse("2030-01-01T00:00:00Z"))
        #expect(try provider.credentials() == first)
        #expect(runs(dir) == 1)
        clock.now = RFC3339.parse("2030-01-01T00:00:01Z")!
        #expect(try provider.credentials().credentials.token == "token-2")
        #expect(runs(dir) == 2)
    }

    @Test func refreshAfterUnauthorizedRunsThePluginOncePerCredentials() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTemporaryDirectory(dir) }
        let config = ExecConfig(command: Self.tokenPlugin(dir: dir, apiVersion: ExecConfig.v1), apiVersion: ExecConfig.v1, interactiveMode: .never)
        let provider = ExecCredentialProvider(config: config, environment: Self.environment(dir))
        let used = try provider.credentials()
        let fresh = try #require(provider.refresh(after: used))
        #expect(fresh.credentials.token == "token-2")
        // Another request that failed with the old credentials does not run the plugin again.
        #expect(provider.refresh(after: used)?.credentials.token == "token-2")
        #expect(runs(dir) == 2)
    }

    @Test func missingPluginMentionsTheInstallHint() {
        let config = ExecConfig(command: "definitely-not-installed-plugin", apiVersion: ExecConfig.v1, installHint: "Install it with: brew install the-plugin", interactiveMode: .never)
        let provider = ExecCredentialProvider(config: config, environment: Environment(variables: ["PATH": "/usr/bin:/bin"]))
        do {
            _ = try provider.credentials()
            Issue.record("expected an error")
        } catch {
            #expect(error == .pluginNotFound(command: "definitely-not-installed-plugin", installHint: "Install it with: brew install the-plugin"))
            #expect(error.description.contains("executable definitely-not-installed-plugin not found"))
            #expect(error.description.contains("Install it with: brew install the-plugin"))
            #expect(error.description.contains("client-go credential plugin that is not installed"))
        }
    }

    @Test func failingPluginReportsExitCodeAndStderr() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTemporaryDirectory(dir) }
        writeScript(dir + "/fail.sh", "echo 'login expired: run sso login' >&2\nexit 3\n")
        let provider = ExecCredentialProvider(config: ExecConfig(command: dir + "/fail.sh", apiVersion: ExecConfig.v1, interactiveMode: .never), environment: Self.environment(dir))
        #expect(throws: AuthError.pluginFailed(command: dir + "/fail.sh", exitCode: 3, signal: nil, stderr: "login expired: run sso login")) {
            try provider.credentials()
        }
    }

    @Test(arguments: [
        (#"{"apiVersion":"client.authentication.k8s.io/v1beta1","kind":"ExecCredential","status":{"token":"t"}}"#,
         "exec plugin is configured to use API version client.authentication.k8s.io/v1, plugin returned version client.authentication.k8s.io/v1beta1"),
        (#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential"}"#, "exec plugin didn't return a status field"),
        (#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{}}"#, "exec plugin didn't return a token or cert/key pair"),
        (#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":"C"}}"#, "exec plugin returned only certificate or key, not both"),
        (#"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"t","expirationTimestamp":"tomorrow"}}"#, "is not an RFC 3339 time"),
        ("not json", "decoding stdout"),
    ])
    func badOutputSaysWhatIsWrong(output: String, expected: String) {
        switch ExecCredentialCodec.decodeOutput(Array(output.utf8), apiVersion: ExecConfig.v1) {
        case .success: Issue.record("accepted \(output)")
        case .failure(let f): #expect(f.detail.contains(expected), "\(f.detail)")
        }
    }

    @Test func certificateOutputBecomesClientCertificate() throws {
        let out = #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"clientCertificateData":"CERT","clientKeyData":"KEY","expirationTimestamp":"2024-05-01T14:00:00.5+02:00"}}"#
        let creds = try ExecCredentialCodec.decodeOutput(Array(out.utf8), apiVersion: ExecConfig.v1).get()
        #expect(creds.token == nil && creds.clientCertificatePEM == Array("CERT".utf8) && creds.clientKeyPEM == Array("KEY".utf8))
        #expect(creds.expiration == RFC3339.parse("2024-05-01T12:00:00.5Z"))
        #expect(RFC3339.parse("1970-01-01T00:00:00Z") == 0)
        #expect(RFC3339.parse("2000-03-01T00:00:00Z") == 951_868_800)
    }

    @Test func alwaysModeNeedsATerminal() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTemporaryDirectory(dir) }
        let config = ExecConfig(command: Self.tokenPlugin(dir: dir, apiVersion: ExecConfig.v1), apiVersion: ExecConfig.v1, interactiveMode: .always)
        let provider = ExecCredentialProvider(config: config, environment: Self.environment(dir))
        #expect(throws: AuthError.pluginNeedsTerminal(command: config.command)) { try provider.credentials() }
        #expect(runs(dir) == 0)
    }

    @Test func unauthorizedResponseRerunsPluginAndRetriesOnce() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTemporaryDirectory(dir) }
        let server = LoopbackHTTPServer { req, _ in
            req.headers["authorization"] == "Bearer token-2"
                ? .json(200, #"{"kind":"Pod","metadata":{"name":"p"}}"#)
                : .json(401, #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"#)
        }
        defer { server.stop() }
        let config = ExecConfig(command: Self.tokenPlugin(dir: dir, apiVersion: ExecConfig.v1), apiVersion: ExecConfig.v1, interactiveMode: .never)
        let client = try testClient(server, credentials: Credentials(exec: config), environment: Self.environment(dir))
        let pod = try client.get("/api/v1/namespaces/default/pods/p")
        #expect(pod[path: ["metadata", "name"]] == "p")
        #expect(runs(dir) == 2)
        #expect(server.requests.map { $0.headers["authorization"] } == ["Bearer token-1", "Bearer token-2"])
        // A later request reuses the cached token without running the plugin.
        _ = try client.get("/api/v1/namespaces/default/pods/p")
        #expect(runs(dir) == 2)
    }

    @Test func persistentUnauthorizedIsReportedAfterOneRefresh() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTemporaryDirectory(dir) }
        let server = LoopbackHTTPServer { _, _ in .json(401, #"{"kind":"Status","status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"#) }
        defer { server.stop() }
        let config = ExecConfig(command: Self.tokenPlugin(dir: dir, apiVersion: ExecConfig.v1), apiVersion: ExecConfig.v1, interactiveMode: .never)
        let client = try testClient(server, credentials: Credentials(exec: config), environment: Self.environment(dir))
        #expect(throws: KubeAPIError.self) { try client.get("/api/v1/pods") }
        do { _ = try client.get("/api/v1/pods") } catch { #expect(error.isUnauthorized) }
        #expect(server.requests.count == 4)
        #expect(runs(dir) == 3)
    }
}

/// A settable clock for expiry tests.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var _now: Double
    init(_ now: Double) { _now = now }
    var now: Double {
        get { lock.withLock { _now } }
        set { lock.withLock { _now = newValue } }
    }
}
