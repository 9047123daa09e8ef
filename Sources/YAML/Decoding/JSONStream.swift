/// kubectl reads a stream whose first non-space character is `{` as a sequence of JSON values
/// (apimachinery's YAMLOrJSONDecoder), not as YAML; this finds where each value lies.
enum JSONStream {
    /// True when kubectl would decode `bytes` as JSON.
    static func looksLikeJSON(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var i = skipBOM(bytes)
        while i < bytes.count, isSpace(bytes[i]) { i += 1 }
        return i < bytes.count && bytes[i] == UInt8(ascii: "{")
    }

    /// The byte ranges of the top-level values, in order. Unbalanced or non-JSON text runs to the end.
    static func valueRanges(_ bytes: UnsafeBufferPointer<UInt8>) -> [Range<Int>] {
        var ranges: [Range<Int>] = []
        var i = skipBOM(bytes)
        let n = bytes.count
        while true {
            while i < n, isSpace(bytes[i]) { i += 1 }
            guard i < n else { return ranges }
            let start = i
            switch bytes[i] {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                var inString = false
                scan: while i < n {
                    let c = bytes[i]
                    if inString {
                        if c == UInt8(ascii: "\\") { i += 2; continue }
                        if c == UInt8(ascii: "\"") { inString = false }
                    } else if c == UInt8(ascii: "\"") {
                        inString = true
                    } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                        depth += 1
                    } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                        depth -= 1
                        if depth == 0 { i += 1; break scan }
                    }
                    i += 1
                }
            case UInt8(ascii: "\""):
                i += 1
                while i < n, bytes[i] != UInt8(ascii: "\"") { i += bytes[i] == UInt8(ascii: "\\") ? 2 : 1 }
                i += 1
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "t"), UInt8(ascii: "f"), UInt8(ascii: "n"):
                while i < n, !isSpace(bytes[i]), bytes[i] != UInt8(ascii: "{"), bytes[i] != UInt8(ascii: "[") { i += 1 }
            default:
                i = n
            }
            ranges.append(start..<min(i, n))
            i = min(i, n)
        }
    }

    private static func skipBOM(_ bytes: UnsafeBufferPointer<UInt8>) -> Int {
        bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF ? 3 : 0
    }

    private static func isSpace(_ c: UInt8) -> Bool {
        c == UInt8(ascii: " ") || c == UInt8(ascii: "\t") || c == UInt8(ascii: "\n") || c == UInt8(ascii: "\r")
    }
}
