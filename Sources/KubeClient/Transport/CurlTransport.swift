import CCurl
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
    /// Response size and stall limits.
    public var limits: TransportLimits

    /// Settings with libcurl defaults for everything not given.
    public init(
        server: ServerURL, tls: TLSConfig = TLSConfig(), proxyURL: String? = nil, disableCompression: Bool = false,
        userAgent: String, connectTimeout: Duration = .seconds(30), maxIdleHandles: Int = 16,
        limits: TransportLimits = TransportLimits()
    ) {
        self.server = server
        self.tls = tls
        self.proxyURL = proxyURL
        self.disableCompression = disableCompression
        self.userAgent = userAgent
        self.connectTimeout = connectTimeout
        self.maxIdleHandles = maxIdleHandles
        self.limits = limits
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
/// the server offers it; streaming transfers on dedicated handles driven by a multi handle; and
/// a write loop (`CurlWriteLoop`) for requests sent without waiting for their answer.
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

    /// A transport for `settings`.
    public init(settings: TransportSettings) {
        _ = CurlGlobal.initialized
        self.settings = settings
        setup = CurlHandleSetup(settings: settings, share: CurlShare(), resumption: SessionResumption())
    }

    deinit {
        loop.withLock { $0?.close() }
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
        let loop = loop.withLock { l in
            if let l { return l }
            let started = CurlWriteLoop(setup: setup)
            l = started
            return started
        }
        loop.submit(request, onStart: onStart, completion: completion)
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

    /// Sends a request on a dedicated handle; the body of a 2xx response is handed to `onData`
    /// as it arrives (return false to stop). `cancellation` aborts it from another thread at once.
    /// Failures are reported in the outcome, with the status seen so far.
    public func stream(
        _ request: HTTPRequest, cancellation: StreamCancellation, onData: (UnsafeRawBufferPointer) -> Bool
    ) -> StreamOutcome {
        withoutActuallyEscaping(onData) { handler in
            let resuming = setup.resumption.isAllowed
            let outcome = streamTransfer(request, cancellation, handler, resuming: resuming)
            guard outcome.status == 0, outcome.failure?.kind == .tls, resuming else { return outcome }
            setup.resumption.stop()
            return streamTransfer(request, cancellation, handler, resuming: false)
        }
    }

    private func streamTransfer(
        _ request: HTTPRequest, _ cancellation: StreamCancellation, _ onData: @escaping (UnsafeRawBufferPointer) -> Bool,
        resuming: Bool
    ) -> StreamOutcome {
        let failed = { (what: String) in
            StreamOutcome(status: 0, headers: [], body: [], stoppedByCaller: false,
                failure: TransportError(kind: .other, server: self.settings.server.authority, detail: what))
        }
        guard let easy = curl_easy_init() else { return failed("curl_easy_init failed") }
        defer { curl_easy_cleanup(easy) }
        let transfer = CurlTransfer(cancellation: cancellation, maxBodyBytes: settings.limits.maxResponseBytes)
        transfer.onStreamData = onData
        let lists = setup.configure(easy, request, transfer, resuming: resuming)
        defer { lists.free() }
        guard let multi = curl_multi_init() else { return failed("curl_multi_init failed") }
        defer { curl_multi_cleanup(multi) }
        curl_multi_add_handle(multi, easy)
        defer { curl_multi_remove_handle(multi, easy) }
        guard cancellation.register(multi) else {
            return StreamOutcome(status: 0, headers: [], body: [], stoppedByCaller: true, failure: nil)
        }
        defer { cancellation.unregister(multi) }

        var running: Int32 = 1
        while true {
            _ = curl_multi_perform(multi, &running)
            if running == 0 || transfer.stoppedByCaller { break }
            if cancellation.isCancelled { transfer.stoppedByCaller = true; break }
            _ = curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        var result = CURLE_OK
        var remaining: Int32 = 0
        while let msg = curl_multi_info_read(multi, &remaining) {
            if msg.pointee.msg == CURLMSG_DONE { result = msg.pointee.data.result }
        }
        var outcome = StreamOutcome(
            status: transfer.status, headers: transfer.headers, body: transfer.body,
            stoppedByCaller: transfer.stoppedByCaller, failure: nil)
        if !transfer.stoppedByCaller && result != CURLE_OK { outcome.failure = setup.mapError(result, transfer) }
        return outcome
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
