import Foundation
import JSON
import Testing
@testable import KubeClient

@Suite("HTTP behaviour over loopback")
struct HTTPTransportTests {
    static let pod = #"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","namespace":"default"}}"#

    @Test func keepAliveReusesOneConnection() throws {
        let server = LoopbackHTTPServer { _, _ in .json(200, Self.pod) }
        defer { server.stop() }
        let client = try testClient(server)
        for _ in 0..<6 { _ = try client.get("/api/v1/namespaces/default/pods/p") }
        #expect(server.requests.count == 6)
        #expect(server.acceptCount == 1)
        #expect(Set(server.requests.map(\.connection)) == [1])
        let first = try #require(server.requests.first)
        #expect(first.headers["user-agent"] == "kubectl-inplace/test")
        #expect(first.headers["accept"] == "application/json")
        #expect(first.method == "GET" && first.path == "/api/v1/namespaces/default/pods/p")
        #expect(first.headers["accept-encoding"] == "gzip", "a read may come back compressed (a large list)")
    }

    @Test func tooManyRequestsHonoursRetryAfterThenSucceeds() throws {
        let server = LoopbackHTTPServer { _, n in
            n == 1
                ? .json(429, #"{"kind":"Status","status":"Failure","message":"Too many requests","reason":"TooManyRequests","code":429}"#, headers: [("Retry-After", "2")])
                : .json(200, Self.pod)
        }
        defer { server.stop() }
        let sleeper = RecordingSleeper()
        let client = try testClient(server, sleeper: sleeper)
        let pod = try client.get("/api/v1/namespaces/default/pods/p")
        #expect(pod[path: ["metadata", "name"]] == "p")
        #expect(sleeper.waits == [.seconds(2)])
        #expect(server.requests.count == 2)
        #expect(client.requestCounter.snapshot == ["GET": 2])
    }

    @Test func serviceUnavailableIsRetriedWithBackoffForGets() throws {
        let server = LoopbackHTTPServer { _, n in n <= 2 ? .json(503, "{}") : .json(200, Self.pod) }
        defer { server.stop() }
        let sleeper = RecordingSleeper()
        let client = try testClient(server, sleeper: sleeper)
        _ = try client.get("/api/v1/pods")
        #expect(server.requests.count == 3)
        #expect(sleeper.waits == [.milliseconds(250), .milliseconds(500)])
    }

    @Test func retriesAreBounded() throws {
        let server = LoopbackHTTPServer { _, _ in .response(status: 503, headers: [], body: "overloaded") }
        defer { server.stop() }
        let client = try testClient(server, retry: RetryPolicy(maxAttempts: 3))
        do {
            _ = try client.get("/api/v1/pods")
            Issue.record("expected an error")
        } catch {
            #expect(error.isServerError && error.statusCode == 503)
            #expect(error.apiStatus?.message == "the server is currently unable to handle the request")
        }
        #expect(server.requests.count == 3)
    }

    @Test func retriesStopAtTheDeadline() throws {
        let server = LoopbackHTTPServer { _, _ in .json(503, "{}", headers: [("Retry-After", "30")]) }
        defer { server.stop() }
        let sleeper = RecordingSleeper()
        let client = try testClient(server, sleeper: sleeper)
        client.retryDeadline.set(secondsFromNow: 1)
        #expect(throws: KubeAPIError.self) { try client.get("/api/v1/pods") }
        #expect(!sleeper.waits.isEmpty && sleeper.waits.allSatisfy { $0 <= .seconds(1) }, "Retry-After cut short at the deadline: \(sleeper.waits)")
        client.retryDeadline.set(secondsFromNow: 0)
        let before = server.requests.count
        #expect(throws: KubeAPIError.self) { try client.get("/api/v1/pods") }
        #expect(server.requests.count == before + 1, "past the deadline: one attempt, no retry")
        client.retryDeadline.set(secondsFromNow: nil)
        #expect(RetryDeadline().wait(for: .seconds(30)) == .seconds(30))
    }

    @Test func postIsNotRetriedOnServerError() throws {
        let server = LoopbackHTTPServer { _, _ in .json(503, "{}") }
        defer { server.stop() }
        let sleeper = RecordingSleeper()
        let client = try testClient(server, sleeper: sleeper)
        #expect(throws: KubeAPIError.self) { try client.post("/api/v1/namespaces/default/pods", body: json(Self.pod)) }
        #expect(server.requests.count == 1)
        #expect(sleeper.waits.isEmpty)
        let req = try #require(server.requests.first)
        #expect(req.method == "POST" && req.headers["content-type"] == "application/json")
        #expect(try JSONValue(parsing: req.body) == json(Self.pod))
    }

    @Test func droppedConnectionIsRetriedOnlyForIdempotentRequests() throws {
        let server = LoopbackHTTPServer { req, n in
            if n == 1 || req.method == "PATCH" { return .closeWithoutResponse }
            return .json(200, Self.pod)
        }
        defer { server.stop() }
        let client = try testClient(server)
        _ = try client.get("/api/v1/pods/p")
        #expect(server.requests.count == 2)
        // A fresh client, so libcurl's own one-time resend on a stale reused connection is not
        // in play: the request goes out once and is not retried by the policy.
        let fresh = try testClient(server)
        do {
            _ = try fresh.patch("/api/v1/namespaces/default/pods/p", type: .merge, body: ["metadata": ["labels": ["a": "b"]]])
            Issue.record("expected an error")
        } catch {
            #expect(error.classification == .transport)
        }
        #expect(server.requests.filter { $0.method == "PATCH" }.count == 1)
    }

    @Test func requestTimeoutAbortsAHungRequest() throws {
        let server = LoopbackHTTPServer { _, _ in .hang(milliseconds: 3000) }
        defer { server.stop() }
        let client = try testClient(server, timeout: .milliseconds(300))
        let started = ContinuousClock.now
        do {
            _ = try client.get("/api/v1/pods")
            Issue.record("expected a timeout")
        } catch {
            #expect(error.isTimeout)
            #expect(error.description.contains("timed out"))
        }
        #expect(ContinuousClock.now - started < .milliseconds(1500))
        #expect(server.requests.count == 1)
    }

    @Test func refusedConnectionSaysIsTheClusterReachable() throws {
        let server = LoopbackHTTPServer { _, _ in .json(200, "{}") }
        let port = server.port
        server.stop()
        let sleeper = RecordingSleeper()
        let config = ClientConfig(server: "http://127.0.0.1:\(port)")
        let client = try KubeClient(config: config, options: KubeClientOptions(logSink: { _ in }, sleeper: sleeper, environment: memoryEnvironment()))
        do {
            _ = try client.get("/version")
            Issue.record("expected an error")
        } catch {
            #expect(error.classification == .transport)
            #expect(error.description.contains("The connection to the server 127.0.0.1:\(port) was refused"))
            #expect(error.description.contains("is the cluster reachable?"))
        }
        #expect(sleeper.waits.count == 2)
        #expect(client.requestCounter.snapshot == ["GET": 3])
    }

    @Test func patchTypesDryRunAndFieldManager() throws {
        let server = LoopbackHTTPServer { _, _ in .json(200, Self.pod) }
        defer { server.stop() }
        let client = try testClient(server)
        _ = try client.patch("/api/v1/namespaces/default/pods/p/status", type: .strategicMerge, body: ["status": ["conditions": [["type": "InPlaceUpdateReady", "status": "False"]]]], dryRun: true)
        _ = try client.patch("/api/v1/namespaces/default/pods/p", type: .json, body: [["op": "test", "path": "/metadata/uid", "value": "u"]])
        _ = try client.patch("/apis/apps/v1/namespaces/default/deployments/web", type: .apply(fieldManager: "kubectl-inplace", force: true), body: ["apiVersion": "apps/v1"])
        _ = try client.put("/api/v1/namespaces/default/pods/p", body: json(Self.pod), fieldManager: "kubectl-inplace")
        _ = try client.delete("/api/v1/namespaces/default/pods/p", dryRun: true, options: ["propagationPolicy": "Background"])
        let r = server.requests
        #expect(r[0].method == "PATCH" && r[0].headers["content-type"] == "application/strategic-merge-patch+json" && r[0].query["dryRun"] == "All")
        #expect(r[1].headers["content-type"] == "application/json-patch+json" && r[1].query["dryRun"] == nil)
        #expect(r[2].headers["content-type"] == "application/apply-patch+yaml" && r[2].query["fieldManager"] == "kubectl-inplace" && r[2].query["force"] == "true")
        #expect(r[3].method == "PUT" && r[3].query["fieldManager"] == "kubectl-inplace")
        #expect(r[4].method == "DELETE" && r[4].query["dryRun"] == "All" && r[4].bodyText.contains("Background"))
        #expect(client.requestCounter.snapshot == ["PATCH": 3, "PUT": 1, "DELETE": 1])
        #expect(r.allSatisfy { $0.headers["accept-encoding"] == nil }, "a write's answer is never large enough to be compressed")
    }

    @Test func serverErrorsBecomeTypedErrors() throws {
        let server = LoopbackHTTPServer { req, _ in
            switch req.path {
            case "/conflict":
                return .json(409, #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"Operation cannot be fulfilled on pods \"x\": the object has been modified; please apply your changes to the latest version and try again","reason":"Conflict","details":{"name":"x","kind":"pods"},"code":409}"#)
            case "/text":
                return .response(status: 200, headers: [], body: "not json")
            default:
                return .json(404, #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"pods \"x\" not found","reason":"NotFound","details":{"name":"x","kind":"pods"},"code":404}"#)
            }
        }
        defer { server.stop() }
        let client = try testClient(server)
        do { _ = try client.get("/missing") } catch { #expect(error.isNotFound && error.apiStatus?.name == "x") }
        do { _ = try client.patch("/conflict", type: .merge, body: [:]) } catch { #expect(error.isConflict) }
        do { _ = try client.get("/text") } catch { #expect(error.classification == .invalidResponse) }
        #expect(try client.getRaw("/text") == Array("not json".utf8))
    }

    @Test func queryValuesArePercentEncoded() throws {
        let server = LoopbackHTTPServer { _, _ in .json(200, #"{"kind":"PodList","metadata":{"resourceVersion":"1"},"items":[]}"#) }
        defer { server.stop() }
        let client = try testClient(server)
        try client.list("/api/v1/pods", labelSelector: "app in (web, api),tier!=db", fieldSelector: "spec.nodeName=n1") { _, _ in }
        let req = try #require(server.requests.first)
        #expect(req.target.contains("labelSelector=app%20in%20%28web%2C%20api%29%2Ctier%21%3Ddb"))
        #expect(req.query["labelSelector"] == "app in (web, api),tier!=db")
        #expect(req.query["fieldSelector"] == "spec.nodeName=n1")
        #expect(req.query["limit"] == "500")
    }

    @Test func concurrentRequestsFromManyThreads() async throws {
        let server = LoopbackHTTPServer { req, _ in .json(200, #"{"path":"\#(req.path)"}"#) }
        defer { server.stop() }
        let client = try testClient(server)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for i in 0..<8 {
                group.addTask {
                    for j in 0..<5 {
                        let v = try client.get("/thing/\(i)/\(j)")
                        #expect(v["path"] == .string("/thing/\(i)/\(j)"))
                    }
                }
            }
            try await group.waitForAll()
        }
        #expect(server.requests.count == 40)
        #expect(server.acceptCount <= 8)
        #expect(client.requestCounter.total == 40)
    }

    @Test func contentLengthIsFoundInAnyCaseAndNothingElse() {
        func named(_ name: String) -> Bool { HTTPHeader(name, "").named("Content-Length") }
        for name in ["Content-Length", "content-length", "CONTENT-LENGTH"] { #expect(named(name), "\(name)") }
        for name in ["Content-Lengths", "Content_Length", "content\rlength", "Content-Type", ""] { #expect(!named(name), "\(name)") }
    }
}
