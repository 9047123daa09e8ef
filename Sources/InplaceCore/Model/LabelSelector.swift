import JSON

/// A Kubernetes label selector (`matchLabels` and `matchExpressions`), matched locally and rendered
/// as the `labelSelector` query parameter.
public struct LabelSelector: Sendable, Equatable {
    /// One requirement: key, operator (In, NotIn, Exists, DoesNotExist) and values.
    public struct Requirement: Sendable, Equatable {
        public var key: String
        public var op: String
        public var values: [String]
    }

    public var matchLabels: [String: String]
    public var requirements: [Requirement]

    /// Reads a `spec.selector` object.
    public init(_ value: JSONValue) {
        matchLabels = value["matchLabels"]?.stringMap ?? [:]
        requirements = (value["matchExpressions"]?.array ?? []).map {
            Requirement(
                key: $0["key"]?.string ?? "", op: $0["operator"]?.string ?? "",
                values: ($0["values"]?.array ?? []).compactMap(\.string))
        }
    }

    public init(matchLabels: [String: String]) {
        self.matchLabels = matchLabels
        self.requirements = []
    }

    /// The selector in the query-string syntax (`app=web,tier in (a,b)`), keys sorted.
    public var queryString: String {
        var parts = matchLabels.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        for r in requirements {
            switch r.op {
            case "In": parts.append("\(r.key) in (\(r.values.sorted().joined(separator: ",")))")
            case "NotIn": parts.append("\(r.key) notin (\(r.values.sorted().joined(separator: ",")))")
            case "Exists": parts.append(r.key)
            case "DoesNotExist": parts.append("!\(r.key)")
            default: break
            }
        }
        return parts.joined(separator: ",")
    }

    /// True when the labels satisfy every term.
    public func matches(_ labels: [String: String]) -> Bool {
        for (k, v) in matchLabels where labels[k] != v { return false }
        for r in requirements {
            switch r.op {
            case "In": guard let v = labels[r.key], r.values.contains(v) else { return false }
            case "NotIn": if let v = labels[r.key], r.values.contains(v) { return false }
            case "Exists": if labels[r.key] == nil { return false }
            case "DoesNotExist": if labels[r.key] != nil { return false }
            default: return false
            }
        }
        return true
    }
}
