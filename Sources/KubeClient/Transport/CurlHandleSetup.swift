import CCurl

/// How the transport sets up an easy handle for one request and reads its failure: shared by the
/// blocking transfers and the write loop, so a request is sent the same way on either.
struct CurlHandleSetup: Sendable {
    /// The fixed settings.
    let settings: TransportSettings
    /// The DNS and TLS session caches every handle uses.
    let share: CurlShare
    /// Whether a cached TLS session may be offered now.
    let resumption: SessionResumption

    /// curl_slist allocations that must outlive the transfer.
    struct OwnedLists {
        var headers: UnsafeMutablePointer<curl_slist>?
        var connectTo: UnsafeMutablePointer<curl_slist>?
        func free() {
            if let headers { curl_slist_free_all(headers) }
            if let connectTo { curl_slist_free_all(connectTo) }
        }
    }

    /// Sets every option of `request` on `easy` (a fresh or reset handle), with `transfer` receiving
    /// the response; `resuming`: whether a cached TLS session may be offered. The lists returned
    /// must be freed after the transfer (see `release`).
    func configure(
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
        // Only reads come back large enough for the API server to compress (lists over 128 KiB);
        // a write's answer never is, and the header and decoder setup would cost every write.
        if !s.disableCompression && request.method == "GET" { kcurl_easy_setopt_string(easy, CURLOPT_ACCEPT_ENCODING, "gzip") }
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

    /// The transport error for a failed transfer.
    func mapError(_ code: CURLcode, _ transfer: CurlTransfer) -> TransportError {
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

    /// Cuts off a (non-streamed) request whose transfer rate stays below the limits' minimum.
    func limitStalls(_ easy: UnsafeMutableRawPointer) {
        guard let stall = settings.limits.stallTime else { return }
        kcurl_easy_setopt_long(easy, CURLOPT_LOW_SPEED_LIMIT, settings.limits.minimumBytesPerSecond)
        kcurl_easy_setopt_long(easy, CURLOPT_LOW_SPEED_TIME, max(1, Int(stall.components.seconds)))
    }

    /// Detaches the lists `configure` set from `easy` and frees them (the transfer has ended).
    func release(_ easy: UnsafeMutableRawPointer, _ lists: OwnedLists) {
        kcurl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, nil)
        kcurl_easy_setopt_slist(easy, CURLOPT_CONNECT_TO, nil)
        lists.free()
    }
}
