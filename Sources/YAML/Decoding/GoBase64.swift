/// Go's `base64.StdEncoding.DecodeString`, which go-yaml uses for `!!binary` scalars: standard
/// alphabet, padding required, line breaks (`\r`, `\n`) ignored, anything else rejected.
enum GoBase64 {
    /// The decoded bytes, or nil when the text is not valid base64.
    static func decode(_ text: [UInt8]) -> [UInt8]? {
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
}
