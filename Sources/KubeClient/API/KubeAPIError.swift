/// What kind of failure an API error is, for callers that branch on it (apimachinery's
/// `errors.IsNotFound`, `IsConflict`, ... rules: the reason decides, the code only when the
/// reason is unknown).
public enum KubeErrorClass: Sendable, Equatable {
    case notFound
    case alreadyExists
    case conflict
    case invalid
    case forbidden
    case unauthorized
    /// 410: Gone, or Expired (a too old resourceVersion or continue token).
    case gone
    case tooManyRequests
    /// 504 / Timeout / ServerTimeout.
    case timeout
    /// 500, 502, 503 and other 5xx.
    case serverError
    case badRequest
    case unsupportedMediaType
    case methodNotAllowed
    case notAcceptable
    case requestEntityTooLarge
    /// No usable response (connection, TLS, DNS, timeout on the client side).
    case transport
    /// Credentials could not be obtained.
    case authentication
    /// The response was not what the API promises (e.g. not JSON).
    case invalidResponse
    /// The caller stopped the request.
    case cancelled
    case other
}

/// An error from talking to the Kubernetes API. Its description is a complete message for
/// `error: ...`.
public enum KubeAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server answered with a failure status.
    case status(APIStatus)
    /// No (complete) response: connection refused, TLS verification, timeout, ...
    case transport(TransportError)
    /// Credentials could not be obtained (exec plugin, token file).
    case authentication(AuthError)
    /// The response could not be understood.
    case invalidResponse(String)
    /// The caller stopped the request (a watch handle was stopped).
    case cancelled

    /// The failure class.
    public var classification: KubeErrorClass {
        switch self {
        case .transport(let t): return t.kind == .cancelled ? .cancelled : .transport
        case .authentication: return .authentication
        case .invalidResponse: return .invalidResponse
        case .cancelled: return .cancelled
        case .status(let s): return Self.classify(reason: s.reason, code: s.code)
        }
    }

    private static let byReason: [String: KubeErrorClass] = [
        "NotFound": .notFound, "AlreadyExists": .alreadyExists, "Conflict": .conflict, "Invalid": .invalid,
        "Forbidden": .forbidden, "Unauthorized": .unauthorized, "Gone": .gone, "Expired": .gone,
        "TooManyRequests": .tooManyRequests, "Timeout": .timeout, "ServerTimeout": .timeout,
        "InternalError": .serverError, "ServiceUnavailable": .serverError, "BadRequest": .badRequest,
        "UnsupportedMediaType": .unsupportedMediaType, "MethodNotAllowed": .methodNotAllowed,
        "NotAcceptable": .notAcceptable, "RequestEntityTooLarge": .requestEntityTooLarge,
    ]

    static func classify(reason: String, code: Int) -> KubeErrorClass {
        if let c = byReason[reason] { return c }
        switch code {
        case 404: return .notFound
        case 409: return .conflict
        case 422: return .invalid
        case 403: return .forbidden
        case 401: return .unauthorized
        case 410: return .gone
        case 429: return .tooManyRequests
        case 504: return .timeout
        case 400: return .badRequest
        case 415: return .unsupportedMediaType
        case 405: return .methodNotAllowed
        case 406: return .notAcceptable
        case 413: return .requestEntityTooLarge
        case 500...599: return .serverError
        default: return .other
        }
    }

    /// The HTTP status, when the server answered.
    public var statusCode: Int? {
        if case .status(let s) = self { return s.code }
        return nil
    }

    /// The Status details, when the server answered.
    public var apiStatus: APIStatus? {
        if case .status(let s) = self { return s }
        return nil
    }

    /// True for 404 / NotFound.
    public var isNotFound: Bool { classification == .notFound }
    /// True for 409 Conflict (stale resourceVersion, precondition).
    public var isConflict: Bool { classification == .conflict }
    /// True for 409 AlreadyExists.
    public var isAlreadyExists: Bool { classification == .alreadyExists }
    /// True for 422 Invalid.
    public var isInvalid: Bool { classification == .invalid }
    /// True for 403 Forbidden.
    public var isForbidden: Bool { classification == .forbidden }
    /// True for 401 Unauthorized.
    public var isUnauthorized: Bool { classification == .unauthorized }
    /// 410 Gone or reason Expired: relist and watch again.
    public var isGone: Bool { classification == .gone }
    /// reason Expired specifically (too old resource version / expired continue token).
    public var isExpired: Bool { apiStatus?.reason == "Expired" }
    /// True for 429 TooManyRequests.
    public var isTooManyRequests: Bool { classification == .tooManyRequests }
    /// True for 500/502/503 and other 5xx.
    public var isServerError: Bool { classification == .serverError }
    /// True for a server-side timeout (504, Timeout, ServerTimeout) or a client-side one.
    public var isTimeout: Bool {
        if case .transport(let t) = self { return t.kind == .timedOut }
        return classification == .timeout
    }

    /// The message shown to the user: the server message and reason, or the transport/auth explanation.
    public var description: String {
        switch self {
        case .status(let s):
            let reason = s.reason.isEmpty ? "HTTP \(s.code)" : s.reason
            let message = s.message.isEmpty ? "the server responded with status \(s.code)" : s.message
            return "\(message) (\(reason))"
        case .transport(let t): return t.description
        case .authentication(let a): return a.description
        case .invalidResponse(let detail): return "unexpected response from the server: \(detail)"
        case .cancelled: return "the request was cancelled"
        }
    }

    /// kubectl's wording for server errors: `Error from server (NotFound): pods "x" not found`.
    public var kubectlMessage: String {
        if case .status(let s) = self, !s.reason.isEmpty {
            return "Error from server (\(s.reason)): \(s.message)"
        }
        return description
    }
}
