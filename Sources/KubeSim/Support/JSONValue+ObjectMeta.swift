import JSON

extension JSONValue {
    /// metadata.name.
    var metaName: String { self[path: ["metadata", "name"]]?.string ?? "" }
    /// metadata.namespace ("" when absent).
    var metaNamespace: String { self[path: ["metadata", "namespace"]]?.string ?? "" }
    /// metadata.uid ("" when absent).
    var metaUID: String { self[path: ["metadata", "uid"]]?.string ?? "" }
    /// metadata.resourceVersion ("" when absent).
    var metaResourceVersion: String { self[path: ["metadata", "resourceVersion"]]?.string ?? "" }
    /// metadata.labels as a dictionary of strings.
    var metaLabels: [String: String] { Self.stringMap(self[path: ["metadata", "labels"]]) }
    /// metadata.annotations as a dictionary of strings.
    var metaAnnotations: [String: String] { Self.stringMap(self[path: ["metadata", "annotations"]]) }
    /// metadata.ownerReferences[*].uid.
    var ownerUIDs: [String] {
        (self[path: ["metadata", "ownerReferences"]]?.array ?? []).compactMap { $0["uid"]?.string }
    }
    /// metadata.finalizers.
    var metaFinalizers: [String] { (self[path: ["metadata", "finalizers"]]?.array ?? []).compactMap(\.string) }

    /// Sets (or, with nil, removes) a metadata member.
    mutating func setMeta(_ key: String, _ value: JSONValue?) {
        if self["metadata"]?.object == nil { self["metadata"] = .emptyObject }
        self[path: ["metadata", key]] = value
    }

    /// A JSON object of strings as a dictionary (non-strings are skipped).
    static func stringMap(_ v: JSONValue?) -> [String: String] {
        guard let o = v?.object else { return [:] }
        var out: [String: String] = [:]
        for m in o { if let s = m.value.string { out[m.key] = s } }
        return out
    }

    /// The value with this object member removed (no-op for non-objects).
    func removing(_ key: String) -> JSONValue {
        guard case .object(var o) = self else { return self }
        o.removeValue(forKey: key)
        return .object(o)
    }
}
