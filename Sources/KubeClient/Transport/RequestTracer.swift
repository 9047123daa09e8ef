#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where trace lines go.
public typealias LogSink = @Sendable (String) -> Void

/// kubectl-style request tracing: at verbosity 6 method, URL, status and duration; at 8 the
/// request and response headers; at 9 the bodies (truncated). Credentials are always redacted.
public struct RequestTracer: Sendable {
    /// The `-v` level.
    public var verbosity: Int
    /// The destination of trace lines.
    public var sink: LogSink

    /// A tracer.
    public init(verbosity: Int, sink: @escaping LogSink = RequestTracer.standardError) {
        self.verbosity = verbosity
        self.sink = sink
    }

    /// Writes a line to standard error.
    public static let standardError: LogSink = { line in
        var text = line
        if !text.hasSuffix("\n") { text += "\n" }
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(2, $0.baseAddress! + offset, $0.count - offset) }
            if n <= 0 { if errno == EINTR { continue }; break }
            offset += n
        }
    }

    /// True when request lines are traced.
    public var enabled: Bool { verbosity >= 6 }

    /// Traces an outgoing request (headers at 8+, body at 9+).
    public func request(method: String, url: String, headers: [HTTPHeader], body: [UInt8]?) {
        guard verbosity >= 8 else { return }
        var lines = ["\(method) \(url)", "Request Headers:"]
        for h in headers { lines.append("    \(h.name): \(Redactor.headerValue(name: h.name, value: h.value))") }
        if verbosity >= 9, let body, !body.isEmpty { lines.append("Request Body: \(Redactor.body(body))") }
        sink(lines.joined(separator: "\n"))
    }

    /// Traces a response.
    public func response(method: String, url: String, status: Int, duration: Duration, headers: [HTTPHeader], body: [UInt8]?) {
        guard verbosity >= 6 else { return }
        var lines = ["\(method) \(url) \(status) \(Self.reasonPhrase(status)) in \(Self.milliseconds(duration)) milliseconds"]
        if verbosity >= 8 {
            lines.append("Response Headers:")
            for h in headers { lines.append("    \(h.name): \(Redactor.headerValue(name: h.name, value: h.value))") }
        }
        if verbosity >= 9, let body, !body.isEmpty { lines.append("Response Body: \(Redactor.body(body))") }
        sink(lines.joined(separator: "\n"))
    }

    /// Traces a request that got no response.
    public func failure(method: String, url: String, duration: Duration, error: TransportError) {
        guard verbosity >= 6 else { return }
        sink("\(method) \(url)  in \(Self.milliseconds(duration)) milliseconds: \(error.description)")
    }

    /// Traces a remark (retries, reconnects, relists).
    public func note(_ text: @autoclosure () -> String) {
        guard verbosity >= 6 else { return }
        sink(text())
    }

    static func milliseconds(_ d: Duration) -> Int {
        Int(d.components.seconds) * 1000 + Int(d.components.attoseconds / 1_000_000_000_000_000)
    }

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
        case 409: return "Conflict"
        case 410: return "Gone"
        case 415: return "Unsupported Media Type"
        case 422: return "Unprocessable Entity"
        case 429: return "Too Many Requests"
        case 500: return "Internal Server Error"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        default: return ""
        }
    }
}
