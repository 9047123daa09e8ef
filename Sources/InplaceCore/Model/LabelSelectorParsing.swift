extension LabelSelector {
    /// Parses the `-l` syntax kubectl accepts (`labels.Parse`): `k=v`, `k==v`, `k!=v`, `k in (a,b)`,
    /// `k notin (a,b)`, `k`, `!k`, joined by commas. Nil when the text is not a selector.
    public init?(parsing text: String) {
        self.init(matchLabels: [:])
        for term in Self.terms(text) {
            let t = term.trimmingSpaces
            guard !t.isEmpty else { return nil }
            if let r = Self.setRequirement(t) {
                requirements.append(r)
            } else if let range = t.range(of: "!=") {
                requirements.append(Requirement(key: String(t[..<range.lowerBound]).trimmingSpaces, op: "NotIn",
                                                values: [String(t[range.upperBound...]).trimmingSpaces]))
            } else if let range = t.range(of: "==") ?? t.range(of: "=") {
                matchLabels[String(t[..<range.lowerBound]).trimmingSpaces] = String(t[range.upperBound...]).trimmingSpaces
            } else if t.hasPrefix("!") {
                requirements.append(Requirement(key: String(t.dropFirst()).trimmingSpaces, op: "DoesNotExist", values: []))
            } else {
                requirements.append(Requirement(key: t, op: "Exists", values: []))
            }
        }
        guard !requirements.isEmpty || !matchLabels.isEmpty,
              requirements.allSatisfy({ Self.isLabelKey($0.key) && $0.values.allSatisfy(Self.isLabelValue) }),
              matchLabels.allSatisfy({ Self.isLabelKey($0.key) && Self.isLabelValue($0.value) })
        else { return nil }
    }

    /// Splits at the commas that are not inside `( )`.
    static func terms(_ text: String) -> [String] {
        var out: [String] = []
        var current = ""
        var depth = 0
        for ch in text {
            if ch == "(" { depth += 1 }
            if ch == ")" { depth -= 1 }
            if ch == ",", depth == 0 {
                out.append(current)
                current = ""
            } else {
                current.append(ch)
            }
        }
        out.append(current)
        return out
    }

    /// `key in (a,b)` / `key notin (a,b)`.
    static func setRequirement(_ term: String) -> Requirement? {
        for (word, op) in [(" notin ", "NotIn"), (" in ", "In")] {
            guard let range = term.range(of: word), term.hasSuffix(")") else { continue }
            let key = String(term[..<range.lowerBound]).trimmingSpaces
            let list = String(term[range.upperBound...]).trimmingSpaces
            guard list.hasPrefix("(") else { return nil }
            let values = list.dropFirst().dropLast().split(separator: ",", omittingEmptySubsequences: false)
                .map { String($0).trimmingSpaces }
            return Requirement(key: key, op: op, values: values)
        }
        return nil
    }

    /// A qualified name with an optional DNS prefix (`app.kubernetes.io/name`).
    static func isLabelKey(_ key: String) -> Bool {
        let parts = key.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count <= 2, let name = parts.last, !name.isEmpty, name.count <= 63 else { return false }
        if parts.count == 2, parts[0].isEmpty { return false }
        return isLabelValue(String(name))
    }

    /// Empty, or up to 63 alphanumerics with `-`, `_`, `.` inside.
    static func isLabelValue(_ value: String) -> Bool {
        guard value.count <= 63 else { return false }
        guard let first = value.first, let last = value.last else { return true }
        return first.isLetter || first.isNumber ? (last.isLetter || last.isNumber)
            && value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "-_.".contains($0)) }) : false
    }
}

extension String {
    /// Without leading and trailing spaces.
    var trimmingSpaces: String {
        var s = Substring(self)
        while s.first == " " { s = s.dropFirst() }
        while s.last == " " { s = s.dropLast() }
        return String(s)
    }
}
