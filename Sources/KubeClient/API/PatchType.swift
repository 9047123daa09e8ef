/// The kinds of PATCH the API server accepts.
public enum PatchType: Sendable, Equatable {
    /// `application/strategic-merge-patch+json` (lists merged by key, e.g. containers by name).
    case strategicMerge
    /// `application/merge-patch+json` (RFC 7386; lists replaced).
    case merge
    /// `application/json-patch+json` (RFC 6902 operations).
    case json
    /// Server-side apply (`application/apply-patch+yaml`) as `fieldManager`; `force` takes over conflicts.
    case apply(fieldManager: String, force: Bool = false)

    /// The Content-Type header value.
    public var contentType: String {
        switch self {
        case .strategicMerge: return "application/strategic-merge-patch+json"
        case .merge: return "application/merge-patch+json"
        case .json: return "application/json-patch+json"
        case .apply: return "application/apply-patch+yaml"
        }
    }
}
