import Foundation
import JSON
import Testing
@testable import KubeClient

/// A server that misbehaves (endless or huge bodies, a trickle, redirects, endless watch events)
/// ends the request with a clear error in bounded time and memory; credentials do not travel in
/// clear text off the machine or to another host; exec plugin output is bounded.
@Suite("Limits against hostile servers", .timeLimit(.minutes(1)))
struct HostileServerTests {
    func client(
        _ server: LoopbackHTTPServer, limits: TransportLimits, maxWatchEventBytes: Int = 16 << 20,
        credentials: Credentials = Credentials(bearerToken: "secret-token")
    ) throws -> KubeClient {
        let config = ClientConfig(server: server.baseURL, credentials: credentials, requestTimeout: .seconds(40))
        return try KubeClient(config: config, options: KubeClientOptions(
            logSink: { _ in }, retryPolicy: RetryPolicy(maxAttempts: 1), sleeper: RecordingSleeper(),
            environment: memoryEnvironment(), connectTimeout: .seconds(5), limits: limits,
            maxWatchEventBytes: maxWatchEventBytes))
    }

    func transportKind(_ body: () throws -> Void) -> TransportError? {
        do { try body() } catch let error as KubeAPIError {
            if case .transport(let t) = error { return t }
        } catch {}
        return nil
    }

    @Test func aBodyOverTheLimitIsCutOff() throws {
        let big = "{\"items\":\"" + String(repeating: "x", count: 3 << 20) + "\"}"
        let server = LoopbackHTTPServer { _, _ in .json(200, big) }
        defer { server.stop() }
        let c = try client(server, limits: TransportLimits(maxResponseBytes: 1 << 20))
        let failure = try #require(transportKind { _ = try c.get("/api/v1/pods") })
        #expect(failure.kind == .responseTooLarge)
        #expect(failure.description.contains("exceeded 1048576 bytes"))
    }

    @Test func aNeverEndingChunkedBodyIsCutOffAtTheLimit() throws {
        let server = LoopbackHTTPServer { _, _ in
            .chunked(status: 200, headers: [("Content-Type", "application/json")], chunks: [
                .data("{\"items\":[\""), .repeatForever(String(repeating: "y", count: 8192)),
            ])
        }
        defer { server.stop() }
        let c = try client(server, limits: TransportLimits(maxResponseBytes: 1 << 20))
        let started = ContinuousClock.now
        let failure = try #require(transportKind { _ = try c.get("/api/v1/pods") })
        #expect(failure.kind == .responseTooLarge)
        #expect(ContinuousClock.now - started < .seconds(20))
    }

    @Test func aSlowLorisServerIsCutOffWhenTheRateStaysTooLow() throws {
        let server = LoopbackHTTPServer { _, _ in
            .chunked(status: 200, headers: [("Content-Type", "application/json")], chunks: [.trickle("{\"a\":1}    ", milliseconds: 100)])
        }
        defer { server.stop() }
        let c = try client(server, limits: TransportLimits(minimumBytesPerSecond: 100, stallTime: .seconds(2)))
        let started = ContinuousClock.now
        let failure = try #require(transportKind { _ = try c.get("/api/v1/pods") })
        #expect(failure.kind == .timedOut)
        #expect(failure.detail.contains("too slow"))
        #expect(ContinuousClock.now - started < .seconds(15))
    }

    @Test func aWatchEventThatNeverEndsIsRefusedAtTheEventLimit() throws {
        let server = LoopbackHTTPServer { _, _ in
            .chunked(status: 200, headers: [("Content-Type", "application/json")], chunks: [
                .data("{\"type\":\"ADDED\",\"object\":{\"metadata\":{\"name\":\"a\"}}}\n"),
                .data("{\"type\":\"ADDED\",\"object\":{\"data\":\""), .repeatForever(String(repeating: "z", count: 4096)),
            ])
        }
        defer { server.stop() }
        let c = try client(server, limits: TransportLimits(), maxWatchEventBytes: 256 << 10)
        var events = 0
        let error = #expect(throws: KubeAPIError.self) {
            try c.watch("/api/v1/pods") { _ in events += 1; return .continue }
        }
        #expect(events == 1)
        #expect(error?.description.contains("an event is larger than 262144 bytes") == true)
    }

    @Test func aRedirectToAnotherHostIsNotFollowedAndNoCredentialsReachIt() throws {
        let other = LoopbackHTTPServer { _, _ in .json(200, "{}") }
        defer { other.stop() }
        let server = LoopbackHTTPServer { request, _ in
            .response(status: 302, headers: [("Location", "http://localhost:\(other.port)\(request.target)")], body: "")
        }
        defer { server.stop() }
        let c = try client(server, limits: TransportLimits())
        let error = #expect(throws: KubeAPIError.self) { _ = try c.get("/api/v1/pods") }
        #expect(error?.description.contains("redirects are not followed") == true)
        #expect(error?.description.contains("localhost:\(other.port)") == true)
        #expect(other.requests.isEmpty)
        #expect(server.requests.count == 1)
    }

    @Test func aWatchRedirectIsRefusedToo() throws {
        let server = LoopbackHTTPServer { _, _ in .response(status: 307, headers: [("Location", "https://evil.example/")], body: "") }
        defer { server.stop() }
        let c = try client(server, limits: TransportLimits())
        let error = #expect(throws: KubeAPIError.self) { try c.watch("/api/v1/pods") { _ in .continue } }
        #expect(error?.description.contains("redirecting to https://evil.example/") == true)
    }

    /// The loopback server acts as an HTTP proxy for a plain-http server elsewhere: what it
    /// receives is what would cross the network.
    @Test(arguments: [
        Credentials(bearerToken: "secret-token"),
        Credentials(username: "admin", password: "secret-password"),
    ])
    func credentialsAreNotSentInClearTextOffTheMachine(_ credentials: Credentials) throws {
        let proxy = LoopbackHTTPServer { _, _ in .json(200, "{}") }
        defer { proxy.stop() }
        let config = ClientConfig(
            server: "http://api.example.invalid:8080", credentials: credentials, proxyURL: proxy.baseURL,
            requestTimeout: .seconds(10))
        let c = try KubeClient(config: config, options: KubeClientOptions(
            logSink: { _ in }, sleeper: RecordingSleeper(), environment: memoryEnvironment(), connectTimeout: .seconds(5)))
        let error = #expect(throws: KubeAPIError.self) { _ = try c.get("/api/v1/pods") }
        #expect(error == .authentication(.insecureServer(server: "http://api.example.invalid:8080")))
        #expect(error?.description.contains("use an https:// server address") == true)
        #expect(proxy.requests.allSatisfy { $0.headers["authorization"] == nil })
        #expect(proxy.requests.isEmpty)

        let anonymous = try KubeClient(
            config: ClientConfig(server: "http://api.example.invalid:8080", proxyURL: proxy.baseURL, requestTimeout: .seconds(10)),
            options: KubeClientOptions(logSink: { _ in }, sleeper: RecordingSleeper(), environment: memoryEnvironment()))
        _ = try anonymous.get("/api/v1/pods")
        #expect(proxy.requests.count == 1)
        #expect(proxy.requests.first?.target == "http://api.example.invalid:8080/api/v1/pods")
    }

    @Test func credentialsStillGoToALoopbackHTTPServer() throws {
        let server = LoopbackHTTPServer { _, _ in .json(200, "{}") }
        defer { server.stop() }
        _ = try client(server, limits: TransportLimits()).get("/api")
        #expect(server.requests.first?.headers["authorization"] == "Bearer secret-token")
        #expect(KubeClient.isLoopback("127.0.0.1") && KubeClient.isLoopback("127.9.8.7") && KubeClient.isLoopback("::1"))
        #expect(!KubeClient.isLoopback("127.0.0.1.example.com") && !KubeClient.isLoopback("10.0.0.1"))
    }

    @Test func execPluginOutputIsBounded() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTemporaryDirectory(dir) }
        let path = dir + "/endless.sh"
        writeScript(path, "exec yes '{\"apiVersion\":\"client.authentication.k8s.io/v1\"}'\n")
        let config = ExecConfig(command: path, apiVersion: ExecConfig.v1, interactiveMode: .never)
        let provider = ExecCredentialProvider(config: config, environment: ExecPluginTests.environment(dir))
        let error = #expect(throws: AuthError.self) { _ = try provider.credentials() }
        #expect(error == .pluginOutputInvalid(
            command: path, detail: "it wrote more than \(ExecPluginRunner.defaultOutputLimit) bytes and was stopped"))
    }
}
