import JSON

/// A response from the in-process client.
public struct InProcessResponse: Sendable {
    /// The HTTP status code.
    public let status: Int
    /// The body.
    public let body: [UInt8]
    /// The body as JSON (nil when empty or not JSON).
    public var json: JSONValue? { try? JSONValue(parsing: body) }
}

/// Calls the REST engine without a socket: the same routing, defaulting, validation, patching,
/// logging and fault injection as over HTTP. Controllers and a kubelet can use it to write like
/// real clients (e.g. strategic-merge patches to pods/status).
public struct InProcessClient: Sendable {
    let api: APIServer

    /// Performs a request; `path` may carry a query.
    public func request(_ method: String, _ path: String, body: JSONValue? = nil, contentType: String = "application/json")
        -> InProcessResponse
    {
        var headers = HTTPHeaders()
        headers.set("User-Agent", "kube-sim/in-process")
        var bytes: [UInt8] = []
        if let body {
            bytes = body.serializedBytes()
            headers.set("Content-Type", contentType)
        }
        if let token = api.options.bearerToken { headers.set("Authorization", "Bearer \(token)") }
        let req = HTTPRequest(method: method, target: path, headers: headers, body: bytes)
        let writer = HTTPResponseWriter()
        api.handle(req, writer)
        return InProcessResponse(status: writer.status, body: writer.body)
    }

    /// GET an object; nil when not found.
    public func get(_ r: ResourceType, namespace: String = "", name: String) -> JSONValue? {
        let resp = request("GET", Self.path(r, namespace: namespace, name: name))
        return resp.status == 200 ? resp.json : nil
    }

    /// POST an object; returns the stored object or the Status error.
    public func create(_ r: ResourceType, namespace: String = "", _ object: JSONValue) -> Result<JSONValue, APIErrorStatus> {
        Self.result(request("POST", Self.path(r, namespace: namespace.isEmpty ? object.metaNamespace : namespace, name: nil), body: object))
    }

    /// PATCH an object or a subresource with a patch type ("application/strategic-merge-patch+json", ...).
    public func patch(
        _ r: ResourceType, namespace: String = "", name: String, subresource: String? = nil, patch: JSONValue,
        type: String = "application/strategic-merge-patch+json"
    ) -> Result<JSONValue, APIErrorStatus> {
        Self.result(request("PATCH", Self.path(r, namespace: namespace, name: name, subresource: subresource), body: patch, contentType: type))
    }

    /// PUT an object or its status.
    public func update(_ r: ResourceType, namespace: String = "", _ object: JSONValue, subresource: String? = nil) -> Result<JSONValue, APIErrorStatus> {
        let ns = namespace.isEmpty ? object.metaNamespace : namespace
        return Self.result(request("PUT", Self.path(r, namespace: ns, name: object.metaName, subresource: subresource), body: object))
    }

    /// DELETE an object.
    public func delete(_ r: ResourceType, namespace: String = "", name: String) -> Result<JSONValue, APIErrorStatus> {
        Self.result(request("DELETE", Self.path(r, namespace: namespace, name: name)))
    }

    /// The REST path of a resource, object or subresource.
    public static func path(_ r: ResourceType, namespace: String, name: String?, subresource: String? = nil) -> String {
        var p = r.group.isEmpty ? "/api/\(r.version)" : "/apis/\(r.group)/\(r.version)"
        if r.namespaced && !namespace.isEmpty { p += "/namespaces/\(namespace)" }
        p += "/\(r.resource)"
        if let name { p += "/\(name)" }
        if let subresource { p += "/\(subresource)" }
        return p
    }

    static func result(_ resp: InProcessResponse) -> Result<JSONValue, APIErrorStatus> {
        if (200..<300).contains(resp.status), let j = resp.json { return .success(j) }
        return .failure(APIErrorStatus(code: resp.status, status: resp.json ?? .null))
    }
}

/// A failed in-process request: its code and Status object.
public struct APIErrorStatus: Error, Sendable, CustomStringConvertible {
    /// The HTTP status code.
    public let code: Int
    /// The Status object.
    public let status: JSONValue
    /// Status.reason.
    public var reason: String { status["reason"]?.string ?? "" }
    /// Status.message.
    public var message: String { status["message"]?.string ?? "" }
    public var description: String { "\(code) \(reason): \(message)" }
}
