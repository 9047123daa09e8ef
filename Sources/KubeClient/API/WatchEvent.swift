import JSON

/// One event of a watch stream.
public enum WatchEvent: Sendable, Equatable {
    case added(JSONValue)
    case modified(JSONValue)
    case deleted(JSONValue)
    /// A progress marker: everything up to this resourceVersion has been sent.
    case bookmark(resourceVersion: String)
    /// An ERROR event (e.g. 410 Expired "too old resource version"); the server then closes the stream.
    case error(KubeAPIError)

    /// The object of added/modified/deleted events.
    public var object: JSONValue? {
        switch self {
        case .added(let o), .modified(let o), .deleted(let o): return o
        default: return nil
        }
    }

    /// The event as `ClientTrace` marks it: type, object name and resourceVersion.
    var traceText: String {
        switch self {
        case .added(let o): return "ADDED \(o[path: ["metadata", "name"]]?.string ?? "") \(resourceVersion ?? "")"
        case .modified(let o): return "MODIFIED \(o[path: ["metadata", "name"]]?.string ?? "") \(resourceVersion ?? "")"
        case .deleted(let o): return "DELETED \(o[path: ["metadata", "name"]]?.string ?? "") \(resourceVersion ?? "")"
        case .bookmark(let rv): return "BOOKMARK - \(rv)"
        case .error: return "ERROR - -"
        }
    }

    /// The resourceVersion this event moves the watch to, if any.
    public var resourceVersion: String? {
        switch self {
        case .bookmark(let rv): return rv
        case .added(let o), .modified(let o), .deleted(let o): return o[path: ["metadata", "resourceVersion"]]?.string
        case .error: return nil
        }
    }
}

/// What a watch callback wants next.
public enum WatchControl: Sendable, Equatable {
    case `continue`
    case stop
}

/// How a watch ended without an error.
public enum WatchEnd: Sendable, Equatable {
    /// The server closed the stream (its timeout, or after an ERROR event).
    case closedByServer
    /// The callback returned `.stop` or the handle was stopped.
    case stopped
    /// The connection broke mid-stream; watch again from the last resourceVersion.
    case connectionLost(TransportError)
}

/// Stops a running watch (or `watchWithRelist`) from any thread; the transfer aborts at once.
public final class WatchHandle: Sendable {
    /// The underlying switch, shared with transfers and backoff sleeps.
    public let cancellation = StreamCancellation()

    /// A handle for one watch loop.
    public init() {}

    /// Stops the watch.
    public func stop() { cancellation.cancel() }

    /// True after `stop()`.
    public var isStopped: Bool { cancellation.isCancelled }
}
