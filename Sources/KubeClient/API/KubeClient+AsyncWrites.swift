import Foundation
import JSON

extension KubeClient {
    /// `send` without holding the calling thread: the request goes out on the transport's write loop
    /// and `completion` is called once with exactly what `send` would have returned or thrown.
    ///
    /// A first attempt that ends the request (a 2xx answer, a Status error, a failure the retry
    /// policy gives up on) completes on the loop's thread. Anything `send` would wait for or run
    /// between attempts (a backoff or `Retry-After`, the retries after a dropped connection, the exec
    /// plugin after a 401, or credentials the plugin must issue first) continues on a thread of its
    /// own, through `send`'s own attempts, and completes there.
    public func send(
        _ method: String, _ path: String, query: [QueryItem] = [], body: [UInt8]? = nil, contentType: String? = nil,
        accept: String = "application/json", idempotent: Bool? = nil, verb: String? = nil,
        completion: @escaping @Sendable (Result<HTTPResponse, KubeAPIError>) -> Void
    ) {
        var exchange = Exchange(method: method, path: path, target: url(path, query: query), body: body, contentType: contentType,
                                accept: accept, idempotent: idempotent ?? (method == "GET"), verb: verb ?? method)
        guard let auth = authenticator.materialWithoutWaiting() else {
            continueOnThread(exchange, from: nil, completion: completion)
            return
        }
        let request: HTTPRequest
        do { request = try begin(&exchange, auth: auth) } catch {
            completion(.failure(error))
            return
        }
        let sent = exchange
        let started = ContinuousClock.now
        var onStart: (@Sendable () -> Void)?
        if let trace = options.trace {
            let line = "send \(sent.method) \(sent.path)"
            onStart = { trace.mark(line) }
        }
        transport.send(request, onStart: onStart) { [self] outcome in
            observe(outcome, of: sent, since: started)
            let verdict = judge(outcome, of: sent, auth: auth, mayRefresh: true)
            switch verdict {
            case .answer(let response): completion(.success(response))
            case .failed(let error): completion(.failure(error))
            case .retry, .refreshCredentials: continueOnThread(sent, from: (verdict, auth), completion: completion)
            }
        }
    }

    /// Runs the rest of `exchange` (from `pending`, or from a new attempt) as `send` does, on a new thread.
    private func continueOnThread(_ exchange: Exchange, from pending: (AttemptVerdict, AuthMaterial)?,
                                  completion: @escaping @Sendable (Result<HTTPResponse, KubeAPIError>) -> Void) {
        let thread = Thread { [self] in
            var rest = exchange
            completion(Result { () throws(KubeAPIError) -> HTTPResponse in try drive(&rest, from: pending) })
        }
        thread.stackSize = 1 << 20
        thread.start()
    }

    /// `patch` without holding the calling thread (see `send(…, completion:)`): `completion` gets the
    /// object, keeping what `projection` keeps, or the error `patch` would have thrown.
    public func patch(
        _ path: String, type: PatchType, body: JSONValue, dryRun: Bool = false, fieldManager: String? = nil,
        query: [QueryItem] = [], idempotent: Bool = false, projection: JSONProjection? = nil,
        completion: @escaping @Sendable (Result<JSONValue, KubeAPIError>) -> Void
    ) {
        var q = query
        var manager = fieldManager
        if case .apply(let applyManager, let force) = type {
            manager = applyManager
            if force { q.append(QueryItem("force", "true")) }
        }
        send("PATCH", path, query: Self.writeQuery(q, dryRun: dryRun, fieldManager: manager),
             body: body.serializedBytes(), contentType: type.contentType, accept: Self.accept(reading: projection),
             idempotent: idempotent) { result in
            completion(result.flatMap { response in
                Result { () throws(KubeAPIError) -> JSONValue in try Self.decodeJSON(response.body, projection: projection) }
            })
        }
    }

    /// `post` without holding the calling thread (see `send(…, completion:)`): `completion` gets the
    /// created object, keeping what `projection` keeps.
    public func post(
        _ path: String, body: JSONValue, dryRun: Bool = false, fieldManager: String? = nil, query: [QueryItem] = [],
        projection: JSONProjection? = nil, completion: @escaping @Sendable (Result<JSONValue, KubeAPIError>) -> Void
    ) {
        send("POST", path, query: Self.writeQuery(query, dryRun: dryRun, fieldManager: fieldManager),
             body: body.serializedBytes(), contentType: "application/json", accept: Self.accept(reading: projection)) { result in
            completion(result.flatMap { response in
                Result { () throws(KubeAPIError) -> JSONValue in try Self.decodeJSON(response.body, projection: projection) }
            })
        }
    }
}
