/// One query parameter.
public struct QueryItem: Sendable, Equatable {
    /// Parameter name.
    public var name: String
    /// Parameter value (unencoded).
    public var value: String
    /// `name=value`.
    public init(_ name: String, _ value: String) { self.name = name; self.value = value }

    /// `name=value&...` with names and values percent-encoded (everything but RFC 3986 unreserved).
    public static func encode(_ items: [QueryItem]) -> String {
        items.map { "\(percentEncode($0.name))=\(percentEncode($0.value))" }.joined(separator: "&")
    }

    static func percentEncode(_ s: String) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count)
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hex = Array("0123456789ABCDEF")
                out.append("%")
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 15)])
            }
        }
        return out
    }
}
