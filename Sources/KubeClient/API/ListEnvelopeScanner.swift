import JSON

/// Reads the `metadata` of a List response without parsing its items, so raw pages can be
/// decoded by the caller into compact structs.
enum ListEnvelopeScanner {
    /// The top-level `metadata` object (nil when absent); throws when the body is not a JSON object.
    static func metadata(of bytes: [UInt8]) throws(KubeAPIError) -> JSONValue? {
        let result = bytes.withUnsafeBufferPointer { buf in
            Result { () throws(KubeAPIError) -> JSONValue? in try scan(buf) }
        }
        return try result.get()
    }

    private static func scan(_ b: UnsafeBufferPointer<UInt8>) throws(KubeAPIError) -> JSONValue? {
        var i = 0
        func fail(_ why: String) -> KubeAPIError { .invalidResponse("list response: \(why) at byte \(i)") }
        func skipWS() { while i < b.count, b[i] == 0x20 || b[i] == 0x0A || b[i] == 0x0D || b[i] == 0x09 { i += 1 } }
        func skipString() throws(KubeAPIError) {
            i += 1
            // Eight bytes at a time while none is a quote or a backslash (the "has a zero byte" test on
            // each; a false alarm only sends it to the byte loop), as the JSON parser's strings.
            if let base = b.baseAddress {
                let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
                while i + 8 <= b.count {
                    let w = UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self)
                    let quote = w ^ 0x2222_2222_2222_2222, slash = w ^ 0x5C5C_5C5C_5C5C_5C5C
                    if (((quote &- ones) & ~quote) | ((slash &- ones) & ~slash)) & highs != 0 { break }
                    i += 8
                }
            }
            while i < b.count {
                if b[i] == UInt8(ascii: "\\") { i += 2; continue }
                if b[i] == UInt8(ascii: "\"") { i += 1; return }
                i += 1
            }
            throw fail("unterminated string")
        }
        func skipValue() throws(KubeAPIError) {
            guard i < b.count else { throw fail("missing value") }
            switch b[i] {
            case UInt8(ascii: "\""):
                try skipString()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while i < b.count {
                    let c = b[i]
                    if c == UInt8(ascii: "\"") { try skipString(); continue }
                    if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") { depth += 1 }
                    if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                        depth -= 1
                        if depth == 0 { i += 1; return }
                    }
                    i += 1
                }
                throw fail("unterminated value")
            default:
                while i < b.count, ![UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09].contains(b[i]) {
                    i += 1
                }
            }
        }
        skipWS()
        guard i < b.count, b[i] == UInt8(ascii: "{") else { throw fail("expected an object") }
        i += 1
        var metadata: JSONValue? = nil
        while true {
            skipWS()
            guard i < b.count else { throw fail("unterminated object") }
            if b[i] == UInt8(ascii: "}") { return metadata }
            guard b[i] == UInt8(ascii: "\"") else { throw fail("expected a key") }
            let keyStart = i + 1
            try skipString()
            let key = String(decoding: UnsafeBufferPointer(rebasing: b[keyStart..<(i - 1)]), as: UTF8.self)
            skipWS()
            guard i < b.count, b[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            i += 1
            skipWS()
            let valueStart = i
            try skipValue()
            if key == "metadata" {
                do {
                    metadata = try JSONValue(parsingUTF8: UnsafeBufferPointer(rebasing: b[valueStart..<i]))
                } catch {
                    throw .invalidResponse("list metadata is not valid JSON: \(error)")
                }
            }
            skipWS()
            if i < b.count, b[i] == UInt8(ascii: ",") { i += 1 }
        }
    }
}
