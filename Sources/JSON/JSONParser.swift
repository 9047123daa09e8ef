/// Errors from parsing JSON text, with the byte offset, line and column where parsing stopped.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    public var message: String
    /// 1-based line of the offending byte.
    public var line: Int
    /// 1-based column (in bytes) of the offending byte.
    public var column: Int
    /// 0-based byte offset.
    public var offset: Int

    public var description: String { "line \(line), column \(column): \(message)" }
}

extension JSONValue {
    /// Parses one JSON document from UTF-8 text (surrounding whitespace allowed).
    public init(parsing text: String) throws(JSONParseError) {
        var copy = text
        let result = copy.withUTF8 { buf in
            Result { () throws(JSONParseError) in try JSONValue(parsingUTF8: buf) }
        }
        self = try result.get()
    }

    /// Parses one JSON document from UTF-8 bytes.
    public init(parsing bytes: [UInt8]) throws(JSONParseError) {
        let result = bytes.withUnsafeBufferPointer { buf in
            Result { () throws(JSONParseError) in try JSONValue(parsingUTF8: buf) }
        }
        self = try result.get()
    }

    /// Parses one JSON document from a buffer of UTF-8 bytes.
    public init(parsingUTF8 buf: UnsafeBufferPointer<UInt8>) throws(JSONParseError) {
        try self.init(parsingUTF8: buf, projection: nil)
    }

    /// Parses one JSON document from a buffer of UTF-8 bytes, keeping only what `projection` keeps
    /// (the members it drops are still checked to be valid JSON, but never built).
    public init(parsingUTF8 buf: UnsafeBufferPointer<UInt8>, projection: JSONProjection?) throws(JSONParseError) {
        var p = JSONByteParser(buf)
        p.skipWhitespace()
        let v = try p.parseValue(depth: 0, projection: projection)
        p.skipWhitespace()
        if p.pos < buf.count { throw p.error("unexpected content after the JSON value") }
        self = v
    }

    /// Parses one JSON document from a buffer of UTF-8 bytes, keeping only what `projection` keeps
    /// and taking repeated strings from `strings` (kept across the documents of one stream).
    public init(parsingUTF8 buf: UnsafeBufferPointer<UInt8>, projection: JSONProjection?,
                strings: inout JSONStringCache) throws(JSONParseError) {
        var p = JSONByteParser(buf)
        swap(&p.strings, &strings)
        defer { swap(&p.strings, &strings) }
        p.skipWhitespace()
        let v = try p.parseValue(depth: 0, projection: projection)
        p.skipWhitespace()
        if p.pos < buf.count { throw p.error("unexpected content after the JSON value") }
        self = v
    }

    /// Parses one JSON document from a buffer of UTF-8 bytes, keeping only what `projection` keeps,
    /// taking repeated strings from `strings` and repeated objects and arrays from `subtrees` (both
    /// kept across the documents of one stream).
    public init(parsingUTF8 buf: UnsafeBufferPointer<UInt8>, projection: JSONProjection?,
                strings: inout JSONStringCache, subtrees: inout JSONSubtreeCache) throws(JSONParseError) {
        var p = JSONByteParser(buf)
        swap(&p.strings, &strings)
        swap(&p.subtrees, &subtrees)
        defer {
            swap(&p.strings, &strings)
            swap(&p.subtrees, &subtrees)
        }
        p.skipWhitespace()
        let v = try p.parseValue(depth: 0, projection: projection)
        p.skipWhitespace()
        if p.pos < buf.count { throw p.error("unexpected content after the JSON value") }
        self = v
    }

    /// Parses one JSON document from UTF-8 bytes, keeping only what `projection` keeps.
    public init(parsing bytes: [UInt8], projection: JSONProjection?) throws(JSONParseError) {
        let result = bytes.withUnsafeBufferPointer { buf in
            Result { () throws(JSONParseError) in try JSONValue(parsingUTF8: buf, projection: projection) }
        }
        self = try result.get()
    }
}

/// Reads the elements of a JSON array one at a time from UTF-8 bytes, so a caller can handle each
/// element and let it go before the next is built (the items of a list page).
public struct JSONArrayReader {
    private let buf: UnsafeBufferPointer<UInt8>
    private var pos: Int
    private var started = false
    private var finished = false

    /// A reader of the array whose `[` is at `offset` in `buf`.
    public init(_ buf: UnsafeBufferPointer<UInt8>, at offset: Int) {
        self.buf = buf
        pos = offset
    }

    /// The next element, keeping what `projection` keeps and taking repeated strings from
    /// `strings`; nil after the last. Throws when the array is not valid JSON up to its end.
    public mutating func next(projection: JSONProjection?, strings: inout JSONStringCache) throws(JSONParseError) -> JSONValue? {
        var subtrees = JSONSubtreeCache(capacity: 0)
        return try next(projection: projection, strings: &strings, subtrees: &subtrees)
    }

    /// The next element as `next(projection:strings:)` reads it, taking the members `projection`
    /// shares from `subtrees` when their bytes repeat (kept across the elements: the pods of one
    /// template repeat their probes, environment and tolerations).
    public mutating func next(projection: JSONProjection?, strings: inout JSONStringCache,
                              subtrees: inout JSONSubtreeCache) throws(JSONParseError) -> JSONValue? {
        guard !finished else { return nil }
        var p = JSONByteParser(buf)
        p.pos = pos
        swap(&p.strings, &strings)
        swap(&p.subtrees, &subtrees)
        defer {
            swap(&p.strings, &strings)
            swap(&p.subtrees, &subtrees)
            pos = p.pos
        }
        if !started {
            p.skipWhitespace()
            guard p.pos < buf.count, buf[p.pos] == UInt8(ascii: "[") else { throw p.error("expected an array") }
            p.pos += 1
            started = true
            p.skipWhitespace()
            if p.pos < buf.count, buf[p.pos] == UInt8(ascii: "]") {
                p.pos += 1
                finished = true
                return nil
            }
        }
        p.skipWhitespace()
        let value = try p.parseValue(depth: 1, projection: projection)
        finished = !(try p.nextMember(.array))
        return value
    }
}

/// A recursive-descent JSON parser over raw bytes (RFC 8259), fast enough for 10,000-pod lists.
struct JSONByteParser {
    let buf: UnsafeBufferPointer<UInt8>
    var pos = 0
    static let maxDepth = 512
    /// Members and elements of the objects and arrays being parsed, innermost last: each container
    /// is copied out once, at its exact size, instead of growing an array of its own.
    private let members = JSONScratchStack<JSONObject.Member>()
    private let items = JSONScratchStack<JSONValue>()
    /// Where long strings come from when the caller keeps a cache (none: a placeholder of one slot).
    var strings = JSONStringCache(capacity: 0)
    private var cachingStrings: Bool { strings.isEnabled }
    /// Where repeated objects and arrays come from when the caller keeps a cache (none: no slots).
    var subtrees = JSONSubtreeCache(capacity: 0)
    /// A hash of the document's identity once read (`JSONProjection.identifies`), 0 before: part of
    /// the subtree cache's keys, so the versions of one object's members meet there.
    var identity: UInt64 = 0

    init(_ buf: UnsafeBufferPointer<UInt8>) { self.buf = buf }

    func error(_ message: String) -> JSONParseError {
        var line = 1, col = 1
        var i = 0
        let end = min(pos, buf.count)
        while i < end {
            if buf[i] == 0x0A { line += 1; col = 1 } else { col += 1 }
            i += 1
        }
        return JSONParseError(message: message, line: line, column: col, offset: pos)
    }

    @inline(__always)
    mutating func skipWhitespace() {
        if pos < buf.count && buf[pos] > 0x20 { return }
        while pos < buf.count {
            switch buf[pos] {
            case 0x20, 0x0A, 0x0D, 0x09: pos += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int, projection: JSONProjection? = nil) throws(JSONParseError) -> JSONValue {
        guard depth < Self.maxDepth else { throw error("nesting too deep") }
        guard pos < buf.count else { throw error("unexpected end of input") }
        if let digest = projection?.digest, buf[pos] == UInt8(ascii: "{") { return try digested(by: digest, depth: depth) }
        switch buf[pos] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth, projection: projection)
        case UInt8(ascii: "["): return try parseArray(depth: depth, projection: projection)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character '\(Character(Unicode.Scalar(buf[pos])))'")
        }
    }

    /// The value at hand, when an object or array, from the subtree cache if the same bytes were built
    /// under the same projection before (then only compared), else built and kept there.
    private mutating func parseShared(depth: Int, projection: JSONProjection?) throws(JSONParseError) -> JSONValue {
        guard depth < Self.maxDepth, subtrees.isEnabled, pos < buf.count, buf[pos] | 0x20 == UInt8(ascii: "{") else {  // { or [
            return try parseValue(depth: depth, projection: projection)
        }
        let start = pos
        let key: UInt64
        if identity != 0 && projection?.sharesAcross != true {
            key = JSONSubtreeCache.key(identity: identity, projection: projection)
        } else {
            guard let end = containerEnd(from: start),
                  (JSONSubtreeCache.minimumBytes...JSONSubtreeCache.maximumBytes).contains(end - start) else {
                return try parseValue(depth: depth, projection: projection)
            }
            key = JSONSubtreeCache.key(content: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buf[start..<end])), projection: projection)
        }
        if let (kept, length) = subtrees.value(key: key, at: buf.baseAddress! + start, available: buf.count - start, projection: projection) {
            pos += length
            return kept
        }
        let value = buf[pos] == UInt8(ascii: "{") ? try parseObject(depth: depth, projection: projection)
            : try parseArray(depth: depth, projection: projection)
        subtrees.keep(value, key: key, bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buf[start..<pos])), projection: projection)
        return value
    }

    /// Where the object or array opening at `start` ends (past its closing bracket), found by
    /// counting brackets outside strings without checking anything else; nil when the input ends
    /// first. Enough to compare its bytes with a value checked before: equal bytes are that value.
    private func containerEnd(from start: Int) -> Int? {
        let bytes = UnsafeRawBufferPointer(buf)
        var i = start
        var depth = 0
        while i < bytes.count {
            let c = bytes[i]
            i += 1
            if c == UInt8(ascii: "\"") {
                // To the closing quote, stepping over escaped characters.
                while true {
                    i = JSONStringBytes.quoteOrBackslash(in: bytes, from: i)
                    guard i < bytes.count else { return nil }
                    let s = bytes[i]
                    i += s == UInt8(ascii: "\\") ? 2 : 1
                    if s == UInt8(ascii: "\"") { break }
                }
            } else if c | 0x20 == UInt8(ascii: "{") {  // { or [
                depth += 1
            } else if c | 0x20 == UInt8(ascii: "}") {  // } or ]
                depth -= 1
                if depth == 0 { return i }
            }
        }
        return nil
    }

    /// The value at hand as `digest` reads it, through a scanner over these same bytes.
    private mutating func digested(by digest: JSONProjection.Digest, depth: Int) throws(JSONParseError) -> JSONValue {
        var scanner = JSONScanner(parser: JSONByteParser(buf), depth: depth)
        swap(&scanner.parser, &self)
        defer { swap(&scanner.parser, &self) }
        return try digest(&scanner)
    }

    mutating func expectLiteral(_ word: StaticString) throws(JSONParseError) {
        let n = word.utf8CodeUnitCount
        guard pos + n <= buf.count else { throw error("unexpected end of input") }
        let w = word.utf8Start
        for i in 0..<n where buf[pos + i] != w[i] { throw error("invalid literal") }
        pos += n
    }

    mutating func parseObject(depth: Int, projection: JSONProjection?) throws(JSONParseError) -> JSONValue {
        pos += 1
        skipWhitespace()
        if pos < buf.count && buf[pos] == UInt8(ascii: "}") { pos += 1; return .object(JSONObject()) }
        let base = members.count
        defer { members.pop(to: base) }
        while true {
            skipWhitespace()
            guard pos < buf.count, buf[pos] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            var child: JSONProjection?
            let key: String
            if let projection, let plain = plainStringBytes() {
                // A projected object's key is looked up by its bytes: a named member's key is the
                // projection's own string, and a dropped member's is never built.
                if let named = projection.memberIndex(bytes: UnsafeRawBufferPointer(plain)) {
                    child = projection.projection(at: named)
                    key = projection.key(at: named)
                } else {
                    key = cachingStrings ? strings.string(plain) : String(decoding: plain, as: UTF8.self)
                }
            } else {
                key = try parseString()
                child = projection?.member(key)
            }
            skipWhitespace()
            guard pos < buf.count, buf[pos] == UInt8(ascii: ":") else { throw error("expected ':' after key") }
            pos += 1
            skipWhitespace()
            if child?.drops == true {
                try skipValue(depth: depth + 1)
                if try nextMember(.object) { continue } else { break }
            }
            let valueStart = pos
            let value = child?.shares == true
                ? try parseShared(depth: depth + 1, projection: child) : try parseValue(depth: depth + 1, projection: child)
            if child?.identifies == true { identity = JSONByteHash.of(buf.baseAddress! + valueStart, count: pos - valueStart) }
            if let i = memberIndex(key, from: base) {
                members[i].value = value  // Last one wins, as Go's encoding/json.
            } else {
                members.push(JSONObject.Member(key: key, value: value))
            }
            if try nextMember(.object) { continue } else { break }
        }
        return .object(JSONObject(uncheckedMembers: members.take(from: base)))
    }

    /// The position of the member `key` among the current object's (from `base`): keys of another
    /// length need no comparison.
    private func memberIndex(_ key: String, from base: Int) -> Int? {
        let length = key.utf8.count
        var i = base
        while i < members.count {
            if members[i].key.utf8.count == length && members[i].key == key { return i }
            i += 1
        }
        return nil
    }

    /// The container a member or element belongs to, and how it closes.
    enum Container {
        case object, array
        var closing: UInt8 { self == .object ? UInt8(ascii: "}") : UInt8(ascii: "]") }
        var name: String { self == .object ? "object" : "array" }
    }

    /// Reads the `,` (true: another member or element follows) or the closing bracket (false).
    @inline(__always)
    mutating func nextMember(_ container: Container) throws(JSONParseError) -> Bool {
        skipWhitespace()
        guard pos < buf.count else { throw error("unexpected end of input in \(container.name)") }
        if buf[pos] == UInt8(ascii: ",") { pos += 1; return true }
        if buf[pos] == container.closing { pos += 1; return false }
        throw error("expected ',' or '\(Character(Unicode.Scalar(container.closing)))' in \(container.name)")
    }

    mutating func parseArray(depth: Int, projection: JSONProjection?) throws(JSONParseError) -> JSONValue {
        pos += 1
        skipWhitespace()
        if pos < buf.count && buf[pos] == UInt8(ascii: "]") { pos += 1; return .array([]) }
        let base = items.count
        defer { items.pop(to: base) }
        while true {
            skipWhitespace()
            let value = try parseValue(depth: depth + 1, projection: projection)
            items.push(value)
            if try nextMember(.array) { continue } else { break }
        }
        return .array(items.take(from: base))
    }

    /// Passes over one value, checking it is valid JSON, without building it.
    mutating func skipValue(depth: Int) throws(JSONParseError) {
        guard depth < Self.maxDepth else { throw error("nesting too deep") }
        guard pos < buf.count else { throw error("unexpected end of input") }
        switch buf[pos] {
        case UInt8(ascii: "{"):
            pos += 1
            skipWhitespace()
            if pos < buf.count && buf[pos] == UInt8(ascii: "}") { pos += 1; return }
            while true {
                skipWhitespace()
                guard pos < buf.count, buf[pos] == UInt8(ascii: "\"") else { throw error("expected a string key") }
                try skipString()
                skipWhitespace()
                guard pos < buf.count, buf[pos] == UInt8(ascii: ":") else { throw error("expected ':' after key") }
                pos += 1
                skipWhitespace()
                try skipValue(depth: depth + 1)
                if try nextMember(.object) { continue } else { return }
            }
        case UInt8(ascii: "["):
            pos += 1
            skipWhitespace()
            if pos < buf.count && buf[pos] == UInt8(ascii: "]") { pos += 1; return }
            while true {
                skipWhitespace()
                try skipValue(depth: depth + 1)
                if try nextMember(.array) { continue } else { return }
            }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try expectLiteral("true")
        case UInt8(ascii: "f"): try expectLiteral("false")
        case UInt8(ascii: "n"): try expectLiteral("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): _ = try parseNumber()
        default: throw error("unexpected character '\(Character(Unicode.Scalar(buf[pos])))'")
        }
    }

    /// Moves past string bytes that need no attention, eight at a time, up to the first quote,
    /// backslash or control byte (the "has a zero byte" test applied to each: its lowest flag is
    /// exact, so the first special byte's place is the lowest flag's), or to the last few bytes.
    @inline(__always)
    private mutating func skipPlainBytes() {
        let base = buf.baseAddress!
        while pos + 8 <= buf.count {
            let w = UnsafeRawPointer(base + pos).loadUnaligned(as: UInt64.self).littleEndian
            let quote = w ^ 0x2222_2222_2222_2222, slash = w ^ 0x5C5C_5C5C_5C5C_5C5C
            let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
            let special = (((quote &- ones) & ~quote) | ((slash &- ones) & ~slash) | ((w &- 0x2020_2020_2020_2020) & ~w)) & highs
            if special != 0 {
                pos += special.trailingZeroBitCount >> 3
                return
            }
            pos += 8
        }
    }

    /// The bytes of the string at hand, moving past it, when it holds no escape or control byte;
    /// nil (not moved) otherwise, for `parseString` to read it.
    mutating func plainStringBytes() -> UnsafeBufferPointer<UInt8>? {
        let start = pos
        pos += 1
        skipPlainBytes()
        while pos < buf.count {
            let c = buf[pos]
            if c == UInt8(ascii: "\"") {
                pos += 1
                return UnsafeBufferPointer(rebasing: buf[(start + 1)..<(pos - 1)])
            }
            if c == UInt8(ascii: "\\") || c < 0x20 { break }
            pos += 1
        }
        pos = start
        return nil
    }

    /// Passes over a string (escapes checked as `parseString` checks them) without building it.
    @inline(__always)
    mutating func skipString() throws(JSONParseError) {
        pos += 1
        while true {
            skipPlainBytes()
            guard pos < buf.count else { throw error("unterminated string") }
            let c = buf[pos]
            if c == UInt8(ascii: "\"") { pos += 1; return }
            if c < 0x20 { throw error("control character in string") }
            pos += 1
            guard c == UInt8(ascii: "\\") else { continue }
            guard pos < buf.count else { throw error("unterminated string") }
            let e = buf[pos]
            pos += 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                 UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"): continue
            case UInt8(ascii: "u"): _ = try parseHex4()
            default: throw error("invalid escape sequence")
            }
        }
    }

    mutating func parseString() throws(JSONParseError) -> String {
        pos += 1
        let start = pos
        skipPlainBytes()
        while pos < buf.count {
            let c = buf[pos]
            if c == UInt8(ascii: "\"") {
                let text = UnsafeBufferPointer(rebasing: buf[start..<pos])
                pos += 1
                return cachingStrings ? strings.string(text) : String(decoding: text, as: UTF8.self)
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw error("control character in string") }
            pos += 1
        }
        var bytes = [UInt8](UnsafeBufferPointer(rebasing: buf[start..<pos]))
        bytes.reserveCapacity(2 * bytes.count + 16)
        while pos < buf.count {
            let run = pos
            skipPlainBytes()
            while pos < buf.count, buf[pos] >= 0x20, buf[pos] != UInt8(ascii: "\""), buf[pos] != UInt8(ascii: "\\") { pos += 1 }
            if pos > run { bytes.append(contentsOf: UnsafeBufferPointer(rebasing: buf[run..<pos])) }
            guard pos < buf.count else { break }
            let c = buf[pos]
            if c == UInt8(ascii: "\"") {
                pos += 1
                return String(decoding: bytes, as: UTF8.self)
            }
            if c < 0x20 { throw error("control character in string") }
            pos += 1
            guard pos < buf.count else { break }
            let e = buf[pos]
            pos += 1
            switch e {
            case UInt8(ascii: "\""): bytes.append(0x22)
            case UInt8(ascii: "\\"): bytes.append(0x5C)
            case UInt8(ascii: "/"): bytes.append(0x2F)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try parseHex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    if pos + 1 < buf.count, buf[pos] == UInt8(ascii: "\\"), buf[pos + 1] == UInt8(ascii: "u") {
                        pos += 2
                        let low = try parseHex4()
                        if (0xDC00..<0xE000).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            scalar = 0xFFFD
                        }
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00..<0xE000).contains(scalar) {
                    scalar = 0xFFFD
                }
                let u = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                bytes.append(contentsOf: Array(String(Character(u)).utf8))
            default:
                throw error("invalid escape sequence")
            }
        }
        throw error("unterminated string")
    }

    mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        guard pos + 4 <= buf.count else { throw error("truncated \\u escape") }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let c = buf[pos]
            let d: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): d = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): d = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): d = UInt32(c - UInt8(ascii: "A") + 10)
            default: throw error("invalid \\u escape")
            }
            v = v << 4 | d
            pos += 1
        }
        return v
    }

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = pos
        var isInteger = true
        let negative = buf[pos] == UInt8(ascii: "-")
        if negative { pos += 1 }
        guard pos < buf.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(buf[pos]) else {
            throw error("invalid number")
        }
        // The integer part, accumulated as it is read while it fits (up to 18 digits).
        var magnitude = 0
        let digitsStart = pos
        if buf[pos] == UInt8(ascii: "0") {
            pos += 1
        } else {
            while pos < buf.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(buf[pos]) {
                if pos - digitsStart < 18 { magnitude = magnitude * 10 + Int(buf[pos] - UInt8(ascii: "0")) }
                pos += 1
            }
        }
        let shortInteger = pos - digitsStart <= 18
        if pos < buf.count, buf[pos] == UInt8(ascii: ".") {
            isInteger = false
            pos += 1
            let fracStart = pos
            while pos < buf.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(buf[pos]) { pos += 1 }
            if pos == fracStart { throw error("invalid number") }
        }
        if pos < buf.count, buf[pos] == UInt8(ascii: "e") || buf[pos] == UInt8(ascii: "E") {
            isInteger = false
            pos += 1
            if pos < buf.count, buf[pos] == UInt8(ascii: "+") || buf[pos] == UInt8(ascii: "-") { pos += 1 }
            let expStart = pos
            while pos < buf.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(buf[pos]) { pos += 1 }
            if pos == expStart { throw error("invalid number") }
        }
        if isInteger && shortInteger { return .int(negative ? -magnitude : magnitude) }
        let text = String(decoding: UnsafeBufferPointer(rebasing: buf[start..<pos]), as: UTF8.self)
        if isInteger, let i = Int(text) { return .int(i) }
        guard let d = Double(text) else { throw error("invalid number") }
        guard d.isFinite else { throw error("number \(text) is out of range") }
        return .double(d)
    }
}
