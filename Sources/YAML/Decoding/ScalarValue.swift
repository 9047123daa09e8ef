import JSON

/// A scalar as go-yaml v2 decodes it into an untyped Go value, before sigs.k8s.io/yaml turns it
/// into JSON (values) or a string (mapping keys).
enum ScalarValue: Sendable {
    case null
    case bool(Bool)
    /// A Go `int`.
    case int(Int)
    /// A Go `uint64` above Int64.max.
    case unsigned(UInt64)
    /// A `*big.Int` (a prefixed integer wider than 64 bits), as the Double kubectl reads it as.
    case bigInt(Double)
    /// A Go `float64` from YAML: written back to JSON as Go does, so integral values become ints.
    case float(Double)
    /// A number literal of a JSON stream, kept as written (kubectl decodes JSON input directly).
    case jsonDouble(Double)
    case string(String)

    /// Why a scalar cannot become JSON.
    enum ConversionError: Error {
        case unsupportedValue(String)
    }

    /// The JSON value kubectl ends up with: YAML → Go → `json.Marshal` → kubectl's JSON decoding,
    /// which keeps integer literals that fit Int64 as ints and reads the rest as float64.
    func jsonValue() throws(ConversionError) -> JSONValue {
        switch self {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .unsigned(let u): return .double(Double(u))
        case .bigInt(let d), .jsonDouble(let d):
            guard d.isFinite else { throw .unsupportedValue(Self.goSpecialName(d)) }
            return .double(d)
        case .float(let d):
            guard d.isFinite else { throw .unsupportedValue(Self.goSpecialName(d)) }
            if d.rounded(.towardZero) == d, d >= -0x1p63, d < 0x1p63 { return .int(Int(d)) }
            return .double(d)
        case .string(let s): return .string(s)
        }
    }

    /// The mapping key sigs.k8s.io/yaml makes of this scalar; nil for the types it rejects (null,
    /// uint64, big integers).
    var keyString: String? {
        switch self {
        case .string(let s): return s
        case .int(let i): return String(i)
        case .bool(let b): return b ? "true" : "false"
        case .float(let d), .jsonDouble(let d):
            switch GoFloatFormatting.formatG(d, float32: true) {
            case "+Inf": return ".inf"
            case "-Inf": return "-.inf"
            case "NaN": return ".nan"
            case let s: return s
            }
        case .null, .unsigned, .bigInt: return nil
        }
    }

    /// The Go type name sigs.k8s.io/yaml reports for a key it cannot convert.
    var goTypeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "bool"
        case .int: return "int"
        case .unsigned: return "uint64"
        case .bigInt: return "*big.Int"
        case .float, .jsonDouble: return "float64"
        case .string: return "string"
        }
    }

    private static func goSpecialName(_ d: Double) -> String {
        d.isNaN ? "NaN" : (d < 0 ? "-Inf" : "+Inf")
    }
}
