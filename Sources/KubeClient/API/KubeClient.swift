import JSON

/// A thread-safe Kubernetes API client over libcurl: authentication (token, token file, basic,
/// client certificates, exec plugins), retries with backoff, request tracing with redaction,
/// and request counting. Verbs, list and watch are in the extensions next to this file.
public final class KubeClient: Sendable {
    /// The configuration in use.
    public let config: ClientConfig
    /// The API server address.
    public let server: ServerURL
    /// `server.base`, made once: every request's URL starts with it.
    private let base: String
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
        base = server.base
        requestCounter = options.requestCounter
        tracer = RequestTracer(verbosity: options.verbosity, sink: options.logSink)
        transport = CurlTransport(settings: TransportSettings(
            server: server, tls: config.tls, proxyURL: config.proxyURL, disableCompression: config.disableCompression,
            userAgent: options.userAgent, connectTimeout: options.connectTimeout,
            maxIdleHandles: options.maxIdleConnections, maxConcurrentRequests: options.maxConcurrentWrites, limits: options.limits,
            loopWindow: options.loopWindow))
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
        return base + p + q
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
        var exchange = Exchange(method: method, path: path, target: url(path, query: query), body: body, contentType: contentType,
                                accept: accept, idempotent: idempotent ?? (method == "GET"), verb: verb ?? method)
        return try drive(&exchange, from: nil)
    }

    /// The Accept header of a write whose answer is read through `projection`: the metadata alone
    /// (`PartialObjectMetadata`, as client-go's metadata client asks for it) when the projection
    /// reads nothing else, with the whole object as the fallback of a server that cannot convert;
    /// plain JSON otherwise.
    static func accept(reading projection: JSONProjection?) -> String {
        guard let reads = projection?.reads, reads.isSubset(of: ["metadata"]) else { return "application/json" }
        return metadataAccept
    }

    /// The Accept header asking for an object's metadata alone.
    static let metadataAccept = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json"

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
