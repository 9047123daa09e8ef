import Foundation
import Synchronization

/// Writes one response on a connection: either a whole body, or a chunked stream of parts that are
/// flushed as they are sent (watch events).
public final class HTTPResponseWriter: Sendable {
    private struct State {
        var started = false
        var streaming = false
        var finished = false
        var clientGone = false
        var closeAfter = false
    }

    private let connection: SocketConnection?
    private let state = Mutex(State())
    private let captured = Mutex<(status: Int, headers: HTTPHeaders, body: [UInt8])>((0, HTTPHeaders(), []))
    private let onChunk: (@Sendable ([UInt8]) -> Bool)?
    private let willRespond = Mutex<(@Sendable (Int) -> Void)?>(nil)
    /// A fault's hold on the answer (`FaultInjector.holdAnswersNext`): how long, and the answer's bytes once written.
    private let held = Mutex<(seconds: Double, bytes: [UInt8]?)>((0, nil))

    /// Sets a hook called with the status code just before the response head is written.
    public func onRespond(_ hook: @escaping @Sendable (Int) -> Void) { willRespond.withLock { $0 = hook } }

    init(connection: SocketConnection, closeAfter: Bool) {
        self.connection = connection
        self.onChunk = nil
        state.withLock { $0.closeAfter = closeAfter }
    }

    /// A writer that keeps the response in memory (in-process requests); `onChunk` receives stream
    /// parts and returns false to stop the stream.
    public init(capturingChunks onChunk: (@Sendable ([UInt8]) -> Bool)? = nil) {
        self.connection = nil
        self.onChunk = onChunk
    }

    /// The status code written (0 before any response).
    public var status: Int { captured.withLock { $0.status } }
    /// The response headers written.
    public var headers: HTTPHeaders { captured.withLock { $0.headers } }
    /// The body written (in-memory writers only; stream parts are appended too).
    public var body: [UInt8] { captured.withLock { $0.body } }
    /// True once the peer has gone away (a write failed or it hung up).
    public var clientGone: Bool {
        if state.withLock({ $0.clientGone }) { return true }
        if let connection, connection.peerClosed() {
            state.withLock { $0.clientGone = true }
            return true
        }
        return false
    }
    /// True when the connection must close after this response.
    var closeAfter: Bool { state.withLock { $0.closeAfter } }
    /// True once a complete response was written.
    var finished: Bool { state.withLock { $0.finished } }
    /// True once anything was written.
    var started: Bool { state.withLock { $0.started } }

    /// Asks for the connection to be closed after this response.
    func markClose() { state.withLock { $0.closeAfter = true } }

    /// Writes a complete response with a Content-Length body.
    public func respond(status: Int, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8]) {
        let ok = state.withLock { s -> Bool in
            if s.started { return false }
            s.started = true
            s.finished = true
            return true
        }
        guard ok else { return }
        var h = headers
        h.set("Content-Length", String(body.count))
        if h["Date"] == nil { h.set("Date", HTTPDate.now()) }
        if closeAfter { h.set("Connection", "close") }
        captured.withLock { $0 = (status, h, body) }
        willRespond.withLock { $0 }?(status)
        guard let connection else { return }
        var out = Self.head(status: status, headers: h)
        out.append(contentsOf: body)
        if held.withLock({ hold in
            guard hold.seconds > 0 else { return false }
            hold.bytes = out
            return true
        }) { return }
        if !connection.write(out) { state.withLock { $0.clientGone = true } }
    }

    /// Makes `respond` keep its answer until `releaseHeldAnswer`, which sends it `seconds` later.
    func holdAnswer(seconds: Double) { held.withLock { $0.seconds = seconds } }

    /// Sends the answer `respond` kept, after the hold.
    func releaseHeldAnswer() {
        guard let (seconds, bytes) = held.withLock({ hold -> (Double, [UInt8])? in
            defer { hold = (0, nil) }
            return hold.bytes.map { (hold.seconds, $0) }
        }), let connection else { return }
        Thread.sleep(forTimeInterval: seconds)
        if !connection.write(bytes) { state.withLock { $0.clientGone = true } }
    }

    /// Starts a chunked response; false if the client is gone.
    @discardableResult
    public func beginStream(status: Int, headers: HTTPHeaders = HTTPHeaders()) -> Bool {
        let ok = state.withLock { s -> Bool in
            if s.started { return false }
            s.started = true
            s.streaming = true
            return true
        }
        guard ok else { return false }
        var h = headers
        h.set("Transfer-Encoding", "chunked")
        if h["Date"] == nil { h.set("Date", HTTPDate.now()) }
        if closeAfter { h.set("Connection", "close") }
        captured.withLock { $0 = (status, h, []) }
        willRespond.withLock { $0 }?(status)
        guard let connection else { return true }
        if !connection.write(Self.head(status: status, headers: h)) {
            state.withLock { $0.clientGone = true }
            return false
        }
        return true
    }

    /// Sends one chunk and flushes it; false when the client is gone.
    @discardableResult
    public func sendChunk(_ bytes: [UInt8]) -> Bool {
        guard !bytes.isEmpty else { return true }
        if state.withLock({ $0.clientGone || $0.finished || !$0.streaming }) { return false }
        guard let connection else {
            captured.withLock { $0.body.append(contentsOf: bytes) }
            if let onChunk, !onChunk(bytes) {
                state.withLock { $0.clientGone = true }
                return false
            }
            return true
        }
        var out = Array(String(bytes.count, radix: 16).utf8)
        out.append(contentsOf: [0x0D, 0x0A])
        out.append(contentsOf: bytes)
        out.append(contentsOf: [0x0D, 0x0A])
        if !connection.write(out) {
            state.withLock { $0.clientGone = true }
            return false
        }
        return true
    }

    /// Ends a chunked response with the last, empty chunk.
    public func endStream() {
        let ok = state.withLock { s -> Bool in
            if !s.streaming || s.finished { return false }
            s.finished = true
            return !s.clientGone
        }
        guard ok, let connection else { return }
        if !connection.write(Array("0\r\n\r\n".utf8)) { state.withLock { $0.clientGone = true } }
    }

    /// Abandons a stream without its last chunk (the client sees the connection drop).
    func abortStream() {
        state.withLock { $0.finished = true; $0.closeAfter = true; $0.clientGone = true }
        connection?.shutdownBoth()
    }

    static func head(status: Int, headers: HTTPHeaders) -> [UInt8] {
        var s = "HTTP/1.1 \(status) \(reasonPhrase(status))\r\n"
        for f in headers { s += "\(f.name): \(f.value)\r\n" }
        s += "\r\n"
        return Array(s.utf8)
    }

    /// The standard reason phrase for a status code.
    static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 406: return "Not Acceptable"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 413: return "Request Entity Too Large"
        case 414: return "URI Too Long"
        case 415: return "Unsupported Media Type"
        case 422: return "Unprocessable Entity"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return "Status \(status)"
        }
    }
}
