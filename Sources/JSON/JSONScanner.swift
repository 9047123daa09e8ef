#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

    /// What `read` makes of each element of the array at hand, as `elements` would call it, for an
    /// array that each version of a document (named by `identity`) repeats all but a few elements
    /// of (a slice's endpoints). The elements read last time under `identity` and `reader` are
    /// taken again while this version's bytes begin as that one's did; after that, each element
    /// whose bytes are those of a kept element near the same place (`resyncReach`: elements added or
    /// removed move the rest) is taken again, and the rest of the array at once when its bytes are
    /// all the kept version's from there on; the others are read. Bytes equal to ones checked
    /// before need no checking (what follows a taken element is checked: a number's digits do not
    /// go on); the elements read are checked as always. Without a cache, an identity or a kept
    /// version, every element is read.
    public mutating func elements(remembering reader: JSONProjection, identity: String,
                                  _ read: (inout JSONScanner) throws(JSONParseError) -> JSONValue) throws(JSONParseError) -> [JSONValue] {
        let start = parser.pos
        guard parser.subtrees.isEnabled, !identity.isEmpty, depth + 1 < JSONByteParser.maxDepth, start < parser.buf.count,
              parser.buf[start] == UInt8(ascii: "[") else {
            return try readElements(read).values
        }
        var name = identity
        let hash = name.withUTF8 { JSONByteHash.of(UnsafeRawPointer($0.baseAddress!), count: $0.count) }
        let key = JSONSubtreeCache.key(identity: hash | 1, projection: reader)
        var result: (values: [JSONValue], spans: [Int32])
        if let (old, kept, spans) = parser.subtrees.latest(key: key, projection: reader),
           let reused = try reusing(old, kept, spans, start: start, read) {
            guard let changed = reused else { return kept.array ?? [] }
            result = changed
        } else {
            parser.pos = start
            result = try readElements(read)
        }
        let bytes = UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: parser.buf[start..<parser.pos]))
        parser.subtrees.keep(.array(result.values), key: key, bytes: bytes, projection: reader,
                             largest: Self.largestRememberedArray, spans: result.spans)
        return result.values
    }

    /// The largest array `elements(remembering:identity:_:)` keeps (a full slice is about 30 kB).
    static let largestRememberedArray = 1 << 20

    /// How far from where it would be, had no element been added or removed, a kept element is
    /// looked for whose bytes are the element at hand.
    static let resyncReach = 2

    /// Every element of the array at hand as `read` makes it, with where each starts and ends
    /// (offsets from the array's `[`, two per element).
    private mutating func readElements(_ read: (inout JSONScanner) throws(JSONParseError) -> JSONValue)
        throws(JSONParseError) -> (values: [JSONValue], spans: [Int32]) {
        let origin = parser.pos
        var values: [JSONValue] = []
        var spans: [Int32] = []
        try elements { s throws(JSONParseError) in
            let from = s.parser.pos
            let value = try read(&s)
            if s.parser.pos == from { try s.skip() }
            values.append(value)
            spans.append(Int32(truncatingIfNeeded: from - origin))
            spans.append(Int32(truncatingIfNeeded: s.parser.pos - origin))
        }
        return (values, spans)
    }

    /// The array at `start` read against the version `old` read as `kept`, whose elements span
    /// `spans` (see `elements(remembering:identity:_:)`): `.some(nil)` when its bytes are `old`'s,
    /// else its elements and their spans. nil when the versions do not line up or the bytes are not
    /// an array as expected: the caller then reads it all (and finds any fault).
    private mutating func reusing(_ old: [UInt8], _ kept: JSONValue, _ spans: [Int32], start: Int,
                                  _ read: (inout JSONScanner) throws(JSONParseError) -> JSONValue)
        throws(JSONParseError) -> (values: [JSONValue], spans: [Int32])?? {
        guard case .array(let values) = kept, spans.count == 2 * values.count else { return nil }
        func from(_ i: Int) -> Int { Int(spans[2 * i]) }
        func to(_ i: Int) -> Int { Int(spans[2 * i + 1]) }
        let buf = UnsafeRawBufferPointer(parser.buf)
        let head = old.withUnsafeBytes { Self.sharedHead($0, UnsafeRawBufferPointer(rebasing: buf[start...])) }
        if head == old.count {
            parser.pos = start + old.count
            return .some(nil)
        }
        let count = values.count
        var before = 0
        while before < count && to(before) <= head { before += 1 }
        var result: [JSONValue] = []
        result.reserveCapacity(values.count + 1)
        result.append(contentsOf: values[0..<before])
        var newSpans: [Int32] = []
        newSpans.reserveCapacity(2 * values.count + 2)
        newSpans.append(contentsOf: spans[0..<(2 * before)])
        depth += 1
        defer { depth -= 1 }
        parser.pos = start + (before > 0 ? to(before - 1) : 1)
        var expectingComma = before > 0
        // The kept element expected here, and whether the rest may be the kept version's from it on
        // (looked at again only after an element was read: a few times when a few elements changed).
        var next = before
        var restMayMatch = true
        while true {
            parser.skipWhitespace()
            guard parser.pos < buf.count else { return nil }
            let c = buf[parser.pos]
            if c == UInt8(ascii: "]") && (expectingComma || result.isEmpty) {
                parser.pos += 1
                break
            }
            if expectingComma {
                guard c == UInt8(ascii: ",") else { return nil }
                parser.pos += 1
                parser.skipWhitespace()
            }
            expectingComma = true
            let here = parser.pos
            if let k = Self.keptElement(at: here, of: buf, near: next, in: old, from: from, to: to, count: count) {
                let length = to(k) - from(k)
                if restMayMatch {
                    restMayMatch = false
                    let rest = old.count - to(k)
                    if here + length + rest <= buf.count,
                       old.withUnsafeBytes({ memcmp($0.baseAddress! + to(k), buf.baseAddress! + here + length, rest) == 0 }) {
                        let shift = Int32(truncatingIfNeeded: here - start - from(k))
                        result.append(contentsOf: values[k...])
                        newSpans.reserveCapacity(2 * result.count)
                        for i in (2 * k)..<(2 * count) { newSpans.append(spans[i] &+ shift) }
                        parser.pos = here + length + rest
                        return .some((result, newSpans))
                    }
                }
                result.append(values[k])
                newSpans.append(Int32(truncatingIfNeeded: here - start))
                newSpans.append(Int32(truncatingIfNeeded: here - start + length))
                parser.pos = here + length
                next = k + 1
                continue
            }
            let value = try read(&self)
            if parser.pos == here { try skip() }
            result.append(value)
            newSpans.append(Int32(truncatingIfNeeded: here - start))
            newSpans.append(Int32(truncatingIfNeeded: parser.pos - start))
            next += 1
            restMayMatch = true
        }
        return .some((result, newSpans))
    }

    /// The kept element, within `resyncReach` of `near`, whose bytes are those at `here`.
    private static func keptElement(at here: Int, of buf: UnsafeRawBufferPointer, near: Int, in old: [UInt8],
                                    from: (Int) -> Int, to: (Int) -> Int, count: Int) -> Int? {
        let nearest = max(0, near - resyncReach), farthest = min(count - 1, near + resyncReach)
        guard nearest <= farthest else { return nil }
        return old.withUnsafeBytes { kept in
            for k in nearest...farthest {
                let length = to(k) - from(k)
                if length > 0, here + length <= buf.count, memcmp(kept.baseAddress! + from(k), buf.baseAddress! + here, length) == 0 {
                    return k
                }
            }
            return nil
        }
    }

    /// How many bytes `a` and `b` have alike at their start.
    static func sharedHead(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Int {
        let n = min(a.count, b.count)
        guard n > 0 else { return 0 }
        var head = 0
        let block = 256
        while head + block <= n && memcmp(a.baseAddress! + head, b.baseAddress! + head, block) == 0 { head += block }
        while head + 8 <= n && a.loadUnaligned(fromByteOffset: head, as: UInt64.self) == b.loadUnaligned(fromByteOffset: head, as: UInt64.self) {
            head += 8
        }
        while head < n && a[head] == b[head] { head += 1 }
        return head
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
