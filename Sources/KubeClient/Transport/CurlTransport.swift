import CCurl
import Foundation
import Locking
import Synchronization

/// Connection settings fixed for the lifetime of a transport.
public struct TransportSettings: Sendable {
    /// The API server.
    public var server: ServerURL
    /// TLS verification and client certificate.
    public var tls: TLSConfig
    /// Proxy URL, if any.
    public var proxyURL: String?
    /// Do not ask for gzip.
    public var disableCompression: Bool
    /// `User-Agent` value.
    public var userAgent: String
    /// Time allowed to establish a connection.
    public var connectTimeout: Duration
    /// Idle easy handles (each with its keep-alive connection) kept for reuse.
    public var maxIdleHandles: Int
    /// Most requests the write loop runs at once; the others wait their turn in the order they were
    /// handed over. Over HTTP/1.1 each running request holds a connection and an easy handle (about
    /// 20 kB of memory in libcurl), and a burst wider than this gains nothing from a server that
    /// works on a few requests at a time anyway.
    public var maxConcurrentRequests: Int
    /// Response size and stall limits.
    public var limits: TransportLimits
    /// While busy, the write and watch loops look at their sockets at most once per this span
    /// (`CurlSocketTable`): answers and events wait at most this long to be read, and each
    /// wake-up reads a burst of them. Zero reads each one as it arrives.
    public var loopWindow: Duration

    /// Settings with libcurl defaults for everything not given.
    public init(
        server: ServerURL, tls: TLSConfig = TLSConfig(), proxyURL: String? = nil, disableCompression: Bool = false,
        userAgent: String, connectTimeout: Duration = .seconds(30), maxIdleHandles: Int = 16, maxConcurrentRequests: Int = 64,
        limits: TransportLimits = TransportLimits(), loopWindow: Duration = .milliseconds(2)
    ) {
        self.server = server
        self.tls = tls
        self.proxyURL = proxyURL
        self.disableCompression = disableCompression
        self.userAgent = userAgent
        self.connectTimeout = connectTimeout
        self.maxIdleHandles = maxIdleHandles
        self.maxConcurrentRequests = maxConcurrentRequests
        self.limits = limits
        self.loopWindow = loopWindow
    }
}

/// The result of a streamed transfer.
public struct StreamOutcome: Sendable {
    /// HTTP status (0 if none arrived).
    public var status: Int
    /// Response headers.
    public var headers: [HTTPHeader]
    /// The body of a non-2xx response (2xx bodies went to the stream handler).
    public var body: [UInt8]
    /// True when the handler or a cancellation ended the transfer.
    public var stoppedByCaller: Bool
    /// Set when the transfer failed; `status` tells whether a response had started.
    public var failure: TransportError?
}

/// HTTP over libcurl: a pool of easy handles (keep-alive connections are reused by reusing the
/// handles, most recently used first) sharing DNS and TLS session caches; HTTP/2 over TLS when
/// the server offers it; a write loop (`CurlWriteLoop`) for requests sent without waiting for their
/// answer, and a second loop for streaming transfers (on dedicated handles): every watch on one
/// thread polling their sockets together, decoding on a thread of its own, so a burst of events
/// does not hold back the writes the rollout decides meanwhile.
///
/// A server that fails a handshake offering a cached session (OpenSSL without a session id
/// context, e.g. a TLS proxy that verifies client certificates) gets the request again over a
/// full handshake, and no resumption for the rest of the transport's life.
public final class CurlTransport: Sendable {
    /// The fixed settings.
    public let settings: TransportSettings
    /// How handles are set up; its session switch is cleared after a TLS failure of an attempt that
    /// offered a cached session. Each attempt that did offer one is retried (several may fail at once).
    private let setup: CurlHandleSetup
    /// Bit patterns of idle CURL* handles.
    private let idle = Mutex<[UInt]>([])
    /// The loop running `send(_:onStart:completion:)`'s requests, started by the first of them.
    private let loop = Mutex<CurlWriteLoop?>(nil)
    /// The loop running the streamed transfers (watches), started by the first of them.
    private let streams = Mutex<CurlWriteLoop?>(nil)

    /// A transport for `settings`.
    public init(settings: TransportSettings) {
        _ = CurlGlobal.initialized
        self.settings = settings
        setup = CurlHandleSetup(settings: settings, share: CurlShare(), resumption: SessionResumption())
    }

    deinit {
        loop.withLock { $0?.close() }
        streams.withLock { $0?.close() }
        let handles = idle.withLock { h in let all = h; h.removeAll(); return all }
        for bits in handles {
            if let p = UnsafeMutableRawPointer(bitPattern: bits) { curl_easy_cleanup(p) }
        }
    }

    /// Sends a request and reads the whole response.
    public func send(_ request: HTTPRequest) throws(TransportError) -> HTTPResponse {
        let resuming = setup.resumption.isAllowed
        do {
            return try sendOnce(request, resuming: resuming)
        } catch where error.kind == .tls && resuming {
            setup.resumption.stop()
            return try sendOnce(request, resuming: false)
        }
    }

    /// `send` without holding the calling thread: the request runs on the transport's write loop
    /// (one thread, many requests at once over shared keep-alive connections), `onStart` is called
    /// there as it goes out and `completion` once with what `send` would have returned or thrown
    /// (the retry without session resumption included), on the loop's thread: it must not block.
    public func send(
        _ request: HTTPRequest, onStart: (@Sendable () -> Void)? = nil,
        completion: @escaping @Sendable (Result<HTTPResponse, TransportError>) -> Void
    ) {
        writeLoop().submit(request, onStart: onStart, completion: completion)
    }

    private func sendOnce(_ request: HTTPRequest, resuming: Bool) throws(TransportError) -> HTTPResponse {
        let easy = takeHandle()
        let transfer = CurlTransfer(cancellation: nil, maxBodyBytes: settings.limits.maxResponseBytes)
        let lists = setup.configure(easy, request, transfer, resuming: resuming)
        setup.limitStalls(easy)
        let code = curl_easy_perform(easy)
        setup.release(easy, lists)
        putHandle(easy)
        if code != CURLE_OK { throw setup.mapError(code, transfer) }
        return HTTPResponse(status: transfer.status, headers: transfer.headers, body: transfer.body)
    }

    /// Sends a request on a dedicated handle, run by the stream loop beside the other streams (one
    /// poll over their sockets); the body of a 2xx response is handed to `onData` as it arrives, on the loop's
    /// thread, while the calling thread waits (return false to stop; `onData` must not block, and
    /// what it hands on is woken at the end of the loop's round, see `WakeBatch`). `cancellation`
    /// aborts it from another thread at once. Failures are reported in the outcome, with the status seen so far.
    public func stream(
        _ request: HTTPRequest, cancellation: StreamCancellation, onData: (UnsafeRawBufferPointer) -> Bool
    ) -> StreamOutcome {
        withoutActuallyEscaping(onData) { handler in
            let resuming = setup.resumption.isAllowed
            let outcome = streamOnLoop(request, cancellation, handler, resuming: resuming)
            guard outcome.status == 0, outcome.failure?.kind == .tls, resuming else { return outcome }
            setup.resumption.stop()
            return streamOnLoop(request, cancellation, handler, resuming: false)
        }
    }

    /// Runs one streamed transfer on the stream loop and waits for its outcome (the loop has dropped
    /// `onData` by then).
    private func streamOnLoop(
        _ request: HTTPRequest, _ cancellation: StreamCancellation, _ onData: @escaping (UnsafeRawBufferPointer) -> Bool,
        resuming: Bool
    ) -> StreamOutcome {
        let ended = DispatchSemaphore(value: 0)
        let result = Mutex<StreamOutcome?>(nil)
        streamLoop().submit(stream: CurlWriteLoop.StreamJob(
            request: request, resuming: resuming, cancellation: cancellation, onData: onData,
            finished: { outcome in
                result.withLock { $0 = outcome }
                ended.signal()
            }))
        ended.wait()
        return result.withLock { $0 }!
    }

    /// The loop running the watches, for a consumer thread to drive while it waits for their events.
    public func watchLoop() -> any WaitLoop { streamLoop() }

    /// The loop running writes, started by the first of them.
    private func writeLoop() -> CurlWriteLoop { Self.started(loop, setup, name: "write loop", napEndsOnWake: true) }

    /// The loop running streams, started by the first of them.
    private func streamLoop() -> CurlWriteLoop { Self.started(streams, setup, name: "watch loop", napEndsOnWake: false) }

    private static func started(_ slot: Mutex<CurlWriteLoop?>, _ setup: CurlHandleSetup, name: String,
                                napEndsOnWake: Bool) -> CurlWriteLoop {
        slot.withLock { l in
            if let l { return l }
            let started = CurlWriteLoop(setup: setup, name: name, napEndsOnWake: napEndsOnWake)
            l = started
            return started
        }
    }

    // MARK: - handles

    private func takeHandle() -> UnsafeMutableRawPointer {
        if let bits = idle.withLock({ $0.popLast() }), let p = UnsafeMutableRawPointer(bitPattern: bits) {
            curl_easy_reset(p)
            return p
        }
        return curl_easy_init()
    }

    private func putHandle(_ easy: UnsafeMutableRawPointer) {
        let bits = UInt(bitPattern: easy)
        let kept = idle.withLock { h -> Bool in
            guard h.count < settings.maxIdleHandles else { return false }
            h.append(bits)
            return true
        }
        if !kept { curl_easy_cleanup(easy) }
    }
}
