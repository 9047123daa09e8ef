/// A pull reader over JSON bytes, for decoders that keep a small digest of a large document
/// instead of its tree: a 100-endpoint EndpointSlice read for the few facts a rollout needs costs
/// a pass over its bytes and a handful of values, not hundreds of objects built and freed.
///
/// Every value is still checked to be valid JSON as it is read or passed over; a value of another
/// type than the one asked for is passed over and reads as absent.
public struct JSONScanner {
    var parser: JSONByteParser
    private var depth: Int
    /// Set by `leaveRest`: every enclosing `members` and `elements` returns at once.
    private var left = false
    /// True when the scanner reads a whole document (its value is the document's root).
    private let readsDocument: Bool

    init(parser: JSONByteParser, depth: Int) {
        self.parser = parser
        self.depth = depth
        readsDocument = depth == 0
    }

    /// Calls `body` with each member's key of the object at hand; `body` reads the member's value
    /// with this scanner or leaves it, and a value it leaves is passed over. Not an object: passed
    /// over, no call.
    public mutating func members(_ body: (inout JSONScanner, JSONKey) throws(JSONParseError) -> Void) throws(JSONParseError) {
        guard try enter(UInt8(ascii: "{")) else { return }
        depth += 1
        defer { depth -= 1 }
        if parser.pos < parser.buf.count && parser.buf[parser.pos] == UInt8(ascii: "}") { parser.pos += 1; return }
        while true {
            parser.skipWhitespace()
            guard parser.pos < parser.buf.count, parser.buf[parser.pos] == UInt8(ascii: "\"") else {
                throw parser.error("expected a string key")
            }
            let keyStart = parser.pos + 1
            try parser.skipString()
            let key = JSONKey(bytes: UnsafeBufferPointer(rebasing: parser.buf[keyStart..<(parser.pos - 1)]))
            parser.skipWhitespace()
            guard parser.pos < parser.buf.count, parser.buf[parser.pos] == UInt8(ascii: ":") else {
                throw parser.error("expected ':' after key")
            }
            parser.pos += 1
            parser.skipWhitespace()
            let start = parser.pos
            try body(&self, key)
            if left { return }
            if parser.pos == start { try parser.skipValue(depth: depth) }
            if try parser.nextMember(.object) { continue } else { return }
        }
    }

    /// Calls `body` for each element of the array at hand (what `body` leaves of an element is passed
    /// over). Not an array: passed over, no call.
    public mutating func elements(_ body: (inout JSONScanner) throws(JSONParseError) -> Void) throws(JSONParseError) {
        guard try enter(UInt8(ascii: "[")) else { return }
        depth += 1
        defer { depth -= 1 }
        if parser.pos < parser.buf.count && parser.buf[parser.pos] == UInt8(ascii: "]") { parser.pos += 1; return }
        while true {
            parser.skipWhitespace()
            let start = parser.pos
            try body(&self)
            if left { return }
            if parser.pos == start { try parser.skipValue(depth: depth) }
            if try parser.nextMember(.array) { continue } else { return }
        }
    }
    /// The string at hand; any other value is passed over and gives nil.
    public mutating func string() throws(JSONParseError) -> String? {
        guard parser.pos < parser.buf.count, parser.buf[parser.pos] == UInt8(ascii: "\"") else {
            try skip()
            return nil
        }
        return try parser.parseString()
    }

    /// The boolean at hand; any other value is passed over and gives nil.
    public mutating func bool() throws(JSONParseError) -> Bool? {
        guard parser.pos < parser.buf.count else { throw parser.error("unexpected end of input") }
        switch parser.buf[parser.pos] {
        case UInt8(ascii: "t"): try parser.expectLiteral("true"); return true
        case UInt8(ascii: "f"): try parser.expectLiteral("false"); return false
        default: try skip(); return nil
        }
    }

    /// The value at hand, built whole but for what `projection` drops.
    public mutating func value(keeping projection: JSONProjection? = nil) throws(JSONParseError) -> JSONValue {
        try parser.parseValue(depth: depth, projection: projection)
    }

    /// Passes over the value at hand, checking it.
    public mutating func skip() throws(JSONParseError) { try parser.skipValue(depth: depth) }

    /// Ends the reading of a whole document here: the rest of it is neither read nor checked, and
    /// the enclosing `members` and `elements` return at once. For a digest of a trusted answer
    /// whose first members are all it needs (a written pod's metadata, before its spec and status).
    /// Does nothing in a digest of a value inside a document: that is read on to its end as always.
    public mutating func leaveRest() {
        guard readsDocument else { return }
        left = true
        parser.pos = parser.buf.count
    }

    /// What `read` makes of the object or array at hand, from the stream's subtree cache when `read`
    /// (named by `reader`, a projection standing for it) read the same bytes before; `read` must make
    /// the same value of the same bytes. Without a cache, or for another kind of value, `read` reads it.
    /// Looked up by its first bytes (`JSONSubtreeCache.key(prefix:available:projection:)`): for values
    /// told apart early, as an endpoint by its address.
    public mutating func remembered(as reader: JSONProjection, _ read: (inout JSONScanner) throws(JSONParseError) -> JSONValue)
        throws(JSONParseError) -> JSONValue {
        let start = parser.pos
        let buf = parser.buf
        guard parser.subtrees.isEnabled, start < buf.count, buf[start] | 0x20 == UInt8(ascii: "{") else { return try read(&self) }  // { or [
        let key = JSONSubtreeCache.key(prefix: buf.baseAddress! + start, available: buf.count - start, projection: reader)
        if let (kept, length) = parser.subtrees.value(key: key, at: buf.baseAddress! + start, available: buf.count - start, projection: reader) {
            parser.pos += length
            return kept
        }
        let value = try read(&self)
        if parser.pos > start {
            parser.subtrees.keep(value, key: key, bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buf[start..<parser.pos])), projection: reader)
        }
        return value
    }

    /// Steps into the container opening with `open` (true), or passes over a value of another kind.
    private mutating func enter(_ open: UInt8) throws(JSONParseError) -> Bool {
        guard depth < JSONByteParser.maxDepth else { throw parser.error("nesting too deep") }
        guard parser.pos < parser.buf.count else { throw parser.error("unexpected end of input") }
        guard parser.buf[parser.pos] == open else {
            try skip()
            return false
        }
        parser.pos += 1
        parser.skipWhitespace()
        return true
    }
}

/// A member's key as the bytes between its quotes, compared with the names a digest knows without
/// building a `String` (`case "metadata":` in a `switch` over it).
public struct JSONKey {
    let bytes: UnsafeBufferPointer<UInt8>

    /// The key as text (escapes decoded).
    public var string: String {
        guard bytes.contains(UInt8(ascii: "\\")) else { return String(decoding: bytes, as: UTF8.self) }
        var quoted = [UInt8(ascii: "\"")]
        quoted.append(contentsOf: bytes)
        quoted.append(UInt8(ascii: "\""))
        return (try? JSONValue(parsing: quoted))?.string ?? String(decoding: bytes, as: UTF8.self)
    }

    /// True when the key is `name`.
    public static func == (key: JSONKey, name: StaticString) -> Bool {
        let n = name.utf8CodeUnitCount
        if key.bytes.count == n {
            let p = name.utf8Start
            var i = 0
            while i < n, key.bytes[i] == p[i] { i += 1 }
            if i == n { return true }
        }
        guard key.bytes.contains(UInt8(ascii: "\\")) else { return false }
        return key.string == name.description
    }

    /// Matches a key against a name in a `switch`.
    public static func ~= (name: StaticString, key: JSONKey) -> Bool { key == name }
}
