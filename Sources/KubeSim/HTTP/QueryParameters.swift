/// Decoded URL query parameters (`a=1&b=x%20y`), in order, with repeated names kept.
public struct QueryParameters: Sendable {
    /// The (name, value) pairs in order.
    public private(set) var pairs: [(name: String, value: String)]

    /// Parses a raw query string; `+` means space, as Go's url.ParseQuery does.
    public init(parsing raw: String) {
        pairs = []
        for part in raw.split(separator: "&", omittingEmptySubsequences: true) {
            let kv = part.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = PercentDecoding.decode(String(kv[0]), plusIsSpace: true)
            let value = kv.count > 1 ? PercentDecoding.decode(String(kv[1]), plusIsSpace: true) : ""
            pairs.append((name: name, value: value))
        }
    }

    /// The first value for `name`, or nil.
    public subscript(name: String) -> String? { pairs.first { $0.name == name }?.value }

    /// Every value for `name`.
    public func all(_ name: String) -> [String] { pairs.filter { $0.name == name }.map(\.value) }

    /// True when `name` is present and is "true" or "1" (how the API server reads booleans).
    public func flag(_ name: String) -> Bool {
        guard let v = self[name] else { return false }
        return v == "true" || v == "1" || v == "True" || v == "TRUE"
    }
}

/// Percent-decoding of URL components.
public enum PercentDecoding {
    /// Decodes `%XX` escapes (and `+` as space when asked); invalid escapes are kept as is.
    public static func decode(_ s: String, plusIsSpace: Bool) -> String {
        if !s.utf8.contains(UInt8(ascii: "%")) && !(plusIsSpace && s.utf8.contains(UInt8(ascii: "+"))) { return s }
        var out: [UInt8] = []
        let bytes = Array(s.utf8)
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "%"), i + 2 < bytes.count, let h = hex(bytes[i + 1]), let l = hex(bytes[i + 2]) {
                out.append(h << 4 | l)
                i += 3
            } else if b == UInt8(ascii: "+") && plusIsSpace {
                out.append(UInt8(ascii: " "))
                i += 1
            } else {
                out.append(b)
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Percent-encodes everything but unreserved characters (for building query strings).
    public static func encode(_ s: String) -> String {
        var out = ""
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "_"), UInt8(ascii: "."),
                UInt8(ascii: "~"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let hexDigits = Array("0123456789ABCDEF")
                out.append("%")
                out.append(hexDigits[Int(b >> 4)])
                out.append(hexDigits[Int(b & 0xF)])
            }
        }
        return out
    }

    private static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return c - UInt8(ascii: "A") + 10
        default: return nil
        }
    }
}
