import Foundation
import JSON
import Locking
import Synchronization
import Testing
@testable import KubeClient

/// Issue 12 (client cost: CPU in poll, futex and context switches): a client's watches are served by
/// one loop, one thread polling all their sockets, beside the write loop (so decoding a burst of
/// events does not hold back a write), and the events of one read wake their consumer once.
@Suite("Watches on one stream loop")
struct SharedLoopWatchTests {
    typealias Events = ListWatchTests

    /// Threads seen, by what ran there.
    final class Threads: Sendable {
        private let seen = Mutex<[String: Set<UInt>]>([:])
        func note(_ what: String) {
            let me = UInt(pthread_self())
            seen.withLock { _ = $0[what, default: []].insert(me) }
        }
        subscript(_ what: String) -> Set<UInt> { seen.withLock { $0[what] ?? [] } }
    }

    /// A consumer counting its wakes, woken as `EventQueue` wakes one: at once, or at the end of the batch.
    final class WakeCounter: BatchWakeable {
        private let count = Atomic<Int>(0)
        func wakeNow() { count.add(1, ordering: .relaxed) }
        func handOver() { if !WakeBatch.deferWake(self) { wakeNow() } }
        var wakes: Int { count.load(ordering: .relaxed) }
    }

    static let pod = #"{"kind":"Pod","apiVersion":"v1","metadata":{"name":"p","namespace":"default","resourceVersion":"9"}}"#

    /// The answer of one patch sent on the write loop, noting the thread it came on.
    static func patch(_ client: KubeClient, _ name: String, threads: Threads) -> Result<JSONValue, KubeAPIError>? {
        let answer = Mutex<Result<JSONValue, KubeAPIError>?>(nil)
        let done = DispatchSemaphore(value: 0)
        client.patch("/api/v1/namespaces/default/pods/\(name)", type: .merge, body: ["metadata": ["labels": ["a": "b"]]],
                     idempotent: true) { result in
            threads.note("write")
            answer.withLock { $0 = result }
            done.signal()
        }
        guard done.wait(timeout: .now() + 10) == .success else { return nil }
        return answer.withLock { $0 }
    }

    @Test("12: two watches of one client run on one loop thread, not on the threads that watch nor on the writes' loop thread")
    func watchesAndWritesShareTheLoop() throws {
        let server = LoopbackHTTPServer { req, _ in
            if req.method == "PATCH" { return .json(200, Self.pod) }
            let name = req.path.hasSuffix("/pods") ? "pod" : "slice"
            return .chunked(status: 200, headers: [], chunks: [.data(Events.event("ADDED", name, rv: "1")), .hold])
        }
        defer { server.stop() }
        let client = try testClient(server)
        let threads = Threads()
        let handles = [WatchHandle(), WatchHandle()]
        let seen = DispatchGroup()
        let ended = DispatchGroup()
        for (i, path) in ["/api/v1/pods", "/apis/discovery.k8s.io/v1/endpointslices"].enumerated() {
            seen.enter()
            ended.enter()
            Thread.detachNewThread {
                threads.note("watcher")
                var first = true
                _ = try? client.watch(path, handle: handles[i]) { _ in
                    threads.note("event")
                    if first { seen.leave() }
                    first = false
                    return .continue
                }
                ended.leave()
            }
        }
        #expect(seen.wait(timeout: .now() + 10) == .success)
        #expect(try Self.patch(client, "p", threads: threads)?.get()[path: ["metadata", "name"]] == "p")
        for h in handles { h.stop() }
        #expect(ended.wait(timeout: .now() + 2) == .success, "both watches ended when stopped")
        #expect(threads["event"].count == 1, "both watches' events came on one thread")
        #expect(threads["write"].count == 1, "the writes' answers came on one thread")
        #expect(threads["event"].isDisjoint(with: threads["write"]), "events are decoded beside the writes, not in their way")
        #expect(threads["event"].isDisjoint(with: threads["watcher"]))
        // The loop stays up for what follows.
        #expect(try Self.patch(client, "q", threads: threads)?.get() != nil)
        #expect(server.requests.map(\.method).filter { $0 == "GET" }.count == 2)
    }

    @Test("12: a consumer that adopts the watch loop decodes the events that arrive while it waits on its own thread; away from its waits, or after it lets go, the loop's thread reads them")
    func consumerDrivesTheWatchLoop() throws {
        var chunks: [LoopbackHTTPServer.Chunk] = [.data(Events.event("ADDED", "a", rv: "1"))]
        for rv in 2...5 { chunks += [.pause(milliseconds: 60), .data(Events.event("MODIFIED", "a", rv: "\(rv)"))] }
        chunks += [.pause(milliseconds: 300), .data(Events.event("MODIFIED", "a", rv: "6")),
                   .pause(milliseconds: 700), .data(Events.event("MODIFIED", "a", rv: "7")), .hold]
        let stream = chunks
        let server = LoopbackHTTPServer { _, _ in .chunked(status: 200, headers: [], chunks: stream) }
        defer { server.stop() }
        let client = try testClient(server)
        let seen = Mutex<[(rv: String, thread: UInt)]>([])
        let handle = WatchHandle()
        let ended = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            _ = try? client.watch("/api/v1/pods", handle: handle) { e in
                seen.withLock { $0.append((e.resourceVersion ?? "", UInt(pthread_self()))) }
                return .continue
            }
            ended.signal()
        }
        func thread(of rv: String) -> UInt? { seen.withLock { $0.first { $0.rv == rv }?.thread } }
        let me = UInt(pthread_self())
        let loop = client.watchLoop()
        #expect(loop.adopt())
        let other = DispatchSemaphore(value: 0)
        let secondAdopted = Mutex(true)
        Thread.detachNewThread {
            secondAdopted.withLock { $0 = loop.adopt() }
            other.signal()
        }
        other.wait()
        #expect(!secondAdopted.withLock { $0 }, "one driver at a time")

        let deadline = Date().addingTimeInterval(10)
        while thread(of: "5") == nil && Date() < deadline { loop.wait(seconds: 1) }
        let waited = ["2", "3", "4", "5"].compactMap { thread(of: $0) }
        #expect(waited.count == 4)
        #expect(waited.contains(me), "events that came while the consumer waited were decoded on its thread")

        // Away from its waits (a pass doing blocking work): the loop's thread reads for it.
        let awayFrom = Date()
        while thread(of: "6") == nil && Date().timeIntervalSince(awayFrom) < 5 { usleep(10_000) }
        #expect(thread(of: "6").map { $0 != me } == true, "an event that came while the consumer was away was read by the loop's thread")

        loop.release()
        while thread(of: "7") == nil && Date() < deadline.addingTimeInterval(5) { usleep(10_000) }
        #expect(thread(of: "7").map { $0 != me } == true, "after release the loop's thread reads again")
        #expect(thread(of: "6") == thread(of: "7"), "the rescue ran on the loop's own thread")
        handle.stop()
        #expect(ended.wait(timeout: .now() + 5) == .success)
    }

    @Test("12: the events decoded from one read wake their consumer once; events of separate reads each wake it")
    func eventsOfOneReadAreOneBatch() throws {
        let three = Events.event("ADDED", "a", rv: "1") + Events.event("MODIFIED", "a", rv: "2") + Events.event("MODIFIED", "a", rv: "3")
        let server = LoopbackHTTPServer { _, _ in
            .chunked(status: 200, headers: [], chunks: [.data(three), .pause(milliseconds: 100), .data(Events.event("DELETED", "a", rv: "4")),
                                                        .pause(milliseconds: 100), .data(Events.event("ADDED", "b", rv: "5"))])
        }
        defer { server.stop() }
        let client = try testClient(server)
        let counter = WakeCounter()
        var seen: [String] = []
        let end = try client.watch("/api/v1/pods") { e in
            seen.append(e.resourceVersion ?? "")
            counter.handOver()
            return .continue
        }
        #expect(end == .closedByServer)
        #expect(seen == ["1", "2", "3", "4", "5"])
        // The last read's wake comes at the end of the loop's round, which may be after the stream ended.
        for _ in 0..<100 where counter.wakes < 3 { usleep(10_000) }
        usleep(50_000)
        // Three reads (two if a loaded machine let the last two meet in one): never a wake per event.
        #expect((2...3).contains(counter.wakes), "one wake for the three events of the first read, one each for the later reads")
    }

    @Test("12: a relisting watch on the loop lists again after a 410 while writes go on, then stops at once and leaves the loop serving")
    func relistAfterGoneBesideWrites() throws {
        let lists = Mutex(0)
        let server = LoopbackHTTPServer { req, _ in
            if req.method == "PATCH" { return .json(200, Self.pod) }
            if req.query["watch"] == nil {
                let first = lists.withLock { n -> Bool in
                    n += 1
                    return n == 1
                }
                return .json(200, first ? Events.podList(rv: "100", names: ["a"]) : Events.podList(rv: "250", names: ["a", "b"]))
            }
            if req.query["resourceVersion"] == "100" {
                return .chunked(status: 200, headers: [], chunks: [.data(Events.event("MODIFIED", "a", rv: "120")), .pause(milliseconds: 50),
                                                                   .data(Events.expired)])
            }
            return .chunked(status: 200, headers: [], chunks: [.data(Events.event("ADDED", "c", rv: "251")), .hold])
        }
        defer { server.stop() }
        let client = try testClient(server)
        let threads = Threads()
        let handle = WatchHandle()
        let seen = Mutex<[String]>([])
        let sawC = DispatchSemaphore(value: 0)
        let returned = DispatchSemaphore(value: 0)
        let thrown = Mutex<String?>(nil)
        Thread.detachNewThread {
            do {
                try client.watchWithRelist("/api/v1/pods", handle: handle, options: RelistOptions(watchTimeoutSeconds: 60)) { e in
                    threads.note("event")
                    switch e {
                    case .listed(let items, let rv): seen.withLock { $0.append("listed \(rv) \(items.count)") }
                    case .added(let o):
                        seen.withLock { $0.append("added \(o[path: ["metadata", "name"]]?.string ?? "")") }
                        sawC.signal()
                    case .modified(let o): seen.withLock { $0.append("modified \(o[path: ["metadata", "resourceVersion"]]?.string ?? "")") }
                    case .deleted: seen.withLock { $0.append("deleted") }
                    }
                    return .continue
                }
            } catch {
                thrown.withLock { $0 = "\(error)" }
            }
            returned.signal()
        }
        for i in 0..<5 { #expect(try Self.patch(client, "p\(i)", threads: threads)?.get() != nil) }
        #expect(sawC.wait(timeout: .now() + 10) == .success)
        let stoppedAt = ContinuousClock.now
        handle.stop()
        #expect(returned.wait(timeout: .now() + 2) == .success)
        #expect(ContinuousClock.now - stoppedAt < .milliseconds(500), "stopped at once, not at the next progress tick")
        #expect(thrown.withLock { $0 } == nil)
        #expect(seen.withLock { $0 } == ["listed 100 1", "modified 120", "listed 250 2", "added c"])
        let kinds = server.requests.filter { $0.method == "GET" }.map { $0.query["watch"] == nil ? "LIST" : "WATCH@\($0.query["resourceVersion"] ?? "")" }
        #expect(kinds == ["LIST", "WATCH@100", "LIST", "WATCH@250"])
        // The watch events other than the lists (read on the watching thread) came on the loop's thread.
        #expect(!threads["write"].isEmpty)
        #expect(try Self.patch(client, "after", threads: threads)?.get() != nil, "the loop still answers writes")
        #expect(threads["write"].count == 1)
    }
}
