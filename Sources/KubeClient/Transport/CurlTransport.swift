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
/// the server offers it; streaming transfers on dedicated handles driven by a multi handle.
///
/// A server that fails a handshake offering a cached session (OpenSSL without a session id
/// context, e.g. a TLS proxy that verifies client certificates) gets the request again over a
/// full handshake, and no resumption for the rest of the transport's life.
public final class CurlTransport: Sendable {
    /// The fixed settings.
    public let settings: TransportSettings
    private let share = CurlShare()
    /// Cleared after a TLS failure of an attempt that offered a cached session: from then on every
    /// connection does a full handshake. Each attempt that did offer one is retried (several may fail at once).
    private let resumesSessions = Atomic<Bool>(true)
    /// Bit patterns of idle CURL* handles.
    private let idle = Mutex<[UInt]>([])

    /// A transport for `settings`.
    public init(settings: TransportSettings) {
        _ = CurlGlobal.initialized
        self.settings = settings
    }

    deinit {
        let handles = idle.withLock { h in let all = h; h.removeAll(); return all }
        for bits in handles {
            if let p = UnsafeMutableRawPointer(bitPattern: bits) { curl_easy_cleanup(p) }
        }
    }

    /// Sends a request and reads the whole response.
    public func send(_ request: HTTPRequest) throws(TransportError) -> HTTPResponse {
        let resuming = resumesSessions.load(ordering: .relaxed)
        do {
            return try sendOnce(request, resuming: resuming)
        } catch where error.kind == .tls && resuming {
            resumesSessions.store(false, ordering: .relaxed)
            return try sendOnce(request, resuming: false)
        }
    }

    private func sendOnce(_ request: HTTPRequest, resuming: Bool) throws(TransportError) -> HTTPResponse {
        let easy = takeHandle()
        let transfer = CurlTransfer(cancellation: nil, maxBodyBytes: settings.limits.maxResponseBytes)
        let lists = configure(easy, request, transfer, resuming: resuming)
        if let stall = settings.limits.stallTime {
            kcurl_easy_setopt_long(easy, CURLOPT_LOW_SPEED_LIMIT, settings.limits.minimumBytesPerSecond)
            kcurl_easy_setopt_long(easy, CURLOPT_LOW_SPEED_TIME, max(1, Int(stall.components.seconds)))
        }
        let code = curl_easy_perform(easy)
        kcurl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, nil)
        kcurl_easy_setopt_slist(easy, CURLOPT_CONNECT_TO, nil)
        lists.free()
        putHandle(easy)
        if code != CURLE_OK { throw mapError(code, transfer) }
        return HTTPResponse(status: transfer.status, headers: transfer.headers, body: transfer.body)
    }

    /// Sends a request on a dedicated handle; the body of a 2xx response is handed to `onData`
    /// as it arrives (return false to stop). `cancellation` aborts it from another thread at once.
    /// Failures are reported in the outcome, with the status seen so far.
    public func stream(
        _ request: HTTPRequest, cancellation: StreamCancellation, onData: (UnsafeRawBufferPointer) -> Bool
    ) -> StreamOutcome {
        withoutActuallyEscaping(onData) { handler in
            let resuming = resumesSessions.load(ordering: .relaxed)
            let outcome = streamTransfer(request, cancellation, handler, resuming: resuming)
            guard outcome.status == 0, outcome.failure?.kind == .tls, resuming else { return outcome }
            resumesSessions.store(false, ordering: .relaxed)
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
        let lists = configure(easy, request, transfer, resuming: resuming)
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
        if !transfer.stoppedByCaller && result != CURLE_OK { outcome.failure = mapError(result, transfer) }
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

    /// curl_slist allocations that must outlive the transfer.
    private struct OwnedLists {
        var headers: UnsafeMutablePointer<curl_slist>?
        var connectTo: UnsafeMutablePointer<curl_slist>?
        func free() {
            if let headers { curl_slist_free_all(headers) }
            if let connectTo { curl_slist_free_all(connectTo) }
        }
    }

    private func configure(
        _ easy: UnsafeMutableRawPointer, _ request: HTTPRequest, _ transfer: CurlTransfer, resuming: Bool
    ) -> OwnedLists {
        let s = settings
        kcurl_easy_setopt_share(easy, share.handle)
        if !resuming { kcurl_easy_setopt_long(easy, CURLOPT_SSL_SESSIONID_CACHE, 0) }
        transfer.install(on: easy)
        let routing = TLSServerNameRouting.route(url: request.url, server: s.server, serverName: s.tls.serverName)
        kcurl_easy_setopt_string(easy, CURLOPT_URL, routing.url)
        kcurl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        kcurl_easy_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0)
        kcurl_easy_setopt_long(easy, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS))
        kcurl_easy_setopt_string(easy, CURLOPT_USERAGENT, s.userAgent)
        if !s.disableCompression { kcurl_easy_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, "gzip") }
        kcurl_easy_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1)
        kcurl_easy_setopt_long(easy, CURLOPT_TCP_KEEPIDLE, 30)
        kcurl_easy_setopt_long(easy, CURLOPT_TCP_KEEPINTVL, 30)
        kcurl_easy_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, Self.milliseconds(s.connectTimeout))
        if let t = request.timeout { kcurl_easy_setopt_long(easy, CURLOPT_TIMEOUT_MS, max(1, Self.milliseconds(t))) }
        if let proxy = s.proxyURL { kcurl_easy_setopt_string(easy, CURLOPT_PROXY, proxy) }

        switch request.method {
        case "GET":
            kcurl_easy_setopt_long(easy, CURLOPT_HTTPGET, 1)
        case "POST":
            kcurl_easy_setopt_long(easy, CURLOPT_POST, 1)
        default:
            kcurl_easy_setopt_string(easy, CURLOPT_CUSTOMREQUEST, request.method)
        }
        if let body = request.body {
            kcurl_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count))
            body.withUnsafeBytes { raw in
                _ = kcurl_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1)!))
            }
        } else if request.method == "POST" {
            kcurl_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, 0)
            kcurl_easy_setopt_string(easy, CURLOPT_COPYPOSTFIELDS, "")
        }

        var lists = OwnedLists()
        for h in request.headers { lists.headers = curl_slist_append(lists.headers, "\(h.name): \(h.value)") }
        if let host = routing.hostHeader { lists.headers = curl_slist_append(lists.headers, "Host: \(host)") }
        lists.headers = curl_slist_append(lists.headers, "Expect:")
        kcurl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, lists.headers)
        if let connectTo = routing.connectTo {
            lists.connectTo = curl_slist_append(nil, connectTo)
            kcurl_easy_setopt_slist(easy, CURLOPT_CONNECT_TO, lists.connectTo)
        }

        if s.tls.insecureSkipVerify {
            kcurl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 0)
            kcurl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 0)
        } else {
            kcurl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, 1)
            kcurl_easy_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, 2)
        }
        if let ca = s.tls.caPEM {
            Self.setBlob(easy, CURLOPT_CAINFO_BLOB, ca)
            kcurl_easy_setopt_string(easy, CURLOPT_CAPATH, nil)
        }
        let certificate = request.clientCertificate
            ?? s.tls.clientCertificatePEM.flatMap { cert in s.tls.clientKeyPEM.map { ClientCertificate(certificatePEM: cert, keyPEM: $0) } }
        if let certificate {
            Self.setBlob(easy, CURLOPT_SSLCERT_BLOB, certificate.certificatePEM)
            kcurl_easy_setopt_string(easy, CURLOPT_SSLCERTTYPE, "PEM")
            Self.setBlob(easy, CURLOPT_SSLKEY_BLOB, certificate.keyPEM)
            kcurl_easy_setopt_string(easy, CURLOPT_SSLKEYTYPE, "PEM")
        }
        return lists
    }

    /// Passes bytes as a curl_blob that libcurl copies (nothing is written to disk).
    private static func setBlob(_ easy: UnsafeMutableRawPointer, _ option: CURLoption, _ bytes: [UInt8]) {
        var copy = bytes
        copy.withUnsafeMutableBytes { raw in
            var blob = curl_blob(data: raw.baseAddress, len: raw.count, flags: UInt32(CURL_BLOB_COPY))
            _ = kcurl_easy_setopt_blob(easy, option, &blob)
        }
    }

    private static func milliseconds(_ d: Duration) -> Int {
        let c = d.components
        return Int(c.seconds) * 1000 + Int(c.attoseconds / 1_000_000_000_000_000)
    }

    private func mapError(_ code: CURLcode, _ transfer: CurlTransfer) -> TransportError {
        var detail = transfer.errorText
        if detail.isEmpty { detail = String(cString: curl_easy_strerror(code)) }
        let kind: TransportError.Kind
        switch code {
        case CURLE_COULDNT_CONNECT: kind = .connectFailed
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY: kind = .unresolvedHost
        case CURLE_OPERATION_TIMEDOUT: kind = .timedOut
        case CURLE_PEER_FAILED_VERIFICATION: kind = .tlsVerification
        case CURLE_SSL_CONNECT_ERROR, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER, CURLE_SSL_CACERT_BADFILE,
            CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ENGINE_SETFAILED, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_CRL_BADFILE,
            CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CLIENTCERT:
            kind = .tls
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR:
            // A TLS alert after the handshake (e.g. TLS 1.3 "certificate required") surfaces as a
            // read error; it is a TLS failure, not a dropped connection worth retrying.
            kind = detail.contains("SSL routines") || detail.contains(" alert ") ? .tls : .connectionLost
        case CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            kind = .connectionLost
        case CURLE_ABORTED_BY_CALLBACK, CURLE_WRITE_ERROR:
            if transfer.bodyTooLarge {
                kind = .responseTooLarge
                detail = "the response body exceeded \(settings.limits.maxResponseBytes) bytes"
            } else {
                kind = transfer.stoppedByCaller ? .cancelled : .other
            }
        default: kind = .other
        }
        return TransportError(kind: kind, server: settings.server.authority, detail: detail, curlCode: Int(code.rawValue))
    }
}
