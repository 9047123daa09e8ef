import JSON

/// What a List response holds besides its items: its kind, apiVersion and `metadata`, and where
/// its `items` array starts.
struct ListEnvelope {
    var kind: String?
    var apiVersion: JSONValue?
    var metadata: JSONValue?
    /// The offset of the `[` of `items`; nil when there are no items.
    var itemsStart: Int?
}

/// Reads the envelope of a List response without parsing its items, so raw pages can be decoded
/// by the caller into compact structs, or item by item.
enum ListEnvelopeScanner {
    /// The top-level `metadata` object (nil when absent); throws when the body is not a JSON object.
    static func metadata(of bytes: [UInt8]) throws(KubeAPIError) -> JSONValue? {
        try envelope(of: bytes).metadata
    }

    /// The envelope of a List response (no items when `items` is not a list); throws when the body
    /// is not a JSON object. Reading stops at `items` once kind, apiVersion and metadata were read
    /// (the API server writes them first), so the items are passed over only by their reader.
    static func envelope(of bytes: [UInt8]) throws(KubeAPIError) -> ListEnvelope {
        let result = bytes.withUnsafeBufferPointer { buf in
            Result { () throws(KubeAPIError) -> ListEnvelope in try scan(buf) }
        }
        return try result.get()
    }

    private static func scan(_ b: UnsafeBufferPointer<UInt8>) throws(KubeAPIError) -> ListEnvelope {
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
        var envelope = ListEnvelope()
        var keyRange = 0..<0
        var seen: Set<String> = []
        func parse(_ range: Range<Int>) throws(KubeAPIError) -> JSONValue {
            do {
                return try JSONValue(parsingUTF8: UnsafeBufferPointer(rebasing: b[range]))
            } catch {
                throw .invalidResponse("list \(String(decoding: UnsafeBufferPointer(rebasing: b[keyRange]), as: UTF8.self)) is not valid JSON: \(error)")
            }
        }
        while true {
            skipWS()
            guard i < b.count else { throw fail("unterminated object") }
            if b[i] == UInt8(ascii: "}") { return envelope }
            guard b[i] == UInt8(ascii: "\"") else { throw fail("expected a key") }
            let keyStart = i + 1
            try skipString()
            keyRange = keyStart..<(i - 1)
            let key = String(decoding: UnsafeBufferPointer(rebasing: b[keyRange]), as: UTF8.self)
            seen.insert(key)
            skipWS()
            guard i < b.count, b[i] == UInt8(ascii: ":") else { throw fail("expected ':'") }
            i += 1
            skipWS()
            if key == "items", i < b.count, b[i] == UInt8(ascii: "[") {
                envelope.itemsStart = i
                if seen.isSuperset(of: ["kind", "apiVersion", "metadata"]) { return envelope }
                try skipValue()
            } else {
                let valueStart = i
                try skipValue()
                switch key {
                case "metadata": envelope.metadata = try parse(valueStart..<i)
                case "kind": envelope.kind = try parse(valueStart..<i).string
                case "apiVersion": envelope.apiVersion = try parse(valueStart..<i)
                case "items": envelope.itemsStart = nil
                default: break
                }
            }
            skipWS()
            if i < b.count, b[i] == UInt8(ascii: ",") { i += 1 }
        }
    }
}
