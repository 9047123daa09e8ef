import JSON
import Testing
@testable import KubeClient

@Suite("API errors from Status objects")
struct StatusErrorTests {
    func status(_ code: Int, _ reason: String, _ message: String, details: String = "{}") -> KubeAPIError {
        let body = #"{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":"\#(message)","reason":"\#(reason)","details":\#(details),"code":\#(code)}"#
        return .status(APIStatus.fromResponse(status: code, body: Array(body.utf8), contentType: "application/json", retryAfterHeader: nil, method: "GET"))
    }

    @Test(arguments: [
        (401, "Unauthorized", KubeErrorClass.unauthorized),
        (403, "Forbidden", .forbidden),
        (404, "NotFound", .notFound),
        (409, "AlreadyExists", .alreadyExists),
        (409, "Conflict", .conflict),
        (410, "Gone", .gone),
        (410, "Expired", .gone),
        (422, "Invalid", .invalid),
        (415, "UnsupportedMediaType", .unsupportedMediaType),
        (429, "TooManyRequests", .tooManyRequests),
        (500, "InternalError", .serverError),
        (503, "ServiceUnavailable", .serverError),
        (504, "Timeout", .timeout),
        (500, "ServerTimeout", .timeout),
        (400, "BadRequest", .badRequest),
        (405, "MethodNotAllowed", .methodNotAllowed),
    ])
    func reasonDecidesTheClass(code: Int, reason: String, expected: KubeErrorClass) {
        let e = status(code, reason, "m")
        #expect(e.classification == expected)
        #expect(e.statusCode == code)
        #expect(e.apiStatus?.fromStatusObject == true)
    }

    @Test func codeDecidesWhenReasonIsUnknown() {
        #expect(status(404, "SomethingNew", "m").isNotFound)
        #expect(status(409, "", "m").isConflict)
        #expect(status(422, "", "m").isInvalid)
        #expect(status(410, "", "m").isGone)
        #expect(status(502, "", "m").isServerError)
        // A known reason is not overridden by the code.
        #expect(status(404, "Conflict", "m").classification == .conflict)
    }

    @Test func notFoundMessageAndDetails() {
        let e = status(404, "NotFound", #"pods \"web-1\" not found"#, details: #"{"name":"web-1","kind":"pods"}"#)
        #expect(e.isNotFound)
        #expect(e.apiStatus?.name == "web-1" && e.apiStatus?.kind == "pods")
        #expect(e.description == #"pods "web-1" not found (NotFound)"#)
        #expect(e.kubectlMessage == #"Error from server (NotFound): pods "web-1" not found"#)
    }

    @Test func invalidCarriesCausesWithFields() {
        let details = #"{"name":"web-1","kind":"Pod","causes":[{"reason":"FieldValueForbidden","message":"Forbidden: pod updates may not change fields other than ...","field":"spec"},{"reason":"FieldValueInvalid","message":"Invalid value","field":"spec.containers[0].image"}]}"#
        let e = status(422, "Invalid", #"Pod \"web-1\" is invalid: spec: Forbidden: pod updates may not change fields"#, details: details)
        #expect(e.isInvalid)
        let causes = e.apiStatus?.causes ?? []
        #expect(causes.count == 2)
        #expect(causes[0] == StatusCause(reason: "FieldValueForbidden", message: "Forbidden: pod updates may not change fields other than ...", field: "spec"))
        #expect(causes[1].field == "spec.containers[0].image")
    }

    @Test func conflictAndExpiredAndRetryAfter() {
        let conflict = status(409, "Conflict", #"Operation cannot be fulfilled on pods \"x\": the object has been modified; please apply your changes to the latest version and try again"#)
        #expect(conflict.isConflict && !conflict.isAlreadyExists)
        let expired = status(410, "Expired", "too old resource version: 1 (5)")
        #expect(expired.isGone && expired.isExpired)
        #expect(!status(410, "Gone", "gone").isExpired)
        let throttled = status(429, "TooManyRequests", "slow down", details: #"{"retryAfterSeconds":3}"#)
        #expect(throttled.isTooManyRequests && throttled.apiStatus?.retryAfterSeconds == 3)
    }

    @Test func nonStatusBodiesGetGenericMessages() {
        func generic(_ code: Int, _ body: String, _ type: String?, method: String = "GET") -> APIStatus {
            APIStatus.fromResponse(status: code, body: Array(body.utf8), contentType: type, retryAfterHeader: "7", method: method)
        }
        let notFound = generic(404, "<html>nope</html>", "text/html")
        #expect(notFound.reason == "NotFound" && notFound.message == "the server could not find the requested resource")
        #expect(!notFound.fromStatusObject && notFound.retryAfterSeconds == 7)
        #expect(generic(409, "", nil, method: "POST").reason == "AlreadyExists")
        #expect(generic(409, "", nil, method: "PUT").reason == "Conflict")
        #expect(generic(403, "denied by proxy", "text/plain").message == "denied by proxy")
        #expect(generic(502, "bad gateway", "text/plain").message == #"an error on the server ("bad gateway") has prevented the request from succeeding"#)
        #expect(KubeAPIError.status(generic(502, "x", nil)).isServerError)
    }

    @Test func transportAndAuthErrorsReadWell() {
        let refused = KubeAPIError.transport(TransportError(kind: .connectFailed, server: "10.0.0.1:6443", detail: "Connection refused"))
        #expect(refused.classification == .transport)
        #expect(refused.description.contains("The connection to the server 10.0.0.1:6443 was refused"))
        #expect(refused.description.contains("is the cluster reachable?"))
        let tls = KubeAPIError.transport(TransportError(kind: .tlsVerification, server: "k:443", detail: "SSL certificate problem: unable to get local issuer certificate"))
        #expect(tls.description.contains("certificate verification failed"))
        let timeout = KubeAPIError.transport(TransportError(kind: .timedOut, server: "k:443", detail: "Operation timed out"))
        #expect(timeout.isTimeout)
    }
}
