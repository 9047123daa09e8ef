import Foundation
import JSON
import Synchronization
import Testing
@testable import KubeClient

@Suite("List and watch over loopback")
struct ListWatchTests {
    static func podList(rv: String, names: [String], next: String? = nil) -> String {
        let items = names.map { #"{"metadata":{"name":"\#($0)","resourceVersion":"\#(rv)"}}"# }.joined(separator: ",")
        let cont = next.map { #","continue":"\#($0)""# } ?? ""
        return #"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"\#(rv)"\#(cont)},"items":[\#(items)]}"#
    }
    static func event(_ type: String, _ name: String, rv: String) -> String {
        #"{"type":"\#(type)","object":{"kind":"Pod","apiVersion":"v1","metadata":{"name":"\#(name)","resourceVersion":"\#(rv)"}}}"# + "\n"
    }
    static func bookmark(rv: String) -> String { #"{"type":"BOOKMARK","object":{"kind":"Pod","apiVersion":"v1","metadata":{"resourceVersion":"\#(rv)"}}}"# + "\n" }
    static let expired = #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"too old resource version: 100 (250)","reason":"Expired","code":410}}"# + "\n"

    @Test func listFollowsContinueTokens() throws {
        let server = LoopbackHTTPServer { req, _ in
            switch req.query["continue"] {
            case nil: return .json(200, Self.podList(rv: "42", names: ["a", "b"], next: "t1"))
            case "t1": return .json(200, Self.podList(rv: "42", names: ["c"], next: "t2"))
            default: return .json(200, Self.podList(rv: "42", names: []))
            }
        }
        defer { server.stop() }
        let client = try testClient(server)
        var pages: [([String], ListMeta)] = []
        let rv = try client.list("/api/v1/namespaces/default/pods", labelSelector: "app=web", limit: 2) { items, meta in
            #expect(items.allSatisfy { $0["kind"] == "Pod" && $0["apiVersion"] == "v1" })
            pages.append((items.compactMap { $0[path: ["metadata", "name"]]?.string }, meta))
        }
        #expect(rv == "42")
        #expect(pages.map(\.0) == [["a", "b"], ["c"], []])
        #expect(pages.map(\.1.pageIndex) == [0, 1, 2])
        #expect(pages.map(\.1.continueToken) == ["t1", "t2", nil])
        #expect(server.requests.map { $0.query["limit"] } == ["2", "2", "2"])
        #expect(server.requests.map { $0.query["labelSelector"] } == ["app=web", "app=web", "app=web"])
        #expect(client.requestCounter.snapshot == ["LIST": 3])
    }

    @Test func expiredContinueTokenRestartsTheListOnce() throws {
        let server = LoopbackHTTPServer { req, n in
            switch (req.query["continue"], n) {
            case (nil, 1): return .json(200, Self.podList(rv: "10", names: ["old-a"], next: "stale"))
            case ("stale", _): return .json(410, #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"The provided continue parameter is too old","reason":"Expired","code":410}"#)
            case (nil, _): return .json(200, Self.podList(rv: "20", names: ["a"], next: "fresh"))
            default: return .json(200, Self.podList(rv: "20", names: ["b"]))
            }
        }
        defer { server.stop() }
        let client = try testClient(server)
        var restartedFlags: [Bool] = []
        _ = try client.list("/api/v1/pods") { _, meta in restartedFlags.append(meta.restarted) }
        #expect(restartedFlags == [false, true, false])
        let all = try client.listAll("/api/v1/pods")
        #expect(all.resourceVersion == "20")
        #expect(all.items.compactMap { $0[path: ["metadata", "name"]]?.string } == ["a", "b"])
    }

    @Test func listEachHandsOverTheItemsListGivesOneAtATime() throws {
        let pages = [
            #"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"5","continue":"t1"},"items":[{"metadata":{"name":"a","annotations":{"x":"]}[{\"\\"}},"spec":{"nodeName":"n1","volumes":[{"name":"v"}]}} , {"kind":"Pod","apiVersion":"v0","metadata":{"name":"b","managedFields":[{"a":1}]},"status":{"phase":"Running","podIP":"1.2.3.4"}}]}"#,
            #"{"metadata":{"resourceVersion":"5","continue":"t2"},"items":null,"kind":"PodList","apiVersion":"v1"}"#,
            #"{"items":[ {"metadata":{"name":"c"}} ],"apiVersion":"v1","kind":"PodList","metadata":{"resourceVersion":"5","continue":"t3"}}"#,
            #"{"kind":"PodList","apiVersion":"v1","metadata":{"resourceVersion":"5"},"items":[]}"#,
        ]
        let server = LoopbackHTTPServer { req, _ in
            switch req.query["continue"] {
            case nil: return .json(200, pages[0])
            case "t1": return .json(200, pages[1])
            case "t2": return .json(200, pages[2])
            default: return .json(200, pages[3])
            }
        }
        defer { server.stop() }
        let client = try testClient(server)
        let projection = JSONProjection(dropping: [["metadata", "managedFields"], ["status", "podIP"], ["spec", "volumes"]])
        var paged: [JSONValue] = []
        try client.list("/api/v1/pods", projection: projection) { items, _ in paged += items }
        var each: [(JSONValue, Int)] = []
        let rv = try client.listEach("/api/v1/pods", projection: projection) { item, meta in each.append((item, meta.pageIndex)) }
        #expect(rv == "5")
        #expect(each.map(\.0) == paged)
        #expect(each.map(\.1) == [0, 0, 2])
        #expect(paged.count == 3 && paged[0]["kind"] == "Pod" && paged[1]["apiVersion"] == "v0" && paged[0][path: ["spec", "volumes"]] == nil)
        #expect(paged[0][path: ["metadata", "annotations", "x"]] == #"]}[{"\"#)
    }

    @Test func listEachMarksOnlyTheFirstItemOfARestartedList() throws {
        let server = LoopbackHTTPServer { req, n in
            switch (req.query["continue"], n) {
            case (nil, 1): return .json(200, Self.podList(rv: "10", names: ["old-a"], next: "stale"))
            case ("stale", _): return .json(410, #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"The provided continue parameter is too old","reason":"Expired","code":410}"#)
            case (nil, _): return .json(200, Self.podList(rv: "20", names: ["a", "b"], next: "fresh"))
            default: return .json(200, Self.podList(rv: "20", names: ["c"]))
            }
        }
        defer { server.stop() }
        let client = try testClient(server)
        var seen: [(String, Bool)] = []
        _ = try client.listEach("/api/v1/pods") { item, meta in seen.append((item[path: ["metadata", "name"]]?.string ?? "", meta.restarted)) }
        #expect(seen.map(\.0) == ["old-a", "a", "b", "c"])
        #expect(seen.map(\.1) == [false, true, false, false])
    }

    @Test func listEachRefusesABodyThatIsNotJSON() throws {
        let server = LoopbackHTTPServer { _, _ in .json(200, #"{"kind":"PodList","items":[{"metadata":{"name":"a"}},{"metadata":{"name":}}],"metadata":{}}"#) }
        defer { server.stop() }
        let client = try testClient(server)
        var names: [String] = []
        #expect(throws: KubeAPIError.self) {
            try client.listEach("/api/v1/pods") { item, _ in names.append(item[path: ["metadata", "name"]]?.string ?? "") }
        }
        #expect(names == ["a"])
    }

    @Test func listRawHandsOverBodiesWithMetadata() throws {
        let server = LoopbackHTTPServer { _, _ in .json(200, #"{"kind":"PodList","items":[{"metadata":{"name":"x","annotations":{"a":"}{"}}}],"metadata":{"resourceVersion":"77","remainingItemCount":0},"apiVersion":"v1"}"#) }
        defer { server.stop() }
        let client = try testClient(server)
        var seen: [UInt8] = []
        let rv = try client.listRaw("/api/v1/pods", limit: nil) { body, meta in
            seen = body
            #expect(meta.resourceVersion == "77" && meta.remainingItemCount == 0 && meta.continueToken == nil)
        }
        #expect(rv == "77")
        #expect(try JSONValue(parsing: seen)[path: ["items"]]?[0]?[path: ["metadata", "name"]] == "x")
        #expect(server.requests.first?.query["limit"] == nil)
    }

    @Test func chunkedWatchWithSplitEventsAndBookmark() throws {
        let stream = Self.event("ADDED", "a", rv: "101") + Self.event("MODIFIED", "a", rv: "102") + Self.bookmark(rv: "150") + Self.event("DELETED", "a", rv: "151")
        let bytes = Array(stream.utf8)
        // Cut the stream at awkward places: inside strings, between events, several events in one chunk.
        let cuts = [5, 37, 38, 90, 181, 182, bytes.count - 3]
        var chunks: [LoopbackHTTPServer.Chunk] = []
        var last = 0
        for c in cuts {
            chunks.append(.data(String(decoding: bytes[last..<c], as: UTF8.self)))
            chunks.append(.pause(milliseconds: 5))
            last = c
        }
        chunks.append(.data(String(decoding: bytes[last...], as: UTF8.self)))
        let frozen = chunks
        let server = LoopbackHTTPServer { _, _ in .chunked(status: 200, headers: [("Content-Type", "application/json")], chunks: frozen) }
        defer { server.stop() }
        let client = try testClient(server)
        var events: [WatchEvent] = []
        let end = try client.watch("/api/v1/namespaces/default/pods", labelSelector: "app=web", resourceVersion: "100", timeoutSeconds: 30) { e in
            events.append(e)
            return .continue
        }
        #expect(end == .closedByServer)
        #expect(events.count == 4)
        #expect(events.map(\.resourceVersion) == ["101", "102", "150", "151"])
        #expect(events[2] == .bookmark(resourceVersion: "150"))
        if case .deleted(let o) = events[3] { #expect(o[path: ["metadata", "name"]] == "a") } else { Issue.record("expected DELETED") }
        let q = try #require(server.requests.first?.query)
        #expect(q["watch"] == "true" && q["resourceVersion"] == "100" && q["allowWatchBookmarks"] == "true")
        #expect(q["timeoutSeconds"] == "30" && q["labelSelector"] == "app=web")
        #expect(client.requestCounter.snapshot == ["WATCH": 1])
    }

    @Test func callbackStopEndsTheWatch() throws {
        let server = LoopbackHTTPServer { _, _ in
            .chunked(status: 200, headers: [], chunks: [.data(Self.event("ADDED", "a", rv: "1") + Self.event("ADDED", "b", rv: "2")), .hold])
        }
        defer { server.stop() }
        let client = try testClient(server)
        var names: [String] = []
        let end = try client.watch("/api/v1/pods") { e in
            names.append(e.object?[path: ["metadata", "name"]]?.string ?? "")
            return .stop
        }
        #expect(end == .stopped)
        #expect(names == ["a"])
    }

    @Test func stopFromAnotherThreadAbortsPromptly() throws {
        let server = LoopbackHTTPServer { _, _ in .chunked(status: 200, headers: [], chunks: [.data(Self.event("ADDED", "a", rv: "1")), .hold]) }
        defer { server.stop() }
        let client = try testClient(server)
        let handle = WatchHandle()
        let stoppedAt = Mutex<ContinuousClock.Instant?>(nil)
        let end = try client.watch("/api/v1/pods", handle: handle) { _ in
            Thread.detachNewThread {
                usleep(100_000)
                stoppedAt.withLock { $0 = .now }
                handle.stop()
            }
            return .continue
        }
        let returnedAt = ContinuousClock.now
        #expect(end == .stopped)
        let stopTime = try #require(stoppedAt.withLock { $0 })
        #expect(returnedAt - stopTime < .milliseconds(300), "watch took \(returnedAt - stopTime) to stop")
        #expect(handle.isStopped)
    }

    @Test func watchStartFailuresAreTypedErrors() throws {
        let server = LoopbackHTTPServer { _, _ in
            .json(410, #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 1 (9)","reason":"Expired","code":410}"#)
        }
        defer { server.stop() }
        let client = try testClient(server)
        do {
            _ = try client.watch("/api/v1/pods", resourceVersion: "1") { _ in .continue }
            Issue.record("expected an error")
        } catch {
            #expect(error.isGone && error.isExpired)
        }
        #expect(server.requests.count == 1)
    }

    @Test func relistsAfterExpiredErrorEvent() throws {
        let server = LoopbackHTTPServer { req, n in
            if req.query["watch"] == nil {
                return .json(200, n == 1 ? Self.podList(rv: "100", names: ["a"]) : Self.podList(rv: "250", names: ["a", "b"]))
            }
            if req.query["resourceVersion"] == "100" { return .chunked(status: 200, headers: [], chunks: [.data(Self.expired)]) }
            return .chunked(status: 200, headers: [], chunks: [.data(Self.event("ADDED", "c", rv: "251")), .hold])
        }
        defer { server.stop() }
        let client = try testClient(server)
        var seen: [String] = []
        try client.watchWithRelist("/api/v1/pods", handle: WatchHandle(), options: RelistOptions(watchTimeoutSeconds: 60)) { e in
            switch e {
            case .listed(let items, let rv): seen.append("listed \(rv) \(items.count)")
            case .added(let o): seen.append("added \(o[path: ["metadata", "name"]]?.string ?? "")")
            default: seen.append("other")
            }
            return seen.count == 3 ? .stop : .continue
        }
        #expect(seen == ["listed 100 1", "listed 250 2", "added c"])
        let kinds = server.requests.map { $0.query["watch"] == nil ? "LIST" : "WATCH@\($0.query["resourceVersion"] ?? "")" }
        #expect(kinds == ["LIST", "WATCH@100", "LIST", "WATCH@250"])
    }

    @Test func reconnectsFromLastSeenVersionAndRelistsOnHTTP410() throws {
        let server = LoopbackHTTPServer { req, n in
            if req.query["watch"] == nil { return .json(200, Self.podList(rv: n == 1 ? "1" : "500", names: [])) }
            switch req.query["resourceVersion"] {
            case "1": return .chunked(status: 200, headers: [], chunks: [.data(Self.event("MODIFIED", "a", rv: "5") + Self.bookmark(rv: "7"))])
            case "7": return .json(410, #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old","reason":"Gone","code":410}"#)
            default: return .chunked(status: 200, headers: [], chunks: [.data(Self.event("ADDED", "z", rv: "501")), .hold])
            }
        }
        defer { server.stop() }
        let sleeper = RecordingSleeper()
        let client = try testClient(server, sleeper: sleeper)
        var seen: [String] = []
        try client.watchWithRelist("/api/v1/pods", handle: WatchHandle()) { e in
            switch e {
            case .listed(_, let rv): seen.append("listed \(rv)")
            case .modified(let o): seen.append("modified \(o[path: ["metadata", "resourceVersion"]]?.string ?? "")")
            case .added(let o): seen.append("added \(o[path: ["metadata", "name"]]?.string ?? "")")
            case .deleted: seen.append("deleted")
            }
            return e == .added(json(#"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"z","resourceVersion":"501"}}"#)) ? .stop : .continue
        }
        let kinds = server.requests.map { $0.query["watch"] == nil ? "LIST" : "WATCH@\($0.query["resourceVersion"] ?? "")" }
        #expect(kinds == ["LIST", "WATCH@1", "WATCH@7", "LIST", "WATCH@500"])
        #expect(seen.first == "listed 1" && seen.contains("modified 5") && seen.last == "added z")
        #expect(sleeper.waits.isEmpty)
    }

    @Test func droppedStreamsBackOffAndFatalErrorsAreThrown() throws {
        let server = LoopbackHTTPServer { req, n in
            if req.query["watch"] == nil { return .json(200, Self.podList(rv: "1", names: [])) }
            if n == 2 { return .closeWithoutResponse }
            return .json(403, #"{"kind":"Status","apiVersion":"v1","status":"Failure","message":"pods is forbidden: User \"me\" cannot watch resource \"pods\"","reason":"Forbidden","code":403}"#)
        }
        defer { server.stop() }
        let sleeper = RecordingSleeper()
        let client = try testClient(server, sleeper: sleeper, retry: RetryPolicy(maxAttempts: 1, maxConnectAttempts: 1))
        do {
            try client.watchWithRelist("/api/v1/pods", handle: WatchHandle()) { _ in .continue }
            Issue.record("expected an error")
        } catch {
            #expect(error.isForbidden)
        }
        #expect(sleeper.waits.count == 1)
    }

    @Test func stoppingRelistLoopFromAnotherThread() throws {
        let server = LoopbackHTTPServer { req, _ in
            req.query["watch"] == nil ? .json(200, Self.podList(rv: "1", names: ["a"])) : .chunked(status: 200, headers: [], chunks: [.hold])
        }
        defer { server.stop() }
        let client = try testClient(server)
        let handle = WatchHandle()
        Thread.detachNewThread {
            usleep(150_000)
            handle.stop()
        }
        let started = ContinuousClock.now
        var listed = 0
        try client.watchWithRelist("/api/v1/pods", handle: handle) { e in
            if case .listed = e { listed += 1 }
            return .continue
        }
        #expect(listed == 1)
        #expect(ContinuousClock.now - started < .seconds(1))
    }
}
