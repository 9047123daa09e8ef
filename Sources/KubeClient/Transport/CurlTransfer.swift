import CCurl

/// Per-transfer state reached from libcurl's C callbacks through their userdata pointer.
/// Used only by the thread running the transfer.
final class CurlTransfer {
    var status = 0
    var headers: [HTTPHeader] = []
    var body: [UInt8] = []
    /// Receives body bytes of a 2xx response when streaming; returns false to stop the transfer.
    var onStreamData: ((UnsafeRawBufferPointer) -> Bool)?
    /// True once the transfer was stopped on purpose (by the data handler or a cancellation).
    var stoppedByCaller = false
    /// Checked by the progress callback; set from another thread.
    let cancellation: StreamCancellation?
    let errorBuffer: UnsafeMutablePointer<CChar>
    /// Most body bytes kept in `body`.
    let maxBodyBytes: Int
    /// True once the body went over `maxBodyBytes` and the transfer was stopped for it.
    var bodyTooLarge = false
    /// The response's Content-Length, when it gave one: `body` is sized for it at the first byte
    /// (a list page of hundreds of kilobytes would otherwise be copied as it doubles).
    private var announcedLength = 0

    init(cancellation: StreamCancellation?, maxBodyBytes: Int) {
        self.cancellation = cancellation
        self.maxBodyBytes = maxBodyBytes
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit { errorBuffer.deallocate() }

    /// libcurl's last error text for this transfer.
    var errorText: String { String(cString: errorBuffer) }

    /// Installs the callbacks on `easy` with this object as their userdata.
    func install(on easy: UnsafeMutableRawPointer) {
        let me = Unmanaged.passUnretained(self).toOpaque()
        kcurl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, UnsafeMutableRawPointer(errorBuffer))
        kcurl_easy_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION, curlWriteCallback)
        kcurl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, me)
        kcurl_easy_setopt_data_callback(easy, CURLOPT_HEADERFUNCTION, curlHeaderCallback)
        kcurl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, me)
        if cancellation != nil || onStreamData != nil {
            kcurl_easy_setopt_long(easy, CURLOPT_NOPROGRESS, 0)
            kcurl_easy_setopt_xferinfo_callback(easy, curlProgressCallback)
            kcurl_easy_setopt_pointer(easy, CURLOPT_XFERINFODATA, me)
        }
    }

    fileprivate func receiveHeader(_ line: UnsafeRawBufferPointer) {
        var end = line.count
        while end > 0, line[end - 1] == 0x0A || line[end - 1] == 0x0D { end -= 1 }
        let bytes = UnsafeRawBufferPointer(rebasing: line[0..<end])
        if bytes.starts(with: "HTTP/".utf8) {
            // "HTTP/1.1 200 OK": the status is the second field.
            let fields = bytes.split(separator: 0x20, maxSplits: 2, omittingEmptySubsequences: true)
            status = fields.count > 1 ? Int(String(decoding: fields[1], as: UTF8.self)) ?? 0 : 0
            headers.removeAll()
            announcedLength = 0
            return
        }
        guard let colon = bytes.firstIndex(of: UInt8(ascii: ":")) else { return }
        var from = colon + 1, to = bytes.count
        while from < to, bytes[from] == 0x20 || bytes[from] == 0x09 { from += 1 }
        while to > from, bytes[to - 1] == 0x20 || bytes[to - 1] == 0x09 { to -= 1 }
        let header = HTTPHeader(String(decoding: bytes[..<colon], as: UTF8.self), String(decoding: bytes[from..<to], as: UTF8.self))
        if header.named("Content-Length") { announcedLength = Int(header.value) ?? 0 }
        headers.append(header)
    }

    fileprivate func receiveBody(_ bytes: UnsafeRawBufferPointer) -> Bool {
        if let cancellation, cancellation.isCancelled { stoppedByCaller = true; return false }
        if let onStreamData, (200..<300).contains(status) {
            if !onStreamData(bytes) { stoppedByCaller = true; return false }
            return true
        }
        guard body.count + bytes.count <= maxBodyBytes else { bodyTooLarge = true; return false }
        if body.isEmpty && announcedLength > bytes.count { body.reserveCapacity(min(announcedLength, maxBodyBytes)) }
        body.append(contentsOf: bytes)
        return true
    }

    fileprivate func shouldAbort() -> Bool {
        if let cancellation, cancellation.isCancelled { stoppedByCaller = true; return true }
        return false
    }
}

private func curlWriteCallback(_ ptr: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?) -> Int {
    guard let user else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
    let n = size * count
    let ok = transfer.receiveBody(UnsafeRawBufferPointer(start: ptr, count: n))
    return ok ? n : 0
}

private func curlHeaderCallback(_ ptr: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ user: UnsafeMutableRawPointer?) -> Int {
    guard let user else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
    let n = size * count
    transfer.receiveHeader(UnsafeRawBufferPointer(start: ptr, count: n))
    return n
}

private func curlProgressCallback(_ user: UnsafeMutableRawPointer?, _: curl_off_t, _: curl_off_t, _: curl_off_t, _: curl_off_t) -> Int32 {
    guard let user else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(user).takeUnretainedValue()
    return transfer.shouldAbort() ? 1 : 0
}
