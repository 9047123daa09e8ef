import JSON

/// A thread-safe Kubernetes API client over libcurl: authentication (token, token file, basic,
/// client certificates, exec plugins), retries with backoff, request tracing with redaction,
/// and request counting. Verbs, list and watch are in the extensions next to this file.
public final class KubeClient: Sendable {
    /// The configuration in use.
    public let config: ClientConfig
    /// The API server address.
    public let server: ServerURL
    /// Requests made, by verb.
    public let requestCounter: RequestCounter
    let options: KubeClientOptions
    let transport: CurlTransport
    let tracer: RequestTracer
    let authenticator: RequestAuthenticator

    /// A client for `config`.
    public init(config: ClientConfig, options: KubeClientOptions = KubeClientOptions()) throws(ConfigError) {
        self.config = config
        self.options = options
        server = try ServerURL.parse(config.server, defaultTLS: true)
        requestCounter = options.requestCounter
        tracer = RequestTracer(verbosity: options.verbosity, sink: options.logSink)
        transport = CurlTransport(settings: TransportSettings(
            server: server, tls: config.tls, proxyURL: config.proxyURL, disableCompression: config.disableCompression,
            userAgent: options.userAgent, connectTimeout: options.connectTimeout,
            maxIdleHandles: options.maxIdleConnections, limits: options.limits))
        authenticator = RequestAuthenticator(credentials: config.credentials, environment: options.environment, now: options.now)
    }

    /// The deadline after which failed requests are not retried.
    public var retryDeadline: RetryDeadline { options.retryDeadline }

    /// The trace of events received and requests sent, when one was asked for.
    public var trace: ClientTrace? { options.trace }

    /// The namespace from the configuration.
    public var namespace: String { config.namespace }

    /// The full URL of `path` (which starts with `/`) with `query`.
    public func url(_ path: String, query: [QueryItem] = []) -> String {
        let p = path.hasPrefix("/") ? path : "/" + path
        let q = query.isEmpty ? "" : "?" + QueryItem.encode(query)
        return server.base + p + q
    }

    /// Sends one request with authentication, retries, tracing and counting, and returns the
    /// 2xx response; any other status becomes `KubeAPIError.status`.
    ///
    /// - Parameters:
    ///   - idempotent: whether retrying after a lost response is safe; nil means "GET only".
    ///   - verb: the name counted in `requestCounter` (defaults to the method).
    public func send(
        _ method: String, _ path: String, query: [QueryItem] = [], body: [UInt8]? = nil, contentType: String? = nil,
        accept: String = "application/json", idempotent: Bool? = nil, verb: String? = nil
    ) throws(KubeAPIError) -> HTTPResponse {
        let isIdempotent = idempotent ?? (method == "GET")
        let target = url(path, query: query)
        var attempt = 0
        var reauthenticated = false
        while true {
            attempt += 1
            let auth: AuthMaterial
            do { auth = try authenticator.material() } catch { throw .authentication(error) }
            try checkCredentialsMayBeSent(auth)
            var headers = [HTTPHeader("Accept", accept)]
            if let contentType { headers.append(HTTPHeader("Content-Type", contentType)) }
            headers.append(contentsOf: auth.headers)
            let request = HTTPRequest(
                method: method, url: target, headers: headers, body: body, timeout: config.requestTimeout,
                clientCertificate: auth.clientCertificate)
            requestCounter.record(verb ?? method)
            tracer.request(method: method, url: target, headers: headers, body: body)
            let started = ContinuousClock.now
            if let trace = options.trace { trace.mark("send \(method) \(path)") }
            let response: HTTPResponse
            do {
                response = try transport.send(request)
            } catch {
                tracer.failure(method: method, url: target, duration: ContinuousClock.now - started, error: error)
                let decision = options.retryPolicy.decide(
                    attempt: attempt, idempotent: isIdempotent, outcome: .transport(error.kind), random: options.random())
                if case .retry(let policyDelay) = decision, let delay = options.retryDeadline.wait(for: policyDelay) {
                    tracer.note("retrying \(method) \(target) in \(RequestTracer.milliseconds(delay)) ms after: \(error.detail)")
                    _ = options.sleeper.sleep(for: delay, cancellation: nil)
                    continue
                }
                throw .transport(error)
            }
            if let trace = options.trace { trace.mark("done \(method) \(path) \(response.status)") }
            tracer.response(
                method: method, url: target, status: response.status, duration: ContinuousClock.now - started,
                headers: response.headers, body: response.body)
            if (200..<300).contains(response.status) { return response }
            try refuseRedirect(status: response.status, location: response.header("Location"))
            if response.status == 401, !reauthenticated, authenticator.refreshAfterUnauthorized(auth) {
                reauthenticated = true
                attempt -= 1
                tracer.note("credentials rejected (401); the exec plugin issued new ones, retrying")
                continue
            }
            let retryAfter = response.header("Retry-After").flatMap { Int($0.trimmingSpaces()) }
            let decision = options.retryPolicy.decide(
                attempt: attempt, idempotent: isIdempotent,
                outcome: .response(status: response.status, retryAfterSeconds: retryAfter), random: options.random())
            if case .retry(let policyDelay) = decision, let delay = options.retryDeadline.wait(for: policyDelay) {
                tracer.note("retrying \(method) \(target) in \(RequestTracer.milliseconds(delay)) ms after HTTP \(response.status)")
                _ = options.sleeper.sleep(for: delay, cancellation: nil)
                continue
            }
            throw .status(APIStatus.fromResponse(
                status: response.status, body: response.body, contentType: response.header("Content-Type"),
                retryAfterHeader: response.header("Retry-After"), method: method))
        }
    }

    /// Parses a response body as JSON (an empty body is `null`), keeping what `projection` keeps.
    static func decodeJSON(_ bytes: [UInt8], projection: JSONProjection? = nil) throws(KubeAPIError) -> JSONValue {
        var strings = JSONStringCache(capacity: 0)
        return try decodeJSON(bytes, projection: projection, strings: &strings)
    }

    /// `decodeJSON`, taking repeated strings from `strings` (kept across the pages of a list).
    static func decodeJSON(_ bytes: [UInt8], projection: JSONProjection?, strings: inout JSONStringCache) throws(KubeAPIError) -> JSONValue {
        if bytes.isEmpty { return .null }
        do {
            return try bytes.withUnsafeBufferPointer { buf throws(JSONParseError) in
                try JSONValue(parsingUTF8: buf, projection: projection, strings: &strings)
            }
        } catch {
            throw .invalidResponse("the body is not valid JSON (\(error))")
        }
    }
}
