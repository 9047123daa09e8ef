import CCurl
import Foundation
import Synchronization

/// One thread owning a libcurl multi handle that runs many requests at once over the keep-alive
/// connections of that handle (HTTP/1.1 one request per connection, HTTP/2 multiplexed), in place
/// of a blocked thread per request. Requests are handed over from any thread (a queue, then
/// `curl_multi_wakeup`); each ends with one call of its completion, on the loop's thread.
///
/// A transfer fails exactly as a blocking one would (`CurlHandleSetup.mapError`), and one that
/// failed its TLS handshake while offering a cached session is run again without it, as
/// `CurlTransport.send` does. `close()` lets the thread end once what it accepted is done.
/// `@unchecked`: `inbox` is guarded by its mutex; every other `var` belongs to the loop's thread.
final class CurlWriteLoop: @unchecked Sendable {
    /// A request waiting to go out.
    struct Job {
        var request: HTTPRequest
        /// nil: as the transport's session switch says when the request goes out.
        var resuming: Bool?
        var onStart: (@Sendable () -> Void)?
        var completion: @Sendable (Result<HTTPResponse, TransportError>) -> Void
    }

    /// A request on the multi handle.
    private struct Running {
        var job: Job
        var transfer: CurlTransfer
        var lists: CurlHandleSetup.OwnedLists
        var resuming: Bool
    }

    private struct Inbox {
        var jobs: [Job] = []
        var closed = false
    }

    private let setup: CurlHandleSetup
    private let multi: UnsafeMutableRawPointer?
    private let inbox = Mutex(Inbox())
    private let ended = Atomic<Bool>(false)
    /// Set when a request is handed over, cleared when the loop takes them: a hint, read between
    /// completions, that requests wait (the inbox under its lock is what counts).
    private let waiting = Atomic<Bool>(false)
    /// Easy handles on the multi handle, by bit pattern.
    private var running: [UInt: Running] = [:]
    /// Easy handles kept for the next requests (the connections stay with the multi handle).
    private var spare: [UnsafeMutableRawPointer] = []
    /// Most easy handles kept in `spare`.
    private let spareLimit: Int

    /// A loop sending with `setup`'s settings; its thread starts at once.
    init(setup: CurlHandleSetup) {
        _ = CurlGlobal.initialized
        self.setup = setup
        spareLimit = max(1, setup.settings.maxIdleHandles)
        multi = curl_multi_init()
        if let multi {
            kcurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(1, setup.settings.maxIdleHandles))
        }
        let thread = Thread { [self] in run() }
        thread.name = "write loop"
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Hands `request` to the loop. After `close()` it is not sent: `completion` is called at once
    /// (on the calling thread) with a cancelled transport error.
    func submit(_ request: HTTPRequest, onStart: (@Sendable () -> Void)?,
                completion: @escaping @Sendable (Result<HTTPResponse, TransportError>) -> Void) {
        let job = Job(request: request, resuming: nil, onStart: onStart, completion: completion)
        guard let multi, inbox.withLock({ box -> Bool in
            guard !box.closed else { return false }
            box.jobs.append(job)
            waiting.store(true, ordering: .relaxed)
            return true
        }) else {
            completion(.failure(TransportError(kind: .cancelled, server: setup.settings.server.authority,
                                               detail: multi == nil ? "curl_multi_init failed" : "the write loop is closed")))
            return
        }
        curl_multi_wakeup(multi)
    }

    /// Takes no more requests; the thread ends once every request it accepted has ended.
    func close() {
        let first = inbox.withLock { box -> Bool in
            defer { box.closed = true }
            return !box.closed
        }
        if first, let multi { curl_multi_wakeup(multi) }
    }

    /// True once the loop's thread has ended (every accepted request answered).
    var hasEnded: Bool { ended.load(ordering: .acquiring) }

    private func run() {
        guard let multi else { ended.store(true, ordering: .releasing); return }
        while true {
            let (started, closed) = startSubmitted(multi)
            if closed && running.isEmpty && started == 0 { break }
            var active: Int32 = 0
            _ = curl_multi_perform(multi, &active)
            reap(multi)
            if inbox.withLock({ !$0.jobs.isEmpty || ($0.closed && running.isEmpty) }) { continue }
            _ = curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        for easy in spare { curl_easy_cleanup(easy) }
        spare.removeAll()
        curl_multi_cleanup(multi)
        ended.store(true, ordering: .releasing)
    }

    /// Starts the requests handed over since the last look; how many, and whether the loop is closed.
    private func startSubmitted(_ multi: UnsafeMutableRawPointer) -> (started: Int, closed: Bool) {
        let (jobs, closed) = inbox.withLock { box in
            defer {
                box.jobs.removeAll(keepingCapacity: true)
                waiting.store(false, ordering: .relaxed)
            }
            return (box.jobs, box.closed)
        }
        for job in jobs { start(job, on: multi) }
        return (jobs.count, closed)
    }

    private func start(_ job: Job, on multi: UnsafeMutableRawPointer) {
        let easy: UnsafeMutableRawPointer
        if let kept = spare.popLast() {
            curl_easy_reset(kept)
            easy = kept
        } else if let fresh = curl_easy_init() {
            easy = fresh
        } else {
            job.completion(.failure(TransportError(kind: .other, server: setup.settings.server.authority, detail: "curl_easy_init failed")))
            return
        }
        let resuming = job.resuming ?? setup.resumption.isAllowed
        let transfer = CurlTransfer(cancellation: nil, maxBodyBytes: setup.settings.limits.maxResponseBytes)
        let lists = setup.configure(easy, job.request, transfer, resuming: resuming)
        setup.limitStalls(easy)
        // Over TLS, a request may wait for the handshake under way to tell whether HTTP/2 multiplexes
        // it (rather than each of a burst opening its own connection); plain HTTP is HTTP/1.1, and
        // waiting there would hold a request until another's answer.
        if setup.settings.server.scheme == "https" { kcurl_easy_setopt_long(easy, CURLOPT_PIPEWAIT, 1) }
        job.onStart?()
        let code = curl_multi_add_handle(multi, easy)
        guard code == CURLM_OK else {
            setup.release(easy, lists)
            curl_easy_cleanup(easy)
            job.completion(.failure(TransportError(kind: .other, server: setup.settings.server.authority,
                                                   detail: String(cString: curl_multi_strerror(code)))))
            return
        }
        running[UInt(bitPattern: easy)] = Running(job: job, transfer: transfer, lists: lists, resuming: resuming)
    }

    /// Ends the transfers libcurl reports done: their handles leave the multi handle, and their
    /// completions run (or, for a handshake that failed offering a cached session, the request goes again).
    private func reap(_ multi: UnsafeMutableRawPointer) {
        var left: Int32 = 0
        var done: [(UnsafeMutableRawPointer, CURLcode)] = []
        while let message = curl_multi_info_read(multi, &left) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            done.append((easy, message.pointee.data.result))
        }
        for (easy, code) in done {
            curl_multi_remove_handle(multi, easy)
            guard let r = running.removeValue(forKey: UInt(bitPattern: easy)) else { continue }
            setup.release(easy, r.lists)
            if spare.count < spareLimit { spare.append(easy) } else { curl_easy_cleanup(easy) }
            defer {
                // Requests handed over while earlier answers were handled (a slot they freed) go out
                // now, not after the rest of the answers.
                if waiting.load(ordering: .relaxed), startSubmitted(multi).started > 0 {
                    var active: Int32 = 0
                    _ = curl_multi_perform(multi, &active)
                }
            }
            if code == CURLE_OK {
                r.job.completion(.success(HTTPResponse(status: r.transfer.status, headers: r.transfer.headers, body: r.transfer.body)))
                continue
            }
            let error = setup.mapError(code, r.transfer)
            if error.kind == .tls && r.resuming {
                setup.resumption.stop()
                var again = r.job
                again.resuming = false
                again.onStart = nil
                start(again, on: multi)
                continue
            }
            r.job.completion(.failure(error))
        }
    }
}
