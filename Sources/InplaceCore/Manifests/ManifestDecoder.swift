import JSON

/// Turns parsed manifest documents into the workloads to act on: pure and strict, so bad input
/// is refused with its location before anything is sent to the cluster.
public enum ManifestDecoder {
    /// The result: workloads in input order, and warnings about skipped documents.
    public struct Result: Sendable {
        public var workloads: [DesiredWorkload] = []
        public var warnings: [String] = []
    }

    /// Decodes `documents`; `namespace` is the default namespace, `namespaceFromFlag` true when the
    /// user gave `-n` explicitly (then a manifest in another namespace is an error, as in kubectl).
    public static func decode(_ documents: [ManifestDocument], namespace: String, namespaceFromFlag: Bool,
                              inputName: String) throws(ManifestError) -> Result {
        var result = Result()
        var seen: [WorkloadRef: SourceLocation] = [:]
        for doc in documents {
            for (value, path) in try expandLists(doc) {
                try decodeObject(value, path: path, doc: doc, namespace: namespace,
                                 namespaceFromFlag: namespaceFromFlag, into: &result, seen: &seen)
            }
        }
        if result.workloads.isEmpty { throw .noWorkloads(inputName) }
        return result
    }

    /// A `List` (kind `List` or `*List` with `items`) becomes its items, each with its field path prefix.
    static func expandLists(_ doc: ManifestDocument) throws(ManifestError) -> [(JSONValue, String)] {
        guard doc.value.object != nil else {
            throw .notAnObject(doc.location, "expected a Kubernetes object (a map with apiVersion and kind), found a \(doc.value.typeName)")
        }
        let kind = doc.value["kind"]?.string ?? ""
        guard kind == "List" || (kind.hasSuffix("List") && doc.value["items"] != nil) else { return [(doc.value, "")] }
        guard let items = doc.value["items"]?.array else {
            throw .invalidField(doc.locate("items"), field: "items", problem: "a \(kind) needs an items array")
        }
        return items.enumerated().map { ($1, "items[\($0)].") }
    }

    static func decodeObject(_ value: JSONValue, path prefix: String, doc: ManifestDocument, namespace: String,
                             namespaceFromFlag: Bool, into result: inout Result,
                             seen: inout [WorkloadRef: SourceLocation]) throws(ManifestError) {
        let here = doc.locate(prefix.isEmpty ? "" : String(prefix.dropLast()))
        guard value.object != nil else {
            throw .notAnObject(here, "expected a Kubernetes object, found a \(value.typeName)")
        }
        guard let kindName = value["kind"]?.string, !kindName.isEmpty else {
            throw .invalidField(here, field: prefix + "kind", problem: "is required")
        }
        guard let apiVersion = value["apiVersion"]?.string, !apiVersion.isEmpty else {
            throw .invalidField(here, field: prefix + "apiVersion", problem: "is required")
        }
        let name = value[path: ["metadata", "name"]]?.string
        guard let kind = WorkloadKind(rawValue: kindName) else {
            result.warnings.append("\(here): skipping \(kindName)\(name.map { " \"\($0)\"" } ?? ""): not a workload kubectl inplace updates")
            return
        }
        guard apiVersion == kind.apiVersion else {
            throw .unsupportedAPIVersion(doc.locate(prefix + "apiVersion"), kind: kindName, apiVersion: apiVersion)
        }
        guard let name, !name.isEmpty else {
            throw .invalidField(doc.locate(prefix + "metadata"), field: prefix + "metadata.name", problem: "is required")
        }
        var ns = namespace
        if let manifestNS = value[path: ["metadata", "namespace"]]?.string, !manifestNS.isEmpty {
            if namespaceFromFlag && manifestNS != namespace {
                throw .namespaceMismatch(doc.locate(prefix + "metadata.namespace"), manifest: manifestNS, flag: namespace)
            }
            ns = manifestNS
        }
        let templatePrefix = kind == .pod ? prefix : prefix + "spec.template."
        let template = kind == .pod ? value : value[path: ["spec", "template"]]
        guard let template, template.object != nil else {
            throw .invalidField(doc.locate(prefix + "spec"), field: templatePrefix.isEmpty ? "spec" : String(templatePrefix.dropLast()),
                                problem: "is required")
        }
        try validateContainers(template, prefix: templatePrefix, doc: doc)
        let ref = WorkloadRef(kind: kind, namespace: ns, name: name)
        let location = doc.locate(prefix.isEmpty ? "" : String(prefix.dropLast()))
        let start = prefix.isEmpty ? doc.location : location
        if let first = seen[ref] { throw .duplicate("\(ref) in namespace \(ns)", first, start) }
        seen[ref] = start
        result.workloads.append(DesiredWorkload(ref: ref, source: .manifest(value, start)))
    }

    /// Checks the container fields the planner relies on, as the API server's decoder would.
    static func validateContainers(_ template: JSONValue, prefix: String, doc: ManifestDocument) throws(ManifestError) {
        let specPath = prefix + "spec"
        guard let containers = template[path: ["spec", "containers"]]?.array, !containers.isEmpty else {
            throw .invalidField(doc.locate(specPath), field: specPath + ".containers", problem: "at least one container is required")
        }
        for list in ["initContainers", "containers"] {
            var names: Set<String> = []
            for (i, c) in (template[path: ["spec", list]]?.array ?? []).enumerated() {
                let at = "\(specPath).\(list)[\(i)]"
                guard c.object != nil else { throw .invalidField(doc.locate(at), field: at, problem: "must be a map") }
                guard let name = c["name"]?.string, !name.isEmpty else {
                    throw .invalidField(doc.locate(at), field: at + ".name", problem: "is required")
                }
                guard names.insert(name).inserted else {
                    throw .invalidField(doc.locate(at + ".name"), field: at + ".name", problem: "duplicate container name \"\(name)\"")
                }
                guard let image = c["image"]?.string, !image.isEmpty else {
                    throw .invalidField(doc.locate(at), field: at + ".image", problem: "is required")
                }
                if image != image.trimmingWhitespace {
                    throw .invalidField(doc.locate(at + ".image"), field: at + ".image", problem: "must not have leading or trailing whitespace")
                }
                for (j, e) in (c["env"]?.array ?? []).enumerated() {
                    let ep = "\(at).env[\(j)]"
                    guard e["name"]?.string != nil else { throw .invalidField(doc.locate(ep), field: ep + ".name", problem: "is required") }
                    if let v = e["value"], v.string == nil, !v.isNull {
                        throw .invalidField(doc.locate(ep + ".value"), field: ep + ".value",
                                            problem: "must be a string, found a \(v.typeName) (quote it)")
                    }
                }
            }
        }
    }
}

extension String {
    /// The string without leading and trailing spaces, tabs and newlines.
    var trimmingWhitespace: String {
        let ws: Set<Character> = [" ", "\t", "\n", "\r"]
        var s = Substring(self)
        while let f = s.first, ws.contains(f) { s = s.dropFirst() }
        while let l = s.last, ws.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
