/// A JSON document as a value: what manifests, API objects, patches and events are made of.
///
/// Numbers keep the integer/float distinction Kubernetes cares about; objects keep their key order
/// (for faithful output) but compare as unordered maps, as JSON does.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object(JSONObject)
}

extension JSONValue: Equatable {
    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case let (.bool(a), .bool(b)): return a == b
        case let (.int(a), .int(b)): return a == b
        case let (.double(a), .double(b)): return a == b
        case let (.int(a), .double(b)), let (.double(b), .int(a)): return Double(a) == b
        case let (.string(a), .string(b)): return a == b
        case let (.array(a), .array(b)): return a == b
        case let (.object(a), .object(b)): return a == b
        default: return false
        }
    }
}

extension JSONValue: Hashable {
    public func hash(into hasher: inout Hasher) {
        switch self {
        case .null: hasher.combine(0)
        case .bool(let b): hasher.combine(b)
        case .int(let i): hasher.combine(Double(i))
        case .double(let d): hasher.combine(d)
        case .string(let s): hasher.combine(s)
        case .array(let a): hasher.combine(a)
        case .object(let o): hasher.combine(o)
        }
    }
}

extension JSONValue {
    /// The string, if this is a string.
    public var string: String? { if case .string(let s) = self { return s }; return nil }
    /// The integer, if this is a number with an integral value.
    public var int: Int? {
        switch self {
        case .int(let i): return i
        case .double(let d) where d.rounded() == d && abs(d) < 9.0e18: return Int(d)
        default: return nil
        }
    }
    /// The number as a Double, if this is a number.
    public var double: Double? {
        switch self {
        case .int(let i): return Double(i)
        case .double(let d): return d
        default: return nil
        }
    }
    /// The boolean, if this is a boolean.
    public var bool: Bool? { if case .bool(let b) = self { return b }; return nil }
    /// The elements, if this is an array.
    public var array: [JSONValue]? { if case .array(let a) = self { return a }; return nil }
    /// The members, if this is an object.
    public var object: JSONObject? { if case .object(let o) = self { return o }; return nil }
    /// True for `null`.
    public var isNull: Bool { if case .null = self { return true }; return false }

    /// The name of this value's JSON type, for error messages ("string", "object", ...).
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .int, .double: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }

    /// The member `key` of an object (nil for other types or a missing key).
    public subscript(key: String) -> JSONValue? {
        get {
            guard case .object(let o) = self else { return nil }
            return o[key]
        }
        set {
            guard case .object(var o) = self else { return }
            self = .null
            o[key] = newValue
            self = .object(o)
        }
    }

    /// The element at `index` of an array (nil when out of range or not an array).
    public subscript(index: Int) -> JSONValue? {
        guard case .array(let a) = self, a.indices.contains(index) else { return nil }
        return a[index]
    }

    /// The value at a path of object keys, e.g. `["spec", "template", "spec"]`.
    public subscript(path path: [String]) -> JSONValue? {
        get {
            var current: JSONValue? = self
            for key in path { current = current?[key]; if current == nil { return nil } }
            return current
        }
        set {
            guard let first = path.first else { self = newValue ?? .null; return }
            if newValue == nil && self[path: path] == nil { return }
            var members = object ?? JSONObject()
            if path.count == 1 {
                members[first] = newValue
            } else {
                var child = members[first] ?? .emptyObject
                if child.object == nil { child = .emptyObject }
                child[path: Array(path.dropFirst())] = newValue
                members[first] = child
            }
            self = .object(members)
        }
    }

    /// An empty object.
    public static var emptyObject: JSONValue { .object(JSONObject()) }
}

extension JSONValue: ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral,
    ExpressibleByDictionaryLiteral
{
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        var o = JSONObject()
        for (k, v) in elements { o[k] = v }
        self = .object(o)
    }
}

extension JSONValue: CustomStringConvertible {
    /// Compact JSON text.
    public var description: String { serialized() }
}
