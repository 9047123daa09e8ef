import JSON

extension KubeClient {
    /// GETs `path` and returns the raw body (for decoding into compact structs).
    public func getRaw(_ path: String, query: [QueryItem] = []) throws(KubeAPIError) -> [UInt8] {
        try send("GET", path, query: query).body
    }

    /// GETs `path` as JSON.
    public func get(_ path: String, query: [QueryItem] = []) throws(KubeAPIError) -> JSONValue {
        try Self.decodeJSON(getRaw(path, query: query))
    }

    /// Creates an object (POST to the collection `path`).
    public func post(
        _ path: String, body: JSONValue, dryRun: Bool = false, fieldManager: String? = nil, query: [QueryItem] = []
    ) throws(KubeAPIError) -> JSONValue {
        let response = try send(
            "POST", path, query: Self.writeQuery(query, dryRun: dryRun, fieldManager: fieldManager),
            body: body.serializedBytes(), contentType: "application/json")
        return try Self.decodeJSON(response.body)
    }

    /// Replaces an object (PUT). `idempotent` allows retries after a lost response (a replayed
    /// PUT with a resourceVersion fails with 409 rather than applying twice).
    public func put(
        _ path: String, body: JSONValue, dryRun: Bool = false, fieldManager: String? = nil, query: [QueryItem] = [],
        idempotent: Bool = false
    ) throws(KubeAPIError) -> JSONValue {
        let response = try send(
            "PUT", path, query: Self.writeQuery(query, dryRun: dryRun, fieldManager: fieldManager),
            body: body.serializedBytes(), contentType: "application/json", idempotent: idempotent)
        return try Self.decodeJSON(response.body)
    }

    /// Patches an object. For `.apply`, `fieldManager` (and `force`) come from the patch type. The
    /// object returned keeps what `projection` keeps (nil: all of it).
    public func patch(
        _ path: String, type: PatchType, body: JSONValue, dryRun: Bool = false, fieldManager: String? = nil,
        query: [QueryItem] = [], idempotent: Bool = false, projection: JSONProjection? = nil
    ) throws(KubeAPIError) -> JSONValue {
        var q = query
        var manager = fieldManager
        if case .apply(let applyManager, let force) = type {
            manager = applyManager
            if force { q.append(QueryItem("force", "true")) }
        }
        let response = try send(
            "PATCH", path, query: Self.writeQuery(q, dryRun: dryRun, fieldManager: manager),
            body: body.serializedBytes(), contentType: type.contentType, accept: Self.accept(reading: projection), idempotent: idempotent)
        return try Self.decodeJSON(response.body, projection: projection)
    }

    /// Deletes an object; `options` is a DeleteOptions body (e.g. preconditions, propagationPolicy).
    /// Returns what the server returned (the object, or a Status).
    public func delete(
        _ path: String, dryRun: Bool = false, options: JSONValue? = nil, query: [QueryItem] = []
    ) throws(KubeAPIError) -> JSONValue {
        let response = try send(
            "DELETE", path, query: Self.writeQuery(query, dryRun: dryRun, fieldManager: nil),
            body: options?.serializedBytes(), contentType: options == nil ? nil : "application/json", idempotent: true)
        return try Self.decodeJSON(response.body)
    }

    static func writeQuery(_ query: [QueryItem], dryRun: Bool, fieldManager: String?) -> [QueryItem] {
        var q = query
        if dryRun { q.append(QueryItem("dryRun", "All")) }
        if let fieldManager, !fieldManager.isEmpty { q.append(QueryItem("fieldManager", fieldManager)) }
        return q
    }
}
