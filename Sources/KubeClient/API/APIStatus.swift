import JSON

/// One entry of a Status object's `details.causes`.
public struct StatusCause: Sendable, Equatable {
    /// Machine-readable cause (`FieldValueInvalid`, `FieldValueForbidden`, ...).
    public var reason: String
    /// Human-readable explanation.
    public var message: String
    /// The field at fault (`spec.containers[0].image`).
    public var field: String

    /// A cause.
    public init(reason: String = "", message: String = "", field: String = "") {
        self.reason = reason
        self.message = message
        self.field = field
    }
}

/// A failed API call as the server described it: a decoded `Status` object, or what could be
/// inferred from the HTTP status when the body was not a Status (apimachinery's
/// NewGenericServerResponse).
public struct APIStatus: Sendable, Equatable {
    /// HTTP status code.
    public var code: Int
    /// `reason` (`NotFound`, `Conflict`, `Invalid`, ...); empty when unknown.
    public var reason: String
    /// The server's message.
    public var message: String
    /// `details.name`.
    public var name: String?
    /// `details.group`.
    public var group: String?
    /// `details.kind`.
    public var kind: String?
    /// `details.causes`.
    public var causes: [StatusCause]
    /// `details.retryAfterSeconds`, or the `Retry-After` header.
    public var retryAfterSeconds: Int?
    /// True when the body was a real Status object.
    public var fromStatusObject: Bool

    /// A status.
    public init(
        code: Int, reason: String = "", message: String = "", name: String? = nil, group: String? = nil,
        kind: String? = nil, causes: [StatusCause] = [], retryAfterSeconds: Int? = nil, fromStatusObject: Bool = true
    ) {
        self.code = code
        self.reason = reason
        self.message = message
        self.name = name
        self.group = group
        self.kind = kind
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
        self.fromStatusObject = fromStatusObject
    }

    /// Decodes a `kind: Status` object (nil for anything else).
    public static func from(statusObject value: JSONValue) -> APIStatus? {
        guard case .object(let o) = value, o["kind"]?.string == "Status" else { return nil }
        var s = APIStatus(code: o["code"]?.int ?? 0)
        s.reason = o["reason"]?.string ?? ""
        s.message = o["message"]?.string ?? ""
        if case .object(let d)? = o["details"] {
            s.name = d["name"]?.string
            s.group = d["group"]?.string
            s.kind = d["kind"]?.string
            s.retryAfterSeconds = d["retryAfterSeconds"]?.int
            if case .array(let causes)? = d["causes"] {
                s.causes = causes.map { c in
                    StatusCause(
                        reason: c["reason"]?.string ?? "", message: c["message"]?.string ?? "",
                        field: c["field"]?.string ?? "")
                }
            }
        }
        return s
    }

    /// The status for a failed HTTP response: the Status object in the body if there is one,
    /// otherwise a generic one built from the code (and the body text when it is text).
    public static func fromResponse(
        status code: Int, body: [UInt8], contentType: String?, retryAfterHeader: String?, method: String
    ) -> APIStatus {
        let headerRetry = retryAfterHeader.flatMap { Int($0.trimmingSpaces()) }
        if let doc = try? JSONValue(parsing: body), var s = from(statusObject: doc) {
            if s.code == 0 { s.code = code }
            if s.retryAfterSeconds == nil || s.retryAfterSeconds == 0 { s.retryAfterSeconds = headerRetry ?? s.retryAfterSeconds }
            return s
        }
        let isText = contentType == nil || contentType!.isEmpty || contentType!.lowercased().hasPrefix("text/")
        let serverMessage = isText ? String(decoding: body.prefix(4096), as: UTF8.self).trimmingSpaces() : "unknown"
        var reason = ""
        var message = "the server responded with the status code \(code) but did not return more information"
        switch code {
        case 409:
            reason = method == "POST" ? "AlreadyExists" : "Conflict"
            message = "the server reported a conflict"
        case 404:
            reason = "NotFound"
            message = "the server could not find the requested resource"
        case 400:
            reason = "BadRequest"
            message = "the server rejected our request for an unknown reason"
        case 401:
            reason = "Unauthorized"
            message = "the server has asked for the client to provide credentials"
        case 403:
            reason = "Forbidden"
            message = serverMessage
        case 406:
            reason = "NotAcceptable"
            message = serverMessage.isEmpty || serverMessage == "unknown"
                ? "the server was unable to respond with a content type that the client supports" : serverMessage
        case 415:
            reason = "UnsupportedMediaType"
            message = serverMessage
        case 405:
            reason = "MethodNotAllowed"
            message = "the server does not allow this method on the requested resource"
        case 422:
            reason = "Invalid"
            message = "the server rejected our request due to an error in our request"
        case 503:
            reason = "ServiceUnavailable"
            message = "the server is currently unable to handle the request"
        case 504:
            reason = "Timeout"
            message = "the server was unable to return a response in the time allotted, but may still be processing the request"
        case 429:
            reason = "TooManyRequests"
            message = "the server has received too many requests and has asked us to try again later"
        default:
            if code >= 500 {
                reason = "InternalError"
                message = "an error on the server (\"\(serverMessage)\") has prevented the request from succeeding"
            }
        }
        return APIStatus(
            code: code, reason: reason, message: message,
            causes: [StatusCause(reason: "UnexpectedServerResponse", message: serverMessage)],
            retryAfterSeconds: headerRetry, fromStatusObject: false)
    }
}
