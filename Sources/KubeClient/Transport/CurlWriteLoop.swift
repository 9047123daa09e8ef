import CCurl
import Foundation
import Locking
import Synchronization

/// One thread owning a libcurl multi handle that runs many requests at once over the keep-alive
/// connections of that handle (HTTP/1.1 one request per connection, HTTP/2 multiplexed), in place
/// of a blocked thread per request, or streamed transfers (watches): a transport runs one loop for
/// each, so one poll waits on all its watches' sockets. The handle is driven by
/// `curl_multi_socket_action` (`CurlSocketTable`): a wake works on the sockets found ready only.
/// Requests and streams are handed over from any thread (a queue, then a wake of the poll, skipped
/// while one is pending); each ends with one call of its completion, on the loop's thread. What one
/// ready socket delivered (events, answers) runs as one `WakeBatch`: its consumers are woken once,
/// when that socket is done; requests handed over meanwhile go out before the next socket is read.
///
/// A transfer fails exactly as a blocking one would (`CurlHandleSetup.mapError`), and one that
/// failed its TLS handshake while offering a cached session is run again without it, as
/// `CurlTransport.send` does. `close()` lets the thread end once what it accepted is done.
/// A consumer thread may drive the loop itself while it waits for what the loop delivers (`adopt()`,
/// `WaitLoop`); the loop's own thread then rests. `@unchecked`: `inbox` is guarded by its mutex;
/// every other `var` belongs to the thread running a turn (holding `turns`).
final class CurlWriteLoop: WaitLoop, @unchecked Sendable {
    /// A request waiting to go out.
    struct Job {
        var request: HTTPRequest
        /// nil: as the transport's session switch says when the request goes out.
        var resuming: Bool?
        var onStart: (@Sendable () -> Void)?
        var completion: @Sendable (Result<HTTPResponse, TransportError>) -> Void
    }

    /// A streamed transfer waiting to go out: the body of a 2xx response goes to `onData` on the loop's
    /// thread as it arrives; `finished` gets the outcome once (after `onData` is dropped, so a caller
    /// waiting for it may have lent a non-escaping closure). `@unchecked`: `onData` is set by the
    /// submitting thread before the hand-over and cleared by the loop's thread before `finished`.
    final class StreamJob: @unchecked Sendable {
        let request: HTTPRequest
        let resuming: Bool
        let cancellation: StreamCancellation
        fileprivate(set) var onData: ((UnsafeRawBufferPointer) -> Bool)?
        let finished: @Sendable (StreamOutcome) -> Void

        init(request: HTTPRequest, resuming: Bool, cancellation: StreamCancellation,
             onData: @escaping (UnsafeRawBufferPointer) -> Bool, finished: @escaping @Sendable (StreamOutcome) -> Void) {
            self.request = request
            self.resuming = resuming
            self.cancellation = cancellation
            self.onData = onData
            self.finished = finished
        }

        /// Drops the data handler and reports `outcome`.
        fileprivate func finish(_ outcome: StreamOutcome) {
            onData = nil
            finished(outcome)
        }
    }

    /// A streamed transfer on the multi handle.
    private struct RunningStream {
        var job: StreamJob
        var transfer: CurlTransfer
        var lists: CurlHandleSetup.OwnedLists
        /// The cancellation's registration of the loop's wake.
        var registration: Int
    }

    /// A request on the multi handle.
    private struct Running {
        var job: Job
        var transfer: CurlTransfer
        var lists: CurlHandleSetup.OwnedLists
        var resuming: Bool
    }

    /// How much of a request's answer libcurl reads from its socket at once. An answer is one object:
    /// 4 kB instead of libcurl's 16 kB on each of the window's transfers (100 of them: 1.2 MB of peak
    /// RSS); a larger answer takes a few reads more.
    static let answerBufferBytes = 4096

    /// How much of a streamed transfer (a watch) libcurl reads from its socket at once. Its default,
    /// 16 KiB, reads a burst of events (a hundred pods changing at once are 300 KiB) in one receive,
    /// one readiness poll and one hand-over each 16 KiB, and splits every EndpointSlice event of a
    /// hundred endpoints (25 KiB) across two reads, which the decoder then joins by copying. At
    /// 64 KiB a rollout of 1,000 pods makes about 2,000 fewer receives and polls; 256 KiB saved
    /// no more and cost 1.5 MB of peak RSS.
    static let streamBufferBytes = 64 << 10

    private struct Inbox {
        var jobs: [Job] = []
        var streams: [StreamJob] = []
        var closed = false
        var isEmpty: Bool { jobs.isEmpty && streams.isEmpty }
    }

    private let setup: CurlHandleSetup
    private let multi: UnsafeMutableRawPointer?
    private let sockets: CurlSocketTable?
    private let inbox = Mutex(Inbox())
    private let ended = Atomic<Bool>(false)
    /// Set when a request is handed over, cleared when the loop takes them (both under the inbox's
    /// lock): while set, a wake is pending and another hand-over need not wake the loop again.
    private let waiting = Atomic<Bool>(false)
    /// Hand-overs that put work in the inbox and have not yet written their wake to the pipe
    /// (counted under the inbox's lock, so a loop that saw the inbox closed and empty sees them).
    private let wakesInFlight = Atomic<Int>(0)
    /// The thread in a turn (`pthread_self`; 0: none): work it hands itself needs no wake, since a
    /// turn looks at the inbox again before it polls.
    private let driver = Atomic<UInt>(0)
    /// Held by the thread running a turn: the loop's own, or a consumer that adopted it (`adopt()`).
    private let turns = Mutex(())
    /// The consumer thread driving the loop in its waits (0: the loop's own thread does).
    private let adopter = Atomic<UInt>(0)
    /// Whether the adopter is in a turn, and when it last left one (monotonic nanoseconds).
    private let adopterWaiting = Atomic<Bool>(false)
    private let adopterLeft = Atomic<UInt64>(0)
    /// Where the loop's own thread rests while a consumer drives.
    private let rest = NSCondition()
    /// Easy handles on the multi handle, by bit pattern.
    private var running: [UInt: Running] = [:]
    /// Easy handles of streamed transfers on the multi handle, by bit pattern.
    private var streaming: [UInt: RunningStream] = [:]
    /// Requests taken from the inbox that wait for a place among the running ones
    /// (`TransportSettings.maxConcurrentRequests`), in the order they were handed over.
    private var queued: ArraySlice<Job> = []
    /// Most requests on the multi handle at once.
    private let runningLimit: Int
    /// Easy handles kept for the next requests (the connections stay with the multi handle).
    private var spare: [UnsafeMutableRawPointer] = []
    /// Most easy handles kept in `spare`.
    private let spareLimit: Int

    /// A loop sending with `setup`'s settings; its thread, called `name`, starts at once. While busy
    /// it looks at its sockets at most once per `loopWindow` of the settings, and a wake ends that
    /// nap when `napEndsOnWake` (`CurlSocketTable`).
    init(setup: CurlHandleSetup, name: String = "write loop", napEndsOnWake: Bool = true) {
        _ = CurlGlobal.initialized
        self.setup = setup
        spareLimit = max(1, setup.settings.maxIdleHandles)
        runningLimit = max(1, setup.settings.maxConcurrentRequests)
        let table = CurlSocketTable(window: setup.settings.loopWindow, napEndsOnWake: napEndsOnWake)
        multi = table == nil ? nil : curl_multi_init()
        sockets = multi == nil ? nil : table
        if let multi, let table {
            kcurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, max(1, setup.settings.maxIdleHandles))
            table.install(on: multi)
        } else {
            table?.closePipe()
        }
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// Hands `request` to the loop. After `close()` it is not sent: `completion` is called at once
    /// (on the calling thread) with a cancelled transport error.
    func submit(_ request: HTTPRequest, onStart: (@Sendable () -> Void)?,
                completion: @escaping @Sendable (Result<HTTPResponse, TransportError>) -> Void) {
        let job = Job(request: request, resuming: nil, onStart: onStart, completion: completion)
        guard hand({ $0.jobs.append(job) }) else {
            completion(.failure(TransportError(kind: .cancelled, server: setup.settings.server.authority,
                                               detail: multi == nil ? "curl_multi_init failed" : "the write loop is closed")))
            return
        }
    }

    /// Puts work in the inbox unless the loop is closed, waking the loop unless a wake is pending.
    /// The wake is written after the inbox's lock is let go: the woken loop takes that lock at once,
    /// and a write to the pipe under it (a system call that also wakes the loop's thread) kept the
    /// loop spinning on the lock, then sleeping in the kernel, about once a pass. The loop closes its
    /// pipe only once no wake counted in `wakesInFlight` is left to write.
    private func hand(_ put: (inout Inbox) -> Void) -> Bool {
        guard let sockets else { return false }
        var wake = false
        let accepted = inbox.withLock { box -> Bool in
            guard !box.closed else { return false }
            put(&box)
            wake = !waiting.exchange(true, ordering: .relaxed) && !onLoopThread
            if wake { wakesInFlight.add(1, ordering: .relaxed) }
            return true
        }
        if wake {
            sockets.wake()
            wakesInFlight.subtract(1, ordering: .releasing)
        }
        return accepted
    }

    /// True on the thread running a turn (a completion handing over the next request) or on the
    /// adopter, which turns the loop before it waits.
    private var onLoopThread: Bool {
        let me = UInt(pthread_self())
        return driver.load(ordering: .relaxed) == me || adopter.load(ordering: .relaxed) == me
    }

    /// Hands a streamed transfer to the loop. After `close()` it is not started: `job` finishes at once
    /// (on the calling thread) with a failure that no response started.
    func submit(stream job: StreamJob) {
        guard hand({ $0.streams.append(job) }) else {
            job.finish(StreamOutcome(status: 0, headers: [], body: [], stoppedByCaller: false, failure: TransportError(
                kind: .cancelled, server: setup.settings.server.authority,
                detail: multi == nil ? "curl_multi_init failed" : "the write loop is closed")))
            return
        }
    }

    /// Takes no more requests; the thread ends once every request it accepted has ended.
    func close() {
        inbox.withLock { box in
            if !box.closed { sockets?.wake() }
            box.closed = true
        }
    }

    /// True once the loop's thread has ended (every accepted request answered).
    var hasEnded: Bool { ended.load(ordering: .acquiring) }

    private func run() {
        guard let multi, let sockets else { ended.store(true, ordering: .releasing); return }
        while true {
            if adopter.load(ordering: .acquiring) != 0 {
                restWhileAdopted(multi, sockets)
                continue
            }
            if turns.withLock({ _ in turn(multi, sockets, limit: .seconds(1)) }) { break }
        }
        for easy in spare { curl_easy_cleanup(easy) }
        spare.removeAll()
        curl_multi_cleanup(multi)
        // A hand-over whose work this loop ran may not have written its wake yet.
        while wakesInFlight.load(ordering: .acquiring) > 0 { sched_yield() }
        sockets.closePipe()
        ended.store(true, ordering: .releasing)
    }

    /// One round of the loop, by whichever thread drives it (holding `turns`): the requests handed
    /// over go out, then it waits at most `limit` for a socket, a timer or a wake, and works on what
    /// is ready. Requests handed over leave before the sockets are read, and again after each socket:
    /// a write does not wait behind the watch events of a whole round. Each socket's events and
    /// answers wake their consumers once, when that socket is done. True once the loop is closed and
    /// every transfer it accepted has ended.
    private func turn(_ multi: UnsafeMutableRawPointer, _ sockets: CurlSocketTable, limit: Duration) -> Bool {
        driver.store(UInt(pthread_self()), ordering: .relaxed)
        defer { driver.store(0, ordering: .relaxed) }
        let (started, closed) = startSubmitted(multi)
        if closed && running.isEmpty && streaming.isEmpty && queued.isEmpty && started == 0 { return true }
        WakeBatch.run {
            runDueTimers(multi)
            reap(multi)
        }
        stopCancelledStreams(multi)
        if inbox.withLock({ !$0.isEmpty || ($0.closed && running.isEmpty && streaming.isEmpty) }) { return false }
        for (socket, events) in sockets.wait(limit: limit) {
            WakeBatch.run {
                var active: Int32 = 0
                _ = curl_multi_socket_action(multi, socket, events, &active)
                reap(multi)
            }
            if inbox.withLock({ !$0.isEmpty }) {
                _ = startSubmitted(multi)
                WakeBatch.run { runDueTimers(multi) }
            }
        }
        WakeBatch.run {
            runDueTimers(multi)
            reap(multi)
        }
        stopCancelledStreams(multi)
        return false
    }

    // MARK: - a consumer driving the loop (WaitLoop)

    /// Makes the calling thread drive the loop in its waits; the loop's own thread finishes its
    /// turn (woken) and rests.
    func adopt() -> Bool {
        guard multi != nil, let sockets else { return false }
        let me = UInt(pthread_self())
        guard adopter.compareExchange(expected: 0, desired: me, ordering: .acquiringAndReleasing).exchanged else { return false }
        adopterWaiting.store(false, ordering: .relaxed)
        adopterLeft.store(ClientTrace.now(), ordering: .relaxed)
        sockets.wake()
        return true
    }

    /// One turn on the adopting thread (a closed loop's turns only rest, as the loop's thread ends it).
    func wait(seconds: Double) {
        guard let multi, let sockets else { return }
        adopterWaiting.store(true, ordering: .relaxed)
        let limit = Duration.milliseconds(Int64(max(0, min(seconds, 3600)) * 1000) + 1)
        let finished = turns.withLock { _ in turn(multi, sockets, limit: limit) }
        adopterLeft.store(ClientTrace.now(), ordering: .relaxed)
        adopterWaiting.store(false, ordering: .relaxed)
        if finished { usleep(UInt32(min(max(seconds, 0), 0.01) * 1_000_000)) }
    }

    /// Ends the adopting thread's poll.
    func wake() { sockets?.wake() }

    /// The loop's own thread drives again.
    func release() {
        adopter.store(0, ordering: .releasing)
        rest.lock()
        rest.signal()
        rest.unlock()
    }

    /// The loop's thread while a consumer drives: it sleeps, looking every `restLook` whether the
    /// driver has been away from its waits for longer than `rescueAfter` (a pass doing blocking
    /// work); while it is, the loop's thread runs short turns itself, so the watches are read and
    /// other consumers woken meanwhile.
    private func restWhileAdopted(_ multi: UnsafeMutableRawPointer, _ sockets: CurlSocketTable) {
        if !adopterAway {
            rest.lock()
            if adopter.load(ordering: .acquiring) != 0 { _ = rest.wait(until: Date(timeIntervalSinceNow: Self.restLook)) }
            rest.unlock()
        }
        guard adopterAway else { return }
        _ = turns.withLock { _ in turn(multi, sockets, limit: .milliseconds(10)) }
    }

    /// True while a driver has been away from its waits for longer than `rescueAfter`.
    private var adopterAway: Bool {
        adopter.load(ordering: .acquiring) != 0 && !adopterWaiting.load(ordering: .relaxed)
            && ClientTrace.now() &- adopterLeft.load(ordering: .relaxed) > UInt64(Self.rescueAfter * 1e9)
    }

    /// How long a driving consumer may be away from its waits before the loop's thread reads for it.
    static let rescueAfter = 0.025
    /// How often the resting loop's thread looks (each look wakes it: a rollout's passes are far
    /// shorter, so it rarely finds the driver away).
    static let restLook = 0.1

    /// Runs libcurl's timers when due (a transfer just added is due at once).
    private func runDueTimers(_ multi: UnsafeMutableRawPointer) {
        guard let sockets, sockets.takeDueTimer() else { return }
        var active: Int32 = 0
        _ = curl_multi_socket_action(multi, kcurl_socket_timeout(), 0, &active)
    }

    /// Starts the requests handed over since the last look, as far as the running limit lets them
    /// (the rest wait in `queued`); how many started, and whether the loop is closed.
    private func startSubmitted(_ multi: UnsafeMutableRawPointer) -> (started: Int, closed: Bool) {
        let (jobs, streams, closed) = inbox.withLock { box in
            defer {
                box.jobs.removeAll(keepingCapacity: true)
                box.streams.removeAll(keepingCapacity: true)
                waiting.store(false, ordering: .relaxed)
            }
            return (box.jobs, box.streams, box.closed)
        }
        queued.append(contentsOf: jobs)
        let started = startQueued(multi)
        for stream in streams { start(stream, on: multi) }
        return (started + streams.count, closed)
    }

    /// Starts waiting requests, oldest first, while fewer than the limit run; how many it started.
    @discardableResult
    private func startQueued(_ multi: UnsafeMutableRawPointer) -> Int {
        var started = 0
        while running.count < runningLimit, let job = queued.popFirst() {
            start(job, on: multi)
            started += 1
        }
        if queued.isEmpty { queued = [] }
        return started
    }

    /// A spare easy handle, reset, or a new one.
    private func takeEasy() -> UnsafeMutableRawPointer? {
        if let kept = spare.popLast() {
            curl_easy_reset(kept)
            return kept
        }
        return curl_easy_init()
    }

    private func start(_ job: Job, on multi: UnsafeMutableRawPointer) {
        guard let easy = takeEasy() else {
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
        kcurl_easy_setopt_long(easy, CURLOPT_BUFFERSIZE, Self.answerBufferBytes)
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

    /// Starts a streamed transfer on its own easy handle (its connection comes from the multi
    /// handle's pool like a request's); one whose cancellation is already set finishes at once, stopped.
    private func start(_ job: StreamJob, on multi: UnsafeMutableRawPointer) {
        let authority = setup.settings.server.authority
        let sockets = self.sockets
        guard let onData = job.onData, let registration = job.cancellation.register(wake: { sockets?.wake() }) else {
            job.finish(StreamOutcome(status: 0, headers: [], body: [], stoppedByCaller: true, failure: nil))
            return
        }
        guard let easy = takeEasy() else {
            job.cancellation.unregister(registration)
            job.finish(StreamOutcome(status: 0, headers: [], body: [], stoppedByCaller: false,
                                     failure: TransportError(kind: .other, server: authority, detail: "curl_easy_init failed")))
            return
        }
        let transfer = CurlTransfer(cancellation: job.cancellation, maxBodyBytes: setup.settings.limits.maxResponseBytes)
        transfer.onStreamData = onData
        let lists = setup.configure(easy, job.request, transfer, resuming: job.resuming)
        kcurl_easy_setopt_long(easy, CURLOPT_BUFFERSIZE, Self.streamBufferBytes)
        let code = curl_multi_add_handle(multi, easy)
        guard code == CURLM_OK else {
            transfer.onStreamData = nil
            setup.release(easy, lists)
            curl_easy_cleanup(easy)
            job.cancellation.unregister(registration)
            job.finish(StreamOutcome(status: 0, headers: [], body: [], stoppedByCaller: false,
                                     failure: TransportError(kind: .other, server: authority, detail: String(cString: curl_multi_strerror(code)))))
            return
        }
        streaming[UInt(bitPattern: easy)] = RunningStream(job: job, transfer: transfer, lists: lists, registration: registration)
    }

    /// Ends the streamed transfers whose cancellation was set (`StreamCancellation.cancel` woke the loop).
    private func stopCancelledStreams(_ multi: UnsafeMutableRawPointer) {
        guard !streaming.isEmpty else { return }
        for (bits, s) in streaming where s.job.cancellation.isCancelled {
            s.transfer.stoppedByCaller = true
            if let easy = UnsafeMutableRawPointer(bitPattern: bits) { endStream(easy, CURLE_OK, on: multi) }
        }
    }

    /// Takes a streamed transfer off the multi handle and reports its outcome, as a transfer on a
    /// multi handle of its own reported it.
    private func endStream(_ easy: UnsafeMutableRawPointer, _ code: CURLcode, on multi: UnsafeMutableRawPointer) {
        guard let s = streaming.removeValue(forKey: UInt(bitPattern: easy)) else { return }
        curl_multi_remove_handle(multi, easy)
        s.job.cancellation.unregister(s.registration)
        let transfer = s.transfer
        transfer.onStreamData = nil
        setup.release(easy, s.lists)
        if spare.count < spareLimit { spare.append(easy) } else { curl_easy_cleanup(easy) }
        var outcome = StreamOutcome(status: transfer.status, headers: transfer.headers, body: transfer.body,
                                    stoppedByCaller: transfer.stoppedByCaller, failure: nil)
        if !transfer.stoppedByCaller && code != CURLE_OK { outcome.failure = setup.mapError(code, transfer) }
        s.job.finish(outcome)
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
            if streaming[UInt(bitPattern: easy)] != nil {
                endStream(easy, code, on: multi)
                continue
            }
            curl_multi_remove_handle(multi, easy)
            guard let r = running.removeValue(forKey: UInt(bitPattern: easy)) else { continue }
            setup.release(easy, r.lists)
            if spare.count < spareLimit { spare.append(easy) } else { curl_easy_cleanup(easy) }
            defer {
                // Requests handed over while earlier answers were handled (a slot they freed), and
                // those waiting for the place this one left, go out now, not after the rest of the answers.
                let started = waiting.load(ordering: .relaxed) ? startSubmitted(multi).started : startQueued(multi)
                if started > 0 { runDueTimers(multi) }
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
