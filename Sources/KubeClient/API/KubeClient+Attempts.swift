/// A request's way through its attempts: what `send` keeps from one attempt to the next.
struct Exchange: Sendable {
    var method: String
    var path: String
    /// The full URL.
    var target: String
    var body: [UInt8]?
    var contentType: String?
    var accept: String
    /// Whether retrying after a lost response is safe.
    var idempotent: Bool
    /// The name counted in the request counter.
    var verb: String
    /// The attempt being made (1-based once the first has begun).
    var attempt = 0
    /// The exec plugin already issued new credentials after a 401 to this request.
    var reauthenticated = false

    init(method: String, path: String, target: String, body: [UInt8]?, contentType: String?, accept: String,
         idempotent: Bool, verb: String) {
        self.method = method
        self.path = path
        self.target = target
        self.body = body
        self.contentType = contentType
        self.accept = accept
        self.idempotent = idempotent
        self.verb = verb
    }
}

/// What an attempt's outcome means for the request.
enum AttemptVerdict: Sendable {
    /// A 2xx answer: the request is done.
    case answer(HTTPResponse)
    /// The request fails with this error.
    case failed(KubeAPIError)
    /// Wait `delay`, then make the next attempt (`note` is traced first).
    case retry(after: Duration, note: String)
    /// A 401 that new credentials from the exec plugin may cure; without them, the 401 is judged as any answer.
    case refreshCredentials(HTTPResponse)
}

extension KubeClient {
    /// Makes `exchange`'s attempts until one ends it, starting with what `pending` says of an attempt
    /// already made (nil: from a new attempt): waits out backoffs and `Retry-After`, runs the exec plugin
    /// again after a 401, and returns the 2xx answer or throws what ended the request.
    func drive(_ exchange: inout Exchange, from pending: (AttemptVerdict, AuthMaterial)?) throws(KubeAPIError) -> HTTPResponse {
        var pending = pending
        while true {
            let verdict: AttemptVerdict
            let auth: AuthMaterial
            if let p = pending {
                (verdict, auth) = p
                pending = nil
            } else {
                (verdict, auth) = try attempt(&exchange)
            }
            switch verdict {
            case .answer(let response):
                return response
            case .failed(let error):
                throw error
            case .retry(let delay, let note):
                tracer.note(note)
                _ = options.sleeper.sleep(for: delay, cancellation: nil)
            case .refreshCredentials(let response):
                if authenticator.refreshAfterUnauthorized(auth) {
                    exchange.reauthenticated = true
                    exchange.attempt -= 1
                    tracer.note("credentials rejected (401); the exec plugin issued new ones, retrying")
                } else {
                    pending = (judge(.success(response), of: exchange, auth: auth, mayRefresh: false), auth)
                }
            }
        }
    }

    /// One blocking attempt: credentials, the request, its outcome traced and judged.
    private func attempt(_ exchange: inout Exchange) throws(KubeAPIError) -> (AttemptVerdict, AuthMaterial) {
        let auth: AuthMaterial
        do { auth = try authenticator.material() } catch { throw .authentication(error) }
        let request = try begin(&exchange, auth: auth)
        if let trace = options.trace { trace.mark("send \(exchange.method) \(exchange.path)") }
        let started = ContinuousClock.now
        let outcome: Result<HTTPResponse, TransportError>
        do { outcome = .success(try transport.send(request)) } catch { outcome = .failure(error) }
        observe(outcome, of: exchange, since: started)
        return (judge(outcome, of: exchange, auth: auth, mayRefresh: true), auth)
    }

    /// Starts the next attempt of `exchange` with `auth`: the request as the transport sends it,
    /// counted and traced.
    func begin(_ exchange: inout Exchange, auth: AuthMaterial) throws(KubeAPIError) -> HTTPRequest {
        exchange.attempt += 1
        try checkCredentialsMayBeSent(auth)
        var headers = [HTTPHeader("Accept", exchange.accept)]
        if let contentType = exchange.contentType { headers.append(HTTPHeader("Content-Type", contentType)) }
        headers.append(contentsOf: auth.headers)
        requestCounter.record(exchange.verb)
        tracer.request(method: exchange.method, url: exchange.target, headers: headers, body: exchange.body)
        return HTTPRequest(method: exchange.method, url: exchange.target, headers: headers, body: exchange.body,
                           timeout: config.requestTimeout, clientCertificate: auth.clientCertificate)
    }

    /// Traces an attempt's outcome.
    func observe(_ outcome: Result<HTTPResponse, TransportError>, of exchange: Exchange, since started: ContinuousClock.Instant) {
        switch outcome {
        case .failure(let error):
            tracer.failure(method: exchange.method, url: exchange.target, duration: ContinuousClock.now - started, error: error)
        case .success(let response):
            if let trace = options.trace { trace.mark("done \(exchange.method) \(exchange.path) \(response.status)") }
            tracer.response(
                method: exchange.method, url: exchange.target, status: response.status, duration: ContinuousClock.now - started,
                headers: response.headers, body: response.body)
        }
    }

    /// What an attempt's outcome means, without waiting or running anything: a 2xx answer ends the
    /// request, a redirect is refused, a 401 may call for new credentials (`mayRefresh`), and the
    /// retry policy (within the retry deadline) decides between another attempt and the error.
    func judge(_ outcome: Result<HTTPResponse, TransportError>, of exchange: Exchange, auth: AuthMaterial,
               mayRefresh: Bool) -> AttemptVerdict {
        let response: HTTPResponse
        switch outcome {
        case .failure(let error):
            let decision = options.retryPolicy.decide(
                attempt: exchange.attempt, idempotent: exchange.idempotent, outcome: .transport(error.kind), random: options.random())
            if case .retry(let policyDelay) = decision, let delay = options.retryDeadline.wait(for: policyDelay) {
                return .retry(after: delay, note: "retrying \(exchange.method) \(exchange.target) in \(RequestTracer.milliseconds(delay)) ms after: \(error.detail)")
            }
            return .failed(.transport(error))
        case .success(let r):
            response = r
        }
        if (200..<300).contains(response.status) { return .answer(response) }
        do { try refuseRedirect(status: response.status, location: response.header("Location")) } catch { return .failed(error) }
        if response.status == 401, mayRefresh, !exchange.reauthenticated, authenticator.mayRefresh(auth) {
            return .refreshCredentials(response)
        }
        let retryAfter = response.header("Retry-After").flatMap { Int($0.trimmingSpaces()) }
        let decision = options.retryPolicy.decide(
            attempt: exchange.attempt, idempotent: exchange.idempotent,
            outcome: .response(status: response.status, retryAfterSeconds: retryAfter), random: options.random())
        if case .retry(let policyDelay) = decision, let delay = options.retryDeadline.wait(for: policyDelay) {
            return .retry(after: delay, note: "retrying \(exchange.method) \(exchange.target) in \(RequestTracer.milliseconds(delay)) ms after HTTP \(response.status)")
        }
        return .failed(.status(APIStatus.fromResponse(
            status: response.status, body: response.body, contentType: response.header("Content-Type"),
            retryAfterHeader: response.header("Retry-After"), method: exchange.method)))
    }
}
