import JSON

/// Puts the top-level members and metadata members of an object in the order the API server's Go
/// structs serialize them (kind, apiVersion, metadata, spec, status; name, generateName, ...).
enum ObjectMetaOrder {
    static let topLevel = ["kind", "apiVersion", "metadata"]
    static let metadata = [
        "name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation", "creationTimestamp",
        "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations", "ownerReferences", "finalizers",
        "managedFields",
    ]

    static func canonical(_ obj: JSONValue) -> JSONValue {
        guard case .object(let o) = obj else { return obj }
        var out = reorder(o, first: topLevel)
        if case .object(let m)? = out["metadata"] { out["metadata"] = .object(reorder(m, first: metadata)) }
        return .object(out)
    }

    static func reorder(_ o: JSONObject, first: [String]) -> JSONObject {
        var out = JSONObject()
        for k in first { if let v = o[k] { out.appendUnchecked(k, v) } }
        for m in o where !first.contains(m.key) { out.appendUnchecked(m.key, m.value) }
        return out
    }
}
