/// Go's `base64.StdEncoding`, as `encoding/json` uses it for `[]byte` fields (kubeconfig `*-data`)
/// and go-yaml for `!!binary` scalars: standard alphabet, padding required, line breaks (`\r`, `\n`)
/// ignored, anything else rejected.
public enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// The decoded bytes of `text`, or nil when it is not valid base64.
    public static func decode(_ text: String) -> [UInt8]? { decode(Array(text.utf8)) }

    /// The decoded bytes, or nil when the text is not valid base64.
    public static func decode(_ text: [UInt8]) -> [UInt8]? {
        let symbols = text.filter { $0 != UInt8(ascii: "\n") && $0 != UInt8(ascii: "\r") }
        guard symbols.count % 4 == 0 else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(symbols.count / 4 * 3)
        var index = 0
        while index < symbols.count {
            let isLast = index + 4 == symbols.count
            var values: [UInt32] = []
            var padding = 0
            for offset in 0..<4 {
                let c = symbols[index + offset]
                if c == UInt8(ascii: "=") {
                    guard isLast, offset >= 2 else { return nil }
                    padding += 1
                    continue
                }
                guard padding == 0, let v = value(of: c) else { return nil }
                values.append(v)
            }
            if padding == 1, symbols[index + 2] == UInt8(ascii: "=") { return nil }
            var group: UInt32 = 0
            for v in values { group = group << 6 | v }
            group <<= UInt32(6 * padding)
            out.append(UInt8(truncatingIfNeeded: group >> 16))
            if padding < 2 { out.append(UInt8(truncatingIfNeeded: group >> 8)) }
            if padding < 1 { out.append(UInt8(truncatingIfNeeded: group)) }
            index += 4
        }
        return out
    }

    private static func value(of c: UInt8) -> UInt32? {
        switch c {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): return UInt32(c - UInt8(ascii: "A"))
        case UInt8(ascii: "a")...UInt8(ascii: "z"): return UInt32(c - UInt8(ascii: "a") + 26)
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return UInt32(c - UInt8(ascii: "0") + 52)
        case UInt8(ascii: "+"): return 62
        case UInt8(ascii: "/"): return 63
        default: return nil
        }
    }

    /// Encodes bytes with padding.
    public static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var i = 0
        while i < bytes.count {
            let rest = min(3, bytes.count - i)
            var n = UInt32(bytes[i]) << 16
            if rest > 1 { n |= UInt32(bytes[i + 1]) << 8 }
            if rest > 2 { n |= UInt32(bytes[i + 2]) }
            out.append(alphabet[Int((n >> 18) & 63)])
            out.append(alphabet[Int((n >> 12) & 63)])
            out.append(rest > 1 ? alphabet[Int((n >> 6) & 63)] : UInt8(ascii: "="))
            out.append(rest > 2 ? alphabet[Int(n & 63)] : UInt8(ascii: "="))
            i += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
