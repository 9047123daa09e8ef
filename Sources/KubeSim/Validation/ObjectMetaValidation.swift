import JSON

/// ObjectMeta validation on create and update (names, labels, annotations, immutable identity).
enum ObjectMetaValidation {
    static let dns1123SubdomainMessage =
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    static let dns1123LabelMessage =
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')"

    static func isDNS1123Subdomain(_ s: String) -> Bool {
        guard !s.isEmpty, s.count <= 253 else { return false }
        return s.split(separator: ".", omittingEmptySubsequences: false).allSatisfy { isDNS1123Label(String($0)) }
    }

    static func isDNS1123Label(_ s: String) -> Bool {
        guard !s.isEmpty, s.count <= 63 else { return false }
        let ok = s.unicodeScalars.allSatisfy { ($0 >= "a" && $0 <= "z") || ($0 >= "0" && $0 <= "9") || $0 == "-" }
        return ok && s.first != "-" && s.last != "-"
    }

    static func isQualifiedName(_ s: String) -> Bool {
        let parts = s.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2 else { return false }
        if parts.count == 2 && !isDNS1123Subdomain(String(parts[0])) { return false }
        let name = String(parts.last!)
        guard !name.isEmpty, name.count <= 63 else { return false }
        let ok = name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        return ok && name.first!.isLetterOrNumberASCII && name.last!.isLetterOrNumberASCII
    }

    static func isLabelValue(_ s: String) -> Bool {
        if s.isEmpty { return true }
        guard s.count <= 63 else { return false }
        let ok = s.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }
        return ok && s.first!.isLetterOrNumberASCII && s.last!.isLetterOrNumberASCII
    }

    /// Create-time checks of metadata; `nameIsLabel` for resources whose names must be DNS labels.
    static func validate(_ obj: JSONValue, namespaced: Bool, nameIsLabel: Bool = false) -> [FieldError] {
        var errs: [FieldError] = []
        let name = obj.metaName
        if name.isEmpty {
            errs.append(.required("metadata.name", "name or generateName is required"))
        } else if nameIsLabel ? !isDNS1123Label(name) : !isDNS1123Subdomain(name) {
            errs.append(.invalid("metadata.name", name, nameIsLabel ? dns1123LabelMessage : dns1123SubdomainMessage))
        }
        if namespaced && obj.metaNamespace.isEmpty {
            errs.append(.required("metadata.namespace"))
        }
        errs += labels(obj[path: ["metadata", "labels"]], field: "metadata.labels")
        errs += annotations(obj[path: ["metadata", "annotations"]], field: "metadata.annotations")
        return errs
    }

    /// The total size of an object's annotations, keys and values (apimachinery's TotalAnnotationSizeLimitB).
    static let annotationSizeLimit = 256 * (1 << 10)

    /// ValidateAnnotations: every key a qualified name (case does not matter), at most 256 KiB in all.
    static func annotations(_ v: JSONValue?, field: String) -> [FieldError] {
        var errs: [FieldError] = []
        var size = 0
        for m in v?.object ?? JSONObject() {
            if !isQualifiedName(m.key.lowercased()) {
                errs.append(
                    .invalid(
                        field, m.key,
                        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
                    ))
            }
            size += m.key.utf8.count + (m.value.string ?? "").utf8.count
        }
        if size > annotationSizeLimit {
            errs.append(FieldError(.tooLong, field, "must have at most \(annotationSizeLimit) bytes"))
        }
        return errs
    }

    static func labels(_ v: JSONValue?, field: String) -> [FieldError] {
        var errs: [FieldError] = []
        for m in v?.object ?? JSONObject() {
            if !isQualifiedName(m.key) {
                errs.append(
                    .invalid(
                        field, m.key,
                        "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
                    ))
            }
            guard let value = m.value.string else {
                errs.append(FieldError(.invalid, "\(field)", badValue: m.value.serialized(), "must be a string"))
                continue
            }
            if !isLabelValue(value) {
                errs.append(
                    .invalid(
                        field, value,
                        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
                    ))
            }
        }
        return errs
    }

    /// Update-time checks: identity fields are immutable.
    static func validateUpdate(new: JSONValue, old: JSONValue) -> [FieldError] {
        var errs: [FieldError] = []
        if new.metaName != old.metaName { errs.append(.invalid("metadata.name", new.metaName, "field is immutable")) }
        if new.metaNamespace != old.metaNamespace {
            errs.append(.invalid("metadata.namespace", new.metaNamespace, "field is immutable"))
        }
        if new.metaUID != old.metaUID { errs.append(.invalid("metadata.uid", new.metaUID, "field is immutable")) }
        errs += labels(new[path: ["metadata", "labels"]], field: "metadata.labels")
        errs += annotations(new[path: ["metadata", "annotations"]], field: "metadata.annotations")
        return errs
    }
}

extension Character {
    var isLetterOrNumberASCII: Bool { isASCII && (isLetter || isNumber) }
}
