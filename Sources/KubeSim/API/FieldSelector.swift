import JSON

/// A field selector (`metadata.name=x,status.phase!=Running`) over the fields a resource supports.
public struct FieldSelector: Sendable {
    /// One term.
    public struct Term: Sendable {
        /// The field path ("status.phase").
        public var field: String
        /// The value compared.
        public var value: String
        /// True for `!=`.
        public var negated: Bool
    }

    /// The terms (all must match).
    public var terms: [Term]

    /// Parses `?fieldSelector=` for a resource, rejecting fields it does not support.
    public init(parsing text: String, for resource: ResourceType) throws(APIError) {
        var terms: [Term] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: true) {
            let s = String(part)
            var term: Term
            if let r = s.range(of: "!=") {
                term = Term(field: String(s[..<r.lowerBound]), value: String(s[r.upperBound...]), negated: true)
            } else if let r = s.range(of: "==") {
                term = Term(field: String(s[..<r.lowerBound]), value: String(s[r.upperBound...]), negated: false)
            } else if let r = s.range(of: "=") {
                term = Term(field: String(s[..<r.lowerBound]), value: String(s[r.upperBound...]), negated: false)
            } else {
                throw .badRequest("invalid selector: '\(text)'; can't understand '\(s)'")
            }
            term.field = term.field.trimmingSpaces()
            term.value = term.value.trimmingSpaces()
            guard Self.supportedFields(resource).contains(term.field) else {
                throw .badRequest("field label not supported: \(term.field)")
            }
            terms.append(term)
        }
        self.terms = terms
    }

    /// The fields a resource can be selected by.
    static func supportedFields(_ r: ResourceType) -> Set<String> {
        var s: Set<String> = ["metadata.name"]
        if r.namespaced { s.insert("metadata.namespace") }
        switch r.resource {
        case "pods":
            s.formUnion([
                "spec.nodeName", "spec.restartPolicy", "spec.schedulerName", "spec.serviceAccountName", "spec.hostNetwork",
                "status.phase", "status.podIP", "status.podIPs", "status.nominatedNodeName",
            ])
        case "events":
            s.formUnion([
                "involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath", "reason",
                "reportingComponent", "source", "type",
            ])
        case "namespaces": s.insert("status.phase")
        case "nodes": s.insert("spec.unschedulable")
        case "replicasets": s.insert("status.replicas")
        case "secrets": s.insert("type")
        default: break
        }
        return s
    }

    /// True when the object satisfies every term.
    public func matches(_ obj: JSONValue) -> Bool {
        for t in terms {
            let actual = Self.value(of: t.field, in: obj)
            if (actual == t.value) == t.negated { return false }
        }
        return true
    }

    /// True without terms.
    public var isEmpty: Bool { terms.isEmpty }

    static func value(of field: String, in obj: JSONValue) -> String {
        if field == "status.podIPs" {
            return (obj[path: ["status", "podIPs"]]?.array ?? []).compactMap { $0["ip"]?.string }.first ?? ""
        }
        guard let v = obj[path: field.split(separator: ".").map(String.init)] else {
            if field == "spec.hostNetwork" || field == "spec.unschedulable" { return "false" }
            return ""
        }
        switch v {
        case .string(let s): return s
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        default: return v.serialized()
        }
    }
}
