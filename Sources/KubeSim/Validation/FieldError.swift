import JSON

/// One validation error at a field path, formatted exactly as apimachinery's field.Error.
public struct FieldError: Sendable, Equatable {
    /// The kind of error (its cause reason and its text).
    public enum Kind: String, Sendable {
        case notFound = "FieldValueNotFound"
        case required = "FieldValueRequired"
        case duplicate = "FieldValueDuplicate"
        case invalid = "FieldValueInvalid"
        case notSupported = "FieldValueNotSupported"
        case forbidden = "FieldValueForbidden"
        case tooLong = "FieldValueTooLong"
        case tooMany = "FieldValueTooMany"
        case `internal` = "InternalError"
        /// Not a field error: the server's own message, as apimachinery's NewGenericServerResponse
        /// attaches it (a JSON patch operation that failed, ...).
        case unexpectedServerResponse = "UnexpectedServerResponse"

        /// The human text ("Required value").
        var text: String {
            switch self {
            case .notFound: return "Not found"
            case .required: return "Required value"
            case .duplicate: return "Duplicate value"
            case .invalid: return "Invalid value"
            case .notSupported: return "Unsupported value"
            case .forbidden: return "Forbidden"
            case .tooLong: return "Too long"
            case .tooMany: return "Too many"
            case .internal: return "Internal error"
            case .unexpectedServerResponse: return ""
            }
        }
    }

    /// The kind.
    public var kind: Kind
    /// The field path ("spec.containers[0].image").
    public var field: String
    /// The offending value as Go's %v/%q would print it (nil: not shown).
    public var badValue: String?
    /// The detail text.
    public var detail: String

    /// A field error.
    public init(_ kind: Kind, _ field: String, badValue: String? = nil, _ detail: String = "") {
        self.kind = kind
        self.field = field
        self.badValue = badValue
        self.detail = detail
    }

    /// The message without the field ("Forbidden: pod updates may not ...").
    public var body: String {
        if kind == .unexpectedServerResponse { return detail }
        var s = kind.text
        switch kind {
        case .required, .forbidden, .tooLong, .internal: break
        default: if let badValue { s += ": " + badValue }
        }
        if !detail.isEmpty { s += ": " + detail }
        return s
    }

    /// "field: body".
    public var message: String { "\(field): \(body)" }

    /// Go's %q of a string.
    public static func quoted(_ s: String) -> String { JSONValue.quote(s) }

    static func required(_ field: String, _ detail: String = "") -> FieldError { FieldError(.required, field, detail) }
    static func forbidden(_ field: String, _ detail: String) -> FieldError { FieldError(.forbidden, field, detail) }
    static func invalid(_ field: String, _ value: String, _ detail: String) -> FieldError {
        FieldError(.invalid, field, badValue: quoted(value), detail)
    }
    static func invalidInt(_ field: String, _ value: Int, _ detail: String) -> FieldError {
        FieldError(.invalid, field, badValue: String(value), detail)
    }
    static func notSupported(_ field: String, _ value: String, _ supported: [String]) -> FieldError {
        FieldError(.notSupported, field, badValue: quoted(value), "supported values: " + supported.map(quoted).joined(separator: ", "))
    }
}

extension Array where Element == FieldError {
    /// The aggregate text: one message, or "[a, b]" for several (duplicates dropped), as ToAggregate.
    var aggregateMessage: String {
        var seen = Set<String>()
        var msgs: [String] = []
        for e in self where seen.insert(e.message).inserted { msgs.append(e.message) }
        return msgs.count == 1 ? msgs[0] : "[" + msgs.joined(separator: ", ") + "]"
    }
}
