import JSON
import Locking

extension KubeClient {
    /// The loop the watches' events are read on, for a consumer thread to drive while it waits for
    /// them (`EventQueue.run(on:)`).
    public func watchLoop() -> any WaitLoop { transport.watchLoop() }

    /// Watches `path` (a collection) and calls `onEvent` for each event as it arrives, on the
    /// transport's stream loop thread while the calling thread waits (it must not block; the events of one
    /// read are one `WakeBatch`, so what it hands on wakes its consumer once for them). Returns when
    /// the server closes the stream, when `onEvent` returns `.stop` or `handle` is stopped (the
    /// transfer aborts at once), or when the connection breaks mid-stream (`.connectionLost`: watch
    /// again from the last resourceVersion). Failures before the stream starts (non-2xx, e.g. 410 for a too old
    /// resourceVersion, or no connection) are retried like a GET and then thrown. Event objects
    /// keep what `projection` keeps.
    @discardableResult
    public func watch(
        _ path: String, labelSelector: String? = nil, fieldSelector: String? = nil, resourceVersion: String? = nil,
        allowBookmarks: Bool = true, timeoutSeconds: Int? = nil, handle: WatchHandle? = nil,
        projection: JSONProjection? = nil, onEvent: (WatchEvent) -> WatchControl
    ) throws(KubeAPIError) -> WatchEnd {
        var query = [QueryItem("watch", "true")]
        if let labelSelector, !labelSelector.isEmpty { query.append(QueryItem("labelSelector", labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { query.append(QueryItem("fieldSelector", fieldSelector)) }
        if let resourceVersion, !resourceVersion.isEmpty { query.append(QueryItem("resourceVersion", resourceVersion)) }
        if allowBookmarks { query.append(QueryItem("allowWatchBookmarks", "true")) }
        if let timeoutSeconds { query.append(QueryItem("timeoutSeconds", String(timeoutSeconds))) }
        let target = url(path, query: query)
        let cancellation = (handle ?? WatchHandle()).cancellation
        var attempt = 0
        var reauthenticated = false
        while true {
            attempt += 1
            if cancellation.isCancelled { return .stopped }
            let auth: AuthMaterial
            do { auth = try authenticator.material() } catch { throw .authentication(error) }
            try checkCredentialsMayBeSent(auth)
            let headers = [HTTPHeader("Accept", "application/json")] + auth.headers
            let request = HTTPRequest(
                method: "GET", url: target, headers: headers,
                timeout: timeoutSeconds.map { .seconds($0 + 30) }, clientCertificate: auth.clientCertificate)
            requestCounter.record("WATCH")
            tracer.request(method: "GET", url: target, headers: headers, body: nil)
            let started = ContinuousClock.now

            var decoder = WatchStreamDecoder(maxEventBytes: options.maxWatchEventBytes, projection: projection)
            var decodeError: WatchDecodeError? = nil
            var callerStopped = false
            let trace = options.trace
            let outcome = transport.stream(request, cancellation: cancellation) { bytes in
                do throws(WatchDecodeError) {
                    let receivedAt = trace == nil ? 0 : ClientTrace.now()
                    let events = try decoder.feed(bytes)
                    return WakeBatch.run {
                        for event in events {
                            if let trace { trace.mark("recv \(path) \(event.traceText)", at: receivedAt) }
                            if onEvent(event) == .stop {
                                callerStopped = true
                                return false
                            }
                        }
                        return true
                    }
                } catch {
                    decodeError = error
                    return false
                }
            }
            let elapsed = ContinuousClock.now - started
            if let decodeError { throw .invalidResponse(decodeError.description) }
            if outcome.stoppedByCaller || callerStopped || cancellation.isCancelled {
                tracer.note("GET \(target) watch stopped by the caller after \(RequestTracer.milliseconds(elapsed)) milliseconds")
                return .stopped
            }
            if let failure = outcome.failure {
                tracer.failure(method: "GET", url: target, duration: elapsed, error: failure)
                if (200..<300).contains(outcome.status) { return .connectionLost(failure) }
                let decision = options.retryPolicy.decide(
                    attempt: attempt, idempotent: true, outcome: .transport(failure.kind), random: options.random())
                if case .retry(let delay) = decision {
                    if !options.sleeper.sleep(for: delay, cancellation: cancellation) { return .stopped }
                    continue
                }
                throw .transport(failure)
            }
            tracer.response(method: "GET", url: target, status: outcome.status, duration: elapsed, headers: outcome.headers, body: outcome.body)
            if (200..<300).contains(outcome.status) {
                if decoder.hasPartialEvent {
                    return .connectionLost(TransportError(
                        kind: .connectionLost, server: server.authority, detail: "the watch stream ended inside an event"))
                }
                return .closedByServer
            }
            let response = HTTPResponse(status: outcome.status, headers: outcome.headers, body: outcome.body)
            try refuseRedirect(status: outcome.status, location: response.header("Location"))
            if outcome.status == 401, !reauthenticated, authenticator.refreshAfterUnauthorized(auth) {
                reauthenticated = true
                attempt -= 1
                continue
            }
            let retryAfter = response.header("Retry-After").flatMap { Int($0.trimmingSpaces()) }
            let decision = options.retryPolicy.decide(
                attempt: attempt, idempotent: true, outcome: .response(status: outcome.status, retryAfterSeconds: retryAfter),
                random: options.random())
            if case .retry(let delay) = decision {
                if !options.sleeper.sleep(for: delay, cancellation: cancellation) { return .stopped }
                continue
            }
            throw .status(APIStatus.fromResponse(
                status: outcome.status, body: outcome.body, contentType: response.header("Content-Type"),
                retryAfterHeader: response.header("Retry-After"), method: "GET"))
        }
    }
}
