import JSON

/// A label selector: equality (`a=b`, `a==b`, `a!=b`), set-based (`a in (x,y)`, `a notin (x)`),
/// existence (`a`, `!a`) and numeric (`a>1`, `a<1`) requirements, all of which must hold.
public struct LabelSelector: Sendable, Equatable {
    /// One requirement.
    public enum Requirement: Sendable, Equatable {
        case equals(String, String)
        case notEquals(String, String)
        case `in`(String, Set<String>)
        case notIn(String, Set<String>)
        case exists(String)
        case doesNotExist(String)
        case greaterThan(String, Int)
        case lessThan(String, Int)
    }

    /// The requirements (all must match).
    public var requirements: [Requirement]

    /// The selector that matches everything.
    public static let everything = LabelSelector(requirements: [])

    /// A selector of requirements.
    public init(requirements: [Requirement]) { self.requirements = requirements }

    /// Parses the string form used in `?labelSelector=`.
    public init(parsing text: String) throws(APIError) {
        var reqs: [Requirement] = []
        let chars = Array(text)
        var i = 0
        func skipSpaces() { while i < chars.count, chars[i] == " " || chars[i] == "\t" { i += 1 } }
        func readKey() -> String {
            var s = ""
            while i < chars.count, !" \t,=!<>()".contains(chars[i]) { s.append(chars[i]); i += 1 }
            return s
        }
        func fail(_ why: String) -> APIError { .badRequest("unable to parse requirement: \(why)") }
        func readValue() -> String {
            var s = ""
            while i < chars.count, !" \t,()".contains(chars[i]) { s.append(chars[i]); i += 1 }
            return s
        }
        skipSpaces()
        if i == chars.count { self.requirements = []; return }
        while true {
            skipSpaces()
            var negated = false
            if i < chars.count, chars[i] == "!" { negated = true; i += 1; skipSpaces() }
            let key = readKey()
            guard !key.isEmpty else { throw fail("found '\(i < chars.count ? String(chars[i]) : "")', expected: identifier") }
            try Self.validateKey(key)
            skipSpaces()
            if negated {
                reqs.append(.doesNotExist(key))
            } else if i >= chars.count || chars[i] == "," {
                reqs.append(.exists(key))
            } else if chars[i] == "=" || chars[i] == "!" {
                let notEq = chars[i] == "!"
                i += 1
                if i < chars.count, chars[i] == "=" { i += 1 } else if notEq { throw fail("found '!', expected: '='") }
                skipSpaces()
                let value = readValue()
                try Self.validateValue(value)
                reqs.append(notEq ? .notEquals(key, value) : .equals(key, value))
            } else if chars[i] == ">" || chars[i] == "<" {
                let gt = chars[i] == ">"
                i += 1
                skipSpaces()
                let value = readValue()
                guard let n = Int(value) else { throw fail("for 'Gt', 'Lt' operators, the value must be an integer") }
                reqs.append(gt ? .greaterThan(key, n) : .lessThan(key, n))
            } else {
                let op = readKey()
                guard op == "in" || op == "notin" else { throw fail("found '\(op)', expected: in, notin, =, ==, !=, gt, lt") }
                skipSpaces()
                guard i < chars.count, chars[i] == "(" else { throw fail("found '\(i < chars.count ? String(chars[i]) : "")', expected: '('") }
                i += 1
                var values = Set<String>()
                while true {
                    skipSpaces()
                    let v = readValue()
                    try Self.validateValue(v)
                    values.insert(v)
                    skipSpaces()
                    guard i < chars.count else { throw fail("found '', expected: ',', ')'") }
                    if chars[i] == "," { i += 1; continue }
                    if chars[i] == ")" { i += 1; break }
                    throw fail("found '\(chars[i])', expected: ',', ')'")
                }
                reqs.append(op == "in" ? .in(key, values) : .notIn(key, values))
            }
            skipSpaces()
            if i >= chars.count { break }
            guard chars[i] == "," else { throw fail("found '\(chars[i])', expected: ',' or 'end of string'") }
            i += 1
        }
        self.requirements = reqs
    }

    /// The selector of a workload's `spec.selector` (matchLabels and matchExpressions).
    public init(object: JSONValue?) {
        var reqs: [Requirement] = []
        for m in object?["matchLabels"]?.object ?? JSONObject() {
            if let v = m.value.string { reqs.append(.equals(m.key, v)) }
        }
        for e in object?["matchExpressions"]?.array ?? [] {
            guard let key = e["key"]?.string, let op = e["operator"]?.string else { continue }
            let values = Set((e["values"]?.array ?? []).compactMap(\.string))
            switch op {
            case "In": reqs.append(.in(key, values))
            case "NotIn": reqs.append(.notIn(key, values))
            case "Exists": reqs.append(.exists(key))
            case "DoesNotExist": reqs.append(.doesNotExist(key))
            default: break
            }
        }
        self.requirements = reqs
    }

    static func validateKey(_ key: String) throws(APIError) {
        let name = key.split(separator: "/", maxSplits: 1).last.map(String.init) ?? key
        guard !name.isEmpty, name.count <= 63, name.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }),
            name.first!.isLetter || name.first!.isNumber, name.last!.isLetter || name.last!.isNumber
        else {
            throw .badRequest(
                "unable to parse requirement: <nil>: Invalid value: \(JSONValue.quote(key)): name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')"
            )
        }
    }

    static func validateValue(_ value: String) throws(APIError) {
        if value.isEmpty { return }
        guard value.count <= 63, value.allSatisfy({ $0.isLetter || $0.isNumber || "-_.".contains($0) }),
            value.first!.isLetter || value.first!.isNumber, value.last!.isLetter || value.last!.isNumber
        else {
            throw .badRequest(
                "unable to parse requirement: <nil>: Invalid value: \(JSONValue.quote(value)): a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')"
            )
        }
    }

    /// True when `labels` satisfies every requirement.
    public func matches(_ labels: [String: String]) -> Bool {
        for r in requirements {
            switch r {
            case .equals(let k, let v): if labels[k] != v { return false }
            case .notEquals(let k, let v): if labels[k] == v { return false }
            case .in(let k, let vs): guard let v = labels[k], vs.contains(v) else { return false }
            case .notIn(let k, let vs): if let v = labels[k], vs.contains(v) { return false }
            case .exists(let k): if labels[k] == nil { return false }
            case .doesNotExist(let k): if labels[k] != nil { return false }
            case .greaterThan(let k, let n): guard let v = labels[k].flatMap({ Int($0) }), v > n else { return false }
            case .lessThan(let k, let n): guard let v = labels[k].flatMap({ Int($0) }), v < n else { return false }
            }
        }
        return true
    }

    /// True for the selector without requirements.
    public var isEmpty: Bool { requirements.isEmpty }

    /// The string form ("app=web,tier in (a,b)"), as kubectl and the scale subresource print it.
    public var text: String {
        requirements.map { r in
            switch r {
            case .equals(let k, let v): return "\(k)=\(v)"
            case .notEquals(let k, let v): return "\(k)!=\(v)"
            case .in(let k, let vs): return "\(k) in (\(vs.sorted().joined(separator: ",")))"
            case .notIn(let k, let vs): return "\(k) notin (\(vs.sorted().joined(separator: ",")))"
            case .exists(let k): return k
            case .doesNotExist(let k): return "!\(k)"
            case .greaterThan(let k, let n): return "\(k)>\(n)"
            case .lessThan(let k, let n): return "\(k)<\(n)"
            }
        }.joined(separator: ",")
    }
}
