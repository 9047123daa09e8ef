import JSON

/// What `watchWithRelist` reports.
public enum InformerEvent: Sendable, Equatable {
    /// A full list: the complete current state, replacing anything known before (sent first,
    /// and again after every relist).
    case listed([JSONValue], resourceVersion: String)
    case added(JSONValue)
    case modified(JSONValue)
    case deleted(JSONValue)
}

/// Tuning of `watchWithRelist`.
public struct RelistOptions: Sendable, Equatable {
    /// Server-side watch timeout; the watch is reopened from the last resourceVersion after it.
    public var watchTimeoutSeconds: Int
    /// Items per list page.
    public var pageLimit: Int
    /// First delay after a failure; doubles up to `maxBackoff`.
    public var initialBackoff: Duration
    /// Largest delay between attempts.
    public var maxBackoff: Duration
    /// Consecutive failed attempts (lists or watches) before giving up; 0 = never give up.
    public var maxConsecutiveFailures: Int

    /// Defaults: 5-minute watches, 500-item pages, backoff 0.5 s to 30 s, give up after 10 failures.
    public init(
        watchTimeoutSeconds: Int = 300, pageLimit: Int = 500, initialBackoff: Duration = .milliseconds(500),
        maxBackoff: Duration = .seconds(30), maxConsecutiveFailures: Int = 10
    ) {
        self.watchTimeoutSeconds = watchTimeoutSeconds
        self.pageLimit = pageLimit
        self.initialBackoff = initialBackoff
        self.maxBackoff = maxBackoff
        self.maxConsecutiveFailures = maxConsecutiveFailures
    }
}

extension KubeClient {
    /// An informer-like loop: lists `path`, reports the full state (`.listed`), then watches
    /// from the list's resourceVersion, reporting changes. When the stream ends or drops it
    /// watches again from the last resourceVersion seen (bookmarks included); when the server
    /// says that version is gone (an ERROR event or HTTP 410) it lists again. Failures are
    /// retried with exponential backoff. Returns when `onEvent` returns `.stop` or `handle` is
    /// stopped (from any thread); throws on errors retrying cannot fix (401, 403, 404, ...) or
    /// after `options.maxConsecutiveFailures` failures in a row. Objects keep what `projection` keeps.
    public func watchWithRelist(
        _ path: String, labelSelector: String? = nil, fieldSelector: String? = nil, handle: WatchHandle,
        options relist: RelistOptions = RelistOptions(), projection: JSONProjection? = nil,
        onEvent: (InformerEvent) -> WatchControl
    ) throws(KubeAPIError) {
        let cancellation = handle.cancellation
        var resourceVersion: String? = nil
        var failures = 0

        func fatal(_ e: KubeAPIError) -> Bool {
            switch e.classification {
            case .unauthorized, .forbidden, .notFound, .badRequest, .invalid, .methodNotAllowed, .notAcceptable,
                .unsupportedMediaType, .authentication:
                return true
            default:
                return false
            }
        }
        /// Records a failure and waits; false when the loop must end (stopped).
        func backOff(_ e: KubeAPIError) throws(KubeAPIError) -> Bool {
            failures += 1
            if relist.maxConsecutiveFailures > 0 && failures >= relist.maxConsecutiveFailures { throw e }
            let base = RetryPolicy(baseDelay: relist.initialBackoff, maxDelay: relist.maxBackoff)
            let delay = base.backoff(failures, options.random())
            tracer.note("watch of \(path) failed (\(e)); retrying in \(RequestTracer.milliseconds(delay)) ms")
            return options.sleeper.sleep(for: delay, cancellation: cancellation)
        }

        while !cancellation.isCancelled {
            if resourceVersion == nil {
                let listed: (items: [JSONValue], resourceVersion: String)
                do {
                    listed = try listAll(path, labelSelector: labelSelector, fieldSelector: fieldSelector, limit: relist.pageLimit,
                                         projection: projection)
                } catch {
                    if fatal(error) { throw error }
                    if try !backOff(error) { return }
                    continue
                }
                resourceVersion = listed.resourceVersion
                if onEvent(.listed(listed.items, resourceVersion: listed.resourceVersion)) == .stop { return }
            }

            var needRelist = false
            var callerStopped = false
            var streamError: KubeAPIError? = nil
            var sawEvent = false
            let end: WatchEnd
            do {
                end = try watch(
                    path, labelSelector: labelSelector, fieldSelector: fieldSelector, resourceVersion: resourceVersion,
                    allowBookmarks: true, timeoutSeconds: relist.watchTimeoutSeconds, handle: handle, projection: projection
                ) { event in
                    if let rv = event.resourceVersion, !rv.isEmpty { resourceVersion = rv }
                    let control: WatchControl
                    switch event {
                    case .added(let o):
                        sawEvent = true
                        control = onEvent(.added(o))
                    case .modified(let o):
                        sawEvent = true
                        control = onEvent(.modified(o))
                    case .deleted(let o):
                        sawEvent = true
                        control = onEvent(.deleted(o))
                    case .bookmark:
                        sawEvent = true
                        control = .continue
                    case .error(let e):
                        if e.isGone { needRelist = true } else { streamError = e }
                        return .stop
                    }
                    if control == .stop { callerStopped = true }
                    return control
                }
            } catch {
                if error.classification == .cancelled { return }
                if error.isGone {
                    tracer.note("watch of \(path) from resourceVersion \(resourceVersion ?? "") is too old (410); listing again")
                    resourceVersion = nil
                    continue
                }
                if fatal(error) { throw error }
                if try !backOff(error) { return }
                continue
            }
            if callerStopped || cancellation.isCancelled { return }
            if sawEvent { failures = 0 }
            if needRelist {
                tracer.note("watch of \(path): resourceVersion expired (410); listing again")
                resourceVersion = nil
                continue
            }
            if let streamError {
                if fatal(streamError) { throw streamError }
                if try !backOff(streamError) { return }
                continue
            }
            switch end {
            case .stopped:
                return
            case .closedByServer:
                failures = 0
            case .connectionLost(let t):
                if try !backOff(.transport(t)) { return }
            }
        }
    }
}
