import Foundation
import JSON
import Synchronization

/// One request as the server saw it, with the status it answered.
public struct RequestLogEntry: Sendable {
    /// "GET", "PATCH", ...
    public let method: String
    /// The decoded path.
    public let path: String
    /// The raw query string.
    public let rawQuery: String
    /// The Content-Type header ("" when absent).
    public let contentType: String
    /// The request body.
    public let body: [UInt8]
    /// The status code answered (200 for watches once the stream started).
    public let statusCode: Int
    /// When the request arrived.
    public let timestamp: Date
    /// The User-Agent header ("" when absent).
    public let userAgent: String
    /// The Accept header ("" when absent).
    public let accept: String

    /// The decoded query parameters.
    public var query: QueryParameters { QueryParameters(parsing: rawQuery) }
    /// The body as text.
    public var bodyText: String { String(decoding: body, as: UTF8.self) }
    /// The body parsed as JSON (nil when empty or not JSON).
    public var bodyJSON: JSONValue? { body.isEmpty ? nil : try? JSONValue(parsing: body) }
    /// True for a request that can change the cluster: anything but GET and HEAD, except dry runs
    /// (`dryRun=All`) and access reviews, which store nothing.
    public var isWrite: Bool { method != "GET" && method != "HEAD" && !isDryRun && !isAccessReview }
    /// True for a write sent with `dryRun=All`.
    public var isDryRun: Bool { query["dryRun"] == "All" }
    /// True for a SelfSubjectAccessReview (a question to the authorizer, as `kubectl auth can-i` asks).
    public var isAccessReview: Bool { path.hasSuffix("/selfsubjectaccessreviews") }
    /// True for a watch request.
    public var isWatch: Bool { query.flag("watch") }
}

/// Every request the server handled, in arrival order; thread-safe.
public final class RequestLog: Sendable {
    private let entries_ = Mutex<[RequestLogEntry]>([])

    /// A log.
    public init() {}

    func append(_ e: RequestLogEntry) { entries_.withLock { $0.append(e) } }

    /// All entries.
    public var entries: [RequestLogEntry] { entries_.withLock { $0 } }

    /// The writes (every method but GET/HEAD).
    public var writes: [RequestLogEntry] { entries.filter(\.isWrite) }

    /// Entries whose method matches (nil: any) and whose path matches a glob (`*` matches anything).
    public func matching(method: String? = nil, path pattern: String = "*") -> [RequestLogEntry] {
        entries.filter { (method == nil || $0.method == method) && Glob.matches(pattern, $0.path) }
    }

    /// Forgets every entry.
    public func clear() { entries_.withLock { $0.removeAll() } }
}

/// Glob matching where `*` matches any run of characters (slashes included).
public enum Glob {
    /// True when `text` matches `pattern`.
    public static func matches(_ pattern: String, _ text: String) -> Bool {
        let p = Array(pattern.utf8)
        let t = Array(text.utf8)
        var pi = 0
        var ti = 0
        var star = -1
        var mark = 0
        while ti < t.count {
            if pi < p.count && (p[pi] == t[ti] || p[pi] == UInt8(ascii: "?")) {
                pi += 1
                ti += 1
            } else if pi < p.count && p[pi] == UInt8(ascii: "*") {
                star = pi
                mark = ti
                pi += 1
            } else if star >= 0 {
                pi = star + 1
                mark += 1
                ti = mark
            } else {
                return false
            }
        }
        while pi < p.count && p[pi] == UInt8(ascii: "*") { pi += 1 }
        return pi == p.count
    }
}
