import JSON

/// An API error answered as a `Status` object, built the way apimachinery's api/errors does.
public struct APIError: Error, Sendable, CustomStringConvertible {
    /// The HTTP status code.
    public var code: Int
    /// The machine-readable reason ("NotFound").
    public var reason: String
    /// The message.
    public var message: String
    /// details.name.
    public var name: String?
    /// details.group.
    public var group: String?
    /// details.kind.
    public var kind: String?
    /// details.uid.
    public var uid: String?
    /// details.causes.
    public var causes: [FieldError] = []
    /// details.retryAfterSeconds (also sent as Retry-After).
    public var retryAfterSeconds: Int?
    /// Whether the Status carries a details member at all.
    public var hasDetails: Bool
    /// metadata.continue of the Status (an inconsistent-continue token on 410 list errors).
    public var continueToken: String?

    /// An error with explicit fields.
    public init(
        code: Int, reason: String, message: String, name: String? = nil, group: String? = nil, kind: String? = nil,
        causes: [FieldError] = [], retryAfterSeconds: Int? = nil, hasDetails: Bool = true
    ) {
        self.code = code
        self.reason = reason
        self.message = message
        self.name = name
        self.group = group
        self.kind = kind
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
        self.hasDetails = hasDetails
    }

    public var description: String { message }

    /// The Status object.
    public var status: JSONValue {
        var o = JSONObject()
        o["kind"] = "Status"
        o["apiVersion"] = "v1"
        var meta = JSONObject()
        if let continueToken { meta["continue"] = .string(continueToken) }
        o["metadata"] = .object(meta)
        o["status"] = "Failure"
        o["message"] = .string(message)
        o["reason"] = .string(reason)
        if hasDetails {
            var d = JSONObject()
            if let name, !name.isEmpty { d["name"] = .string(name) }
            if let group, !group.isEmpty { d["group"] = .string(group) }
            if let kind, !kind.isEmpty { d["kind"] = .string(kind) }
            if let uid, !uid.isEmpty { d["uid"] = .string(uid) }
            if !causes.isEmpty {
                d["causes"] = .array(
                    causes.map { c in
                        var co = JSONObject()
                        co["reason"] = .string(c.kind.rawValue)
                        co["message"] = .string(c.body)
                        if !c.field.isEmpty { co["field"] = .string(c.field) }
                        return .object(co)
                    })
            }
            if let retryAfterSeconds, retryAfterSeconds > 0 { d["retryAfterSeconds"] = .int(retryAfterSeconds) }
            o["details"] = .object(d)
        }
        o["code"] = .int(code)
        return .object(o)
    }

    // MARK: Constructors named after apimachinery's.

    /// `pods "x" not found`.
    public static func notFound(_ r: ResourceType, _ name: String) -> APIError {
        APIError(code: 404, reason: "NotFound", message: "\(r.groupResource) \"\(name)\" not found", name: name, group: r.group, kind: r.resource)
    }

    /// `pods "x" already exists`.
    public static func alreadyExists(_ r: ResourceType, _ name: String) -> APIError {
        APIError(code: 409, reason: "AlreadyExists", message: "\(r.groupResource) \"\(name)\" already exists", name: name, group: r.group, kind: r.resource)
    }

    /// `Operation cannot be fulfilled on pods "x": <why>`.
    public static func conflict(_ r: ResourceType, _ name: String, _ why: String = optimisticLockMessage) -> APIError {
        APIError(code: 409, reason: "Conflict", message: "Operation cannot be fulfilled on \(r.groupResource) \"\(name)\": \(why)", name: name, group: r.group, kind: r.resource)
    }

    /// The text of a failed optimistic-concurrency check.
    public static let optimisticLockMessage = "the object has been modified; please apply your changes to the latest version and try again"

    /// `Pod "x" is invalid: spec: Forbidden: ...`.
    public static func invalid(kind: String, group: String, name: String, _ errors: [FieldError]) -> APIError {
        let gk = group.isEmpty ? kind : "\(kind).\(group)"
        return APIError(code: 422, reason: "Invalid", message: "\(gk) \"\(name)\" is invalid: \(errors.aggregateMessage)", name: name, group: group, kind: kind, causes: errors)
    }

    /// Invalid for an object of this resource.
    public static func invalid(_ r: ResourceType, _ name: String, _ errors: [FieldError]) -> APIError {
        invalid(kind: r.kind, group: r.group, name: name, errors)
    }

    /// 400 BadRequest.
    public static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message, hasDetails: false)
    }

    /// 410 Expired (too old resourceVersion).
    public static func expired(_ message: String) -> APIError {
        APIError(code: 410, reason: "Expired", message: message, hasDetails: false)
    }

    /// 401 Unauthorized.
    public static let unauthorized = APIError(code: 401, reason: "Unauthorized", message: "Unauthorized", hasDetails: false)

    /// 404 for an unknown path under /api or /apis.
    public static let resourceNotFound = APIError(
        code: 404, reason: "NotFound", message: "the server could not find the requested resource", hasDetails: true)

    /// 405 for a verb the resource does not serve.
    public static let methodNotAllowed = APIError(
        code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource", hasDetails: true)

    /// 415 for a patch of an unknown content type.
    public static func unsupportedMediaType(_ accepted: [String]) -> APIError {
        APIError(
            code: 415, reason: "UnsupportedMediaType",
            message: "the body of the request was in an unknown format - accepted media types include: " + accepted.joined(separator: ", "),
            hasDetails: false)
    }

    /// 406 for a form the answer cannot take (`as=PartialObjectMetadata` of a list, or its list form
    /// of one object), worded as kube-apiserver's response transformation words it.
    public static func notAcceptable(_ message: String) -> APIError {
        APIError(code: 406, reason: "NotAcceptable", message: message, hasDetails: false)
    }

    /// A 422 with the generic text (failed JSON patch operations).
    public static let genericUnprocessable = APIError(
        code: 422, reason: "Invalid", message: "the server rejected our request due to an error in our request", hasDetails: true)

    /// The 422 of a JSON patch operation that failed against the object: the generic text, with the
    /// patch library's error as the cause ("testing value /metadata/resourceVersion failed: test failed").
    public static func unprocessable(_ serverMessage: String) -> APIError {
        var e = genericUnprocessable
        e.causes = [FieldError(.unexpectedServerResponse, "", serverMessage)]
        return e
    }

    /// 500 InternalError.
    public static func internalError(_ message: String) -> APIError {
        var e = APIError(code: 500, reason: "InternalError", message: "Internal error occurred: \(message)")
        e.causes = []
        return e
    }

    /// The generic Status for an injected failure of this code, as the real server words it.
    public static func generic(code: Int, message: String? = nil, retryAfterSeconds: Int? = nil) -> APIError {
        let (reason, text): (String, String)
        switch code {
        case 400: (reason, text) = ("BadRequest", "the server rejected our request for an unknown reason")
        case 401: (reason, text) = ("Unauthorized", "Unauthorized")
        case 403: (reason, text) = ("Forbidden", "forbidden")
        case 404: (reason, text) = ("NotFound", "the server could not find the requested resource")
        case 409: (reason, text) = ("Conflict", "the server reported a conflict")
        case 410: (reason, text) = ("Expired", "the resource has expired")
        case 422: (reason, text) = ("Invalid", "the server rejected our request due to an error in our request")
        case 429: (reason, text) = ("TooManyRequests", "the server has received too many requests and has asked us to try again later")
        case 500: (reason, text) = ("InternalError", "Internal error occurred: injected fault")
        case 503: (reason, text) = ("ServiceUnavailable", "the server is currently unable to handle the request")
        case 504: (reason, text) = ("Timeout", "the server was unable to return a response in the time allotted, but may still be processing the request")
        default: (reason, text) = (code >= 500 ? "InternalError" : "Unknown", "the server responded with the status code \(code) but did not return more information")
        }
        return APIError(code: code, reason: reason, message: message ?? text, retryAfterSeconds: retryAfterSeconds, hasDetails: retryAfterSeconds != nil)
    }

    /// The Status for a store error.
    static func from(_ e: StoreError) -> APIError {
        switch e {
        case .notFound(let r, let k): return .notFound(r, k.name)
        case .alreadyExists(let r, let k): return .alreadyExists(r, k.name)
        case .conflict(let r, let k): return .conflict(r, k.name)
        case .expired(let requested, let oldest): return .expired("too old resource version: \(requested) (\(oldest))")
        case .missingName: return .badRequest("name or generateName is required")
        }
    }
}
