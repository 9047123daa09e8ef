import Foundation
import JSON
import Synchronization
import Testing
@testable import KubeClient

/// Issue 12 (client cost: no per-pod threads): writes go out on one loop thread owning a curl multi
/// handle, many at once, and answer exactly as the blocking `send` does.
@Suite("Writes on the write loop")
struct WriteLoopTests {
    static let pod = #"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","namespace":"default"},"spec":{"note":"big"},"status":{"phase":"Running"}}"#
    static let path = "/api/v1/namespaces/default/pods/p"
    static let labels: JSONValue = ["metadata": ["labels": ["a": "b"]]]

    /// The results of async calls, the threads they completed on, and a wait for all of them.
    final class Answers<T: Sendable>: Sendable {
        private let state = Mutex<(results: [Int: T], threads: Set<UInt>)>(([:], []))
        private let group = DispatchGroup()

        func expect(_ n: Int) { for _ in 0..<n { group.enter() } }
        func record(_ i: Int, _ value: T) {
            let thread = UInt(pthread_self())
            state.withLock { s in
                s.results[i] = value
                s.threads.insert(thread)
            }
            group.leave()
        }
        func wait(seconds: Double = 20) -> Bool { group.wait(timeout: .now() + seconds) == .success }
        var results: [Int: T] { state.withLock { $0.results } }
        var threads: Set<UInt> { state.withLock { $0.threads } }
    }

    /// The answer of one write handed to the loop by `write` (nil when none came within 20 s).
    static func answer(_ write: (@escaping @Sendable (Result<JSONValue, KubeAPIError>) -> Void) -> Void)
        -> Result<JSONValue, KubeAPIError>? {
        let answers = Answers<Result<JSONValue, KubeAPIError>>()
        answers.expect(1)
        write { answers.record(0, $0) }
        return answers.wait() ? answers.results[0] : nil
    }

    @Test("12: 24 patches handed over at once are all in flight together on one loop thread, over keep-alive connections, each answered with its projected object")
    func manyWritesAtOnce() throws {
        let arrived = Mutex(0)
        let peak = Mutex(0)
        let release = DispatchSemaphore(value: 0)
        let server = LoopbackHTTPServer { _, _ in
            let n = arrived.withLock { a -> Int in
                a += 1
                return a
            }
            peak.withLock { $0 = max($0, n) }
            if n == 24 { for _ in 0..<24 { release.signal() } }
            _ = release.wait(timeout: .now() + 10)
            arrived.withLock { $0 -= 1 }
            return .json(200, Self.pod)
        }
        defer { server.stop() }
        let client = try testClient(server)
        let projection = JSONProjection(dropping: [["spec", "note"]])
        let answers = Answers<Result<JSONValue, KubeAPIError>>()
        answers.expect(24)
        for i in 0..<24 {
            client.patch("/api/v1/namespaces/default/pods/p\(i)", type: .strategicMerge, body: Self.labels, idempotent: true,
                         projection: projection) { answers.record(i, $0) }
        }
        #expect(answers.wait())
        #expect(peak.withLock { $0 } == 24, "every write was at the server at once")
        #expect(answers.threads.count == 1, "all answered on the loop's one thread")
        for (i, result) in answers.results {
            let object = try result.get()
            #expect(object[path: ["status", "phase"]] == "Running" && object[path: ["spec", "note"]] == nil, "write \(i)")
        }
        #expect(Set(server.requests.map(\.path)) == Set((0..<24).map { "/api/v1/namespaces/default/pods/p\($0)" }))
        #expect(server.requests.allSatisfy { $0.method == "PATCH" && $0.headers["content-type"] == "application/strategic-merge-patch+json" })
        #expect(client.requestCounter.snapshot == ["PATCH": 24])

        // The next burst reuses the connections the first one opened.
        let accepted = server.acceptCount
        let again = Answers<Result<JSONValue, KubeAPIError>>()
        again.expect(24)
        for i in 0..<24 { client.patch(Self.path, type: .merge, body: Self.labels, idempotent: true) { again.record(i, $0) } }
        #expect(again.wait())
        #expect(again.results.values.allSatisfy { (try? $0.get()) != nil })
        #expect(server.acceptCount == accepted, "keep-alive: no new connection for the second burst")
    }

    @Test("12: writes beyond the running limit wait their turn: never more at the server at once, each answered, in the order handed over")
    func writesBeyondTheLimitWait() throws {
        let atServer = Mutex(0)
        let peak = Mutex(0)
        let order = Mutex<[String]>([])
        let server = LoopbackHTTPServer { request, _ in
            let n = atServer.withLock { a -> Int in
                a += 1
                return a
            }
            peak.withLock { $0 = max($0, n) }
            order.withLock { $0.append(request.path) }
            usleep(20_000)
            atServer.withLock { $0 -= 1 }
            return .json(200, Self.pod)
        }
        defer { server.stop() }
        let client = try testClient(server, maxConcurrentWrites: 4)
        let answers = Answers<Result<JSONValue, KubeAPIError>>()
        answers.expect(20)
        for i in 0..<20 {
            client.patch("/api/v1/namespaces/default/pods/p\(i)", type: .merge, body: Self.labels, idempotent: true) { answers.record(i, $0) }
        }
        #expect(answers.wait())
        #expect(answers.results.count == 20 && answers.results.values.allSatisfy { (try? $0.get()) != nil })
        #expect(peak.withLock { $0 } == 4, "four at the server at once, no more")
        // The first four leave together; each later one only after an earlier one was answered, oldest
        // first (two that leave together may reach the server in either order).
        let arrived = order.withLock { $0 }.map { Int($0.split(separator: "p").last!)! }
        #expect(Set(arrived.prefix(4)) == Set(0..<4), "\(arrived)")
        for j in 0..<16 { #expect(arrived.firstIndex(of: j)! < arrived.firstIndex(of: j + 4)!, "\(j) before \(j + 4): \(arrived)") }
        #expect(server.acceptCount <= 4, "no more connections than writes at once")
    }

    @Test("a write whose answer is read for its metadata alone asks for PartialObjectMetadata, with the whole object as fallback; other writes ask for JSON")
    func metadataAnswers() throws {
        let server = LoopbackHTTPServer { _, _ in .json(200, Self.pod) }
        defer { server.stop() }
        let client = try testClient(server)
        let metadata = JSONProjection(digest: { (s: inout JSONScanner) throws(JSONParseError) -> JSONValue in
            var name: JSONValue = .null
            try s.members { s, key throws(JSONParseError) in
                guard key == "metadata" else { return }
                try s.members { s, key throws(JSONParseError) in if key == "name", let n = try s.string() { name = .string(n) } }
            }
            return name
        }, reading: ["metadata"])
        let nothing = JSONProjection(digest: { (s: inout JSONScanner) throws(JSONParseError) -> JSONValue in
            try s.skip()
            return .null
        }, reading: [])
        let wider = JSONProjection(digest: { (s: inout JSONScanner) throws(JSONParseError) -> JSONValue in
            try s.skip()
            return .null
        }, reading: ["metadata", "status"])
        #expect(try Self.answer { client.patch(Self.path, type: .merge, body: Self.labels, projection: metadata, completion: $0) }?.get() == "p",
                "a server answering with the whole object (the fallback) reads the same")
        _ = Self.answer { client.post("/api/v1/namespaces/default/events", body: ["kind": "Event"], projection: nothing, completion: $0) }
        _ = Self.answer { client.patch(Self.path, type: .merge, body: Self.labels, projection: wider, completion: $0) }
        _ = Self.answer { client.patch(Self.path, type: .merge, body: Self.labels, projection: JSONProjection(dropping: [["spec"]]), completion: $0) }
        _ = try client.patch(Self.path, type: .merge, body: Self.labels, projection: metadata)
        let accepts = server.requests.map { $0.headers["accept"] ?? "" }
        let metadataOnly = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json"
        #expect(accepts == [metadataOnly, metadataOnly, "application/json", "application/json", metadataOnly], "\(accepts)")
    }

    @Test("12: a Status answer is the typed error the blocking call throws, with no retry")
    func statusError() throws {
        let conflict = #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Operation cannot be fulfilled on pods \"p\": the object has been modified","reason":"Conflict","code":409}"#
        let server = LoopbackHTTPServer { _, _ in .json(409, conflict) }
        defer { server.stop() }
        let sleeper = RecordingSleeper()
        let client = try testClient(server, sleeper: sleeper)
        let answer = Self.answer { client.patch(Self.path, type: .merge, body: Self.labels, idempotent: true, completion: $0) }
        #expect(answer != nil)
        var blocking: KubeAPIError?
        do { _ = try client.patch(Self.path, type: .merge, body: Self.labels, idempotent: true) } catch { blocking = error }
        guard case .failure(let error)? = answer else {
            Issue.record("expected a failure: \(String(describing: answer))")
            return
        }
        #expect(error.isConflict && error.statusCode == 409)
        #expect(error.apiStatus?.message == "Operation cannot be fulfilled on pods \"p\": the object has been modified")
        #expect(error.description == blocking?.description)
        #expect(server.requests.count == 2 && sleeper.waits.isEmpty)
    }

    @Test("12: 429 with Retry-After, then success: the write waits as the blocking one does and succeeds")
    func tooManyRequestsThenSuccess() throws {
        let server = LoopbackHTTPServer { _, n in
            n == 1
                ? .json(429, #"{"kind":"Status","status":"Failure","message":"Too many requests","reason":"TooManyRequests","code":429}"#, headers: [("Retry-After", "2")])
                : .json(200, Self.pod)
        }
        defer { server.stop() }
        let sleeper = RecordingSleeper()
        let client = try testClient(server, sleeper: sleeper)
        let answer = Self.answer { client.post("/api/v1/namespaces/default/pods", body: json(Self.pod), completion: $0) }
        #expect(answer != nil)
        #expect(try answer?.get()[path: ["metadata", "name"]] == "p")
        #expect(sleeper.waits == [.seconds(2)])
        #expect(server.requests.map(\.method) == ["POST", "POST"])
        #expect(client.requestCounter.snapshot == ["POST": 2])
    }

    @Test("12: 503 is retried with backoff for an idempotent patch, and not for a POST; a dropped connection likewise")
    func retriesFollowThePolicy() throws {
        let server = LoopbackHTTPServer { req, n in
            if req.method == "POST" { return .json(503, "{}") }
            if n == 1 { return .json(503, "{}") }
            if n == 2 { return .closeWithoutResponse }
            return .json(200, Self.pod)
        }
        defer { server.stop() }
        let sleeper = RecordingSleeper()
        let client = try testClient(server, sleeper: sleeper)
        let answer = Self.answer { client.patch(Self.path, type: .merge, body: Self.labels, idempotent: true, completion: $0) }
        #expect(answer != nil)
        #expect((try? answer?.get()) != nil)
        #expect(server.requests.count == 3)
        #expect(sleeper.waits == [.milliseconds(250), .milliseconds(500)])

        let posts = Answers<Result<JSONValue, KubeAPIError>>()
        posts.expect(1)
        client.post("/api/v1/namespaces/default/pods", body: json(Self.pod)) { posts.record(0, $0) }
        #expect(posts.wait())
        guard case .failure(let error)? = posts.results[0] else {
            Issue.record("a POST answered 503 is not retried")
            return
        }
        #expect(error.isServerError && error.statusCode == 503)
        #expect(server.requests.filter { $0.method == "POST" }.count == 1)
        #expect(sleeper.waits.count == 2)
    }

    @Test("12: a 401 runs the exec plugin again and the write succeeds with the new token, whether the credentials were still to be issued or rotated under a write already on the loop")
    func unauthorizedRefreshesExecCredentials() throws {
        let dir = makeTemporaryDirectory()
        defer { removeTemporaryDirectory(dir) }
        let accepted = Mutex("Bearer token-2")
        let server = LoopbackHTTPServer { req, _ in
            req.headers["authorization"] == accepted.withLock({ $0 })
                ? .json(200, Self.pod)
                : .json(401, #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Unauthorized","reason":"Unauthorized","code":401}"#)
        }
        defer { server.stop() }
        let config = ExecConfig(command: ExecPluginTests.tokenPlugin(dir: dir, apiVersion: ExecConfig.v1), apiVersion: ExecConfig.v1,
                                interactiveMode: .never)
        let client = try testClient(server, credentials: Credentials(exec: config), environment: ExecPluginTests.environment(dir))
        let answer = Self.answer { client.patch(Self.path, type: .merge, body: Self.labels, idempotent: true, completion: $0) }
        #expect(answer != nil)
        #expect(try answer?.get()[path: ["metadata", "name"]] == "p")
        #expect(server.requests.map { $0.headers["authorization"] } == ["Bearer token-1", "Bearer token-2"])
        #expect(ExecPluginTests().runs(dir) == 2)

        // With the token cached, the next write goes out on the loop with it, and the plugin does not run.
        let next = Answers<Result<JSONValue, KubeAPIError>>()
        next.expect(1)
        client.patch(Self.path, type: .merge, body: Self.labels, idempotent: true) { next.record(0, $0) }
        #expect(next.wait())
        #expect((try? next.results[0]?.get()) != nil)
        #expect(server.requests.last?.headers["authorization"] == "Bearer token-2")
        #expect(ExecPluginTests().runs(dir) == 2)

        // The server stops taking that token: the 401 answered on the loop runs the plugin again.
        accepted.withLock { $0 = "Bearer token-3" }
        let rotated = Answers<Result<JSONValue, KubeAPIError>>()
        rotated.expect(1)
        client.patch(Self.path, type: .merge, body: Self.labels, idempotent: true) { rotated.record(0, $0) }
        #expect(rotated.wait())
        #expect((try? rotated.results[0]?.get()) != nil)
        #expect(server.requests.suffix(2).map { $0.headers["authorization"] } == ["Bearer token-2", "Bearer token-3"])
        #expect(ExecPluginTests().runs(dir) == 3)
    }

    @Test("12: a transport failure is the blocking call's error: a refused connection after its retries")
    func refusedConnection() throws {
        let server = LoopbackHTTPServer { _, _ in .json(200, "{}") }
        let port = server.port
        server.stop()
        let sleeper = RecordingSleeper()
        let client = try KubeClient(config: ClientConfig(server: "http://127.0.0.1:\(port)"),
                                    options: KubeClientOptions(logSink: { _ in }, sleeper: sleeper, environment: memoryEnvironment()))
        let answer = Self.answer { client.post("/api/v1/namespaces/default/events", body: json(Self.pod), completion: $0) }
        #expect(answer != nil)
        guard case .failure(let error)? = answer else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.classification == .transport && error.description.contains("is the cluster reachable"))
        #expect(sleeper.waits.count == 2, "3 connect attempts, as the blocking call makes")
        #expect(client.requestCounter.snapshot == ["POST": 3])
    }

    @Test("12: the trace marks a write when it leaves the loop and when its answer arrives")
    func traced() throws {
        let server = LoopbackHTTPServer { _, _ in .json(200, Self.pod) }
        defer { server.stop() }
        let dir = makeTemporaryDirectory()
        defer { removeTemporaryDirectory(dir) }
        let config = ClientConfig(server: server.baseURL)
        let client = try KubeClient(config: config, options: KubeClientOptions(
            logSink: { _ in }, environment: memoryEnvironment(), trace: ClientTrace(path: dir + "/trace")))
        let answer = Self.answer { client.patch(Self.path, type: .merge, body: Self.labels, completion: $0) }
        #expect(answer != nil)
        #expect(try String(contentsOfFile: dir + "/trace", encoding: .utf8).isEmpty, "lines are kept until a block fills or a flush")
        client.trace?.flush()
        let lines = try String(contentsOfFile: dir + "/trace", encoding: .utf8).split(separator: "\n").map { $0.split(separator: " ").dropFirst().joined(separator: " ") }
        #expect(lines == ["send PATCH \(Self.path)", "done PATCH \(Self.path) 200"])
    }

    @Test("12: closing the loop: what it accepted is answered, later requests are refused at once, and its thread ends")
    func close() throws {
        let server = LoopbackHTTPServer { _, _ in
            Thread.sleep(forTimeInterval: 0.3)
            return .json(200, Self.pod)
        }
        defer { server.stop() }
        let setup = CurlHandleSetup(settings: TransportSettings(server: try ServerURL.parse(server.baseURL, defaultTLS: true), userAgent: "test"),
                                    share: CurlShare(), resumption: SessionResumption())
        let loop = CurlWriteLoop(setup: setup)
        let answers = Answers<Result<HTTPResponse, TransportError>>()
        answers.expect(3)
        for i in 0..<2 {
            loop.submit(HTTPRequest(method: "GET", url: server.baseURL + Self.path), onStart: nil) { answers.record(i, $0) }
        }
        loop.close()
        loop.submit(HTTPRequest(method: "GET", url: server.baseURL + Self.path), onStart: nil) { answers.record(2, $0) }
        #expect(answers.wait())
        #expect((try? answers.results[0]?.get())?.status == 200 && (try? answers.results[1]?.get())?.status == 200)
        guard case .failure(let refused)? = answers.results[2] else {
            Issue.record("a request after close is refused")
            return
        }
        #expect(refused.kind == .cancelled)
        let deadline = ContinuousClock.now + .seconds(5)
        while !loop.hasEnded && ContinuousClock.now < deadline { Thread.sleep(forTimeInterval: 0.01) }
        #expect(loop.hasEnded)
        #expect(server.requests.count == 2)
    }
}
