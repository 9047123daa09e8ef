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
        var p = JSONByteParser(buf)
        defer { p.releaseScratch() }
        p.skipWhitespace()
        let v = try p.parseValue(depth: 0)
        p.skipWhitespace()
        if p.pos < buf.count { throw p.error("unexpected content after the JSON value") }
        self = v
    }
}

/// A recursive-descent JSON parser over raw bytes (RFC 8259), fast enough for 10,000-pod lists.
struct JSONByteParser {
    let buf: UnsafeBufferPointer<UInt8>
    var pos = 0
    static let maxDepth = 512
    /// The members of the objects being parsed, innermost last, and the items of the arrays: each
    /// object or array moves its own off the top once complete, into storage allocated once at its
    /// final size (appending to a growing array allocated up to five times per object).
    var members = ScratchStack<JSONObject.Member>()
    var items = ScratchStack<JSONValue>()
    var strings: StringTable

    init(_ buf: UnsafeBufferPointer<UInt8>) {
        self.buf = buf
        strings = StringTable(documentSize: buf.count)
    }

    /// Frees the scratch stacks (and what a failed parse left on them).
    mutating func releaseScratch() {
        members.release()
        items.release()
    }

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

    mutating func skipWhitespace() {
        while pos < buf.count {
            switch buf[pos] {
            case 0x20, 0x0A, 0x0D, 0x09: pos += 1
            default: return
            }
        }
    }

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard depth < Self.maxDepth else { throw error("nesting too deep") }
        guard pos < buf.count else { throw error("unexpected end of input") }
        switch buf[pos] {
        case UInt8(ascii: "{"): return try parseObject(depth: depth)
        case UInt8(ascii: "["): return try parseArray(depth: depth)
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw error("unexpected character '\(Character(Unicode.Scalar(buf[pos])))'")
        }
    }

    mutating func expectLiteral(_ word: StaticString) throws(JSONParseError) {
        let n = word.utf8CodeUnitCount
        guard pos + n <= buf.count else { throw error("unexpected end of input") }
        let w = word.utf8Start
        for i in 0..<n where buf[pos + i] != w[i] { throw error("invalid literal") }
        pos += n
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        pos += 1
        skipWhitespace()
        if pos < buf.count && buf[pos] == UInt8(ascii: "}") { pos += 1; return .object(JSONObject()) }
        let base = members.count
        while true {
            skipWhitespace()
            guard pos < buf.count, buf[pos] == UInt8(ascii: "\"") else { throw error("expected a string key") }
            let key = try parseString()
            skipWhitespace()
            guard pos < buf.count, buf[pos] == UInt8(ascii: ":") else { throw error("expected ':' after key") }
            pos += 1
            skipWhitespace()
            let value = try parseValue(depth: depth + 1)
            if !members.replace(from: base, key: key, value: value) {  // Last one wins, as Go's encoding/json.
                members.push(JSONObject.Member(key: key, value: value))
            }
            skipWhitespace()
            guard pos < buf.count else { throw error("unexpected end of input in object") }
            if buf[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if buf[pos] == UInt8(ascii: "}") { pos += 1; break }
            throw error("expected ',' or '}' in object")
        }
        return .object(JSONObject(uncheckedMembers: members.pop(from: base)))
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        pos += 1
        skipWhitespace()
        if pos < buf.count && buf[pos] == UInt8(ascii: "]") { pos += 1; return .array([]) }
        let base = items.count
        while true {
            skipWhitespace()
            let item = try parseValue(depth: depth + 1)
            items.push(item)
            skipWhitespace()
            guard pos < buf.count else { throw error("unexpected end of input in array") }
            if buf[pos] == UInt8(ascii: ",") { pos += 1; continue }
            if buf[pos] == UInt8(ascii: "]") { pos += 1; break }
            throw error("expected ',' or ']' in array")
        }
        return .array(items.pop(from: base))
    }

    mutating func parseString() throws(JSONParseError) -> String {
        pos += 1
        let start = pos
        // Fast path: no escapes. Eight bytes at a time while none is a quote, a backslash or a control
        // byte (the "has a zero byte" test applied to each; a false alarm only sends it to the byte loop).
        let base = buf.baseAddress!
        while pos + 8 <= buf.count {
            let w = UnsafeRawPointer(base + pos).loadUnaligned(as: UInt64.self)
            let quote = w ^ 0x2222_2222_2222_2222, slash = w ^ 0x5C5C_5C5C_5C5C_5C5C
            let ones: UInt64 = 0x0101_0101_0101_0101, highs: UInt64 = 0x8080_8080_8080_8080
            let special = ((quote &- ones) & ~quote) | ((slash &- ones) & ~slash) | ((w &- 0x2020_2020_2020_2020) & ~w)
            if special & highs != 0 { break }
            pos += 8
        }
        while pos < buf.count {
            let c = buf[pos]
            if c == UInt8(ascii: "\"") {
                let s = strings.string(UnsafeBufferPointer(rebasing: buf[start..<pos]))
                pos += 1
                return s
            }
            if c == UInt8(ascii: "\\") { break }
            if c < 0x20 { throw error("control character in string") }
            pos += 1
        }
        var bytes = [UInt8](UnsafeBufferPointer(rebasing: buf[start..<pos]))
        while pos < buf.count {
            let c = buf[pos]
            if c == UInt8(ascii: "\"") {
                pos += 1
                return String(decoding: bytes, as: UTF8.self)
            }
            if c < 0x20 { throw error("control character in string") }
            if c != UInt8(ascii: "\\") { bytes.append(c); pos += 1; continue }
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

/// A stack of values in memory the parser manages: elements are moved off the top into a new
/// array without copying or reference counting.
struct ScratchStack<Element> {
    private var storage: UnsafeMutablePointer<Element>?
    private var capacity = 0
    /// Elements on the stack.
    private(set) var count = 0

    mutating func push(_ element: Element) {
        if count == capacity {
            let grown = UnsafeMutablePointer<Element>.allocate(capacity: max(64, capacity * 2))
            if let storage {
                grown.moveInitialize(from: storage, count: count)
                storage.deallocate()
            }
            storage = grown
            capacity = max(64, capacity * 2)
        }
        (storage! + count).initialize(to: element)
        count += 1
    }

    /// The elements from `base` up, removed from the stack.
    mutating func pop(from base: Int) -> [Element] {
        let n = count - base
        guard n > 0, let storage else { return [] }
        count = base
        return [Element](unsafeUninitializedCapacity: n) { out, initialized in
            out.baseAddress!.moveInitialize(from: storage + base, count: n)
            initialized = n
        }
    }

    /// Frees the storage and the elements still on the stack.
    mutating func release() {
        storage?.deinitialize(count: count)
        storage?.deallocate()
        storage = nil
        capacity = 0
        count = 0
    }
}

extension ScratchStack<JSONObject.Member> {
    /// Sets the value of the member `key` among those from `base` up; false when there is none.
    mutating func replace(from base: Int, key: String, value: JSONValue) -> Bool {
        guard let storage else { return false }
        let length = key.utf8.count  // keys of another length need no comparison
        for i in base..<count where storage[i].key.utf8.count == length && storage[i].key == key {
            storage[i].value = value
            return true
        }
        return false
    }
}

/// The strings of one large document seen so far, by their bytes: a key or value that repeats (the
/// pods of a list page share their keys, and mostly their images, paths and conditions) is decoded
/// and allocated once and then shared. Small documents (a watch event) go without it.
struct StringTable {
    private var slots: [String?]
    private let mask: Int

    init(documentSize: Int) {
        let count = documentSize < 16_384 ? 0 : min(4_096, documentSize / 256).nextPowerOfTwo
        slots = count == 0 ? [] : Array(repeating: nil, count: count)
        mask = max(0, count - 1)
    }

    /// The string of these UTF-8 bytes.
    mutating func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard !slots.isEmpty, bytes.count <= 64, let start = bytes.baseAddress else { return String(decoding: bytes, as: UTF8.self) }
        let n = bytes.count
        // The slot: from the length and the first and last eight bytes (or fewer).
        var hash = UInt64(n) &* 0x9E37_79B9_7F4A_7C15
        hash ^= Self.word(start, n, from: 0) &* 0xC2B2_AE3D_27D4_EB4F
        hash ^= Self.word(start, n, from: max(0, n - 8)) &* 0x1656_67B1_9E37_79F9
        let slot = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
        if var known = slots[slot], known.utf8.count == n, known.withUTF8({ Self.equal($0.baseAddress, start, n) }) {
            return known
        }
        let s = String(decoding: bytes, as: UTF8.self)
        slots[slot] = s
        return s
    }
}

extension StringTable {
    /// Up to eight bytes of `count` at `start`, from `offset`, as one word.
    fileprivate static func word(_ start: UnsafePointer<UInt8>, _ count: Int, from offset: Int) -> UInt64 {
        if count - offset >= 8 { return UnsafeRawPointer(start + offset).loadUnaligned(as: UInt64.self) }
        var w: UInt64 = 0
        for i in offset..<count { w = w << 8 | UInt64(start[i]) }
        return w
    }

    /// True when the `count` bytes at `a` and `b` are the same, compared a word at a time.
    fileprivate static func equal(_ a: UnsafePointer<UInt8>?, _ b: UnsafePointer<UInt8>, _ count: Int) -> Bool {
        guard let a else { return count == 0 }
        var i = 0
        while i + 8 <= count {
            if UnsafeRawPointer(a + i).loadUnaligned(as: UInt64.self) != UnsafeRawPointer(b + i).loadUnaligned(as: UInt64.self) {
                return false
            }
            i += 8
        }
        while i < count {
            if a[i] != b[i] { return false }
            i += 1
        }
        return true
    }
}

extension Int {
    /// The smallest power of two at least this (1 for 0 and below).
    fileprivate var nextPowerOfTwo: Int {
        var n = 1
        while n < self { n <<= 1 }
        return n
    }
}
