#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JSON

/// A malformed watch stream.
public struct WatchDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is malformed.
    public var detail: String
    /// An error with this explanation.
    public init(_ detail: String) { self.detail = detail }
    /// The message shown to the user.
    public var description: String { "invalid watch stream: \(detail)" }
}

/// Splits a watch response body into events, whatever the chunking: an event may span several
/// writes and one write may hold several events. The API server writes one event per line, so an
/// event is first looked for up to the next newline (found with `memchr`) and parsed in place;
/// when that text is not one JSON object (pretty-printed events, several on a line, no newline
/// yet), objects are framed by brace depth (strings and escapes respected). Pure: bytes in, events out.
public struct WatchStreamDecoder: Sendable {
    /// The bytes of an event not yet complete.
    private var buffer: [UInt8] = []
    /// Whether the brace-depth scan of `buffer` started, where it stopped, and its state there.
    private var scanStarted = false
    private var scanned = 0
    private var depth = 0
    private var inString = false
    private var escaped = false
    /// The buffered event's text up to a newline was tried as JSON and was not an object.
    private var lineTried = false
    private let maxEventBytes: Int
    /// What of each event's object is kept (nil: all of it), applied to whole events.
    private let projection: JSONProjection?
    /// The stream's recent strings and objects (each event repeats most of the last one's).
    private var strings = JSONStringCache()
    private var subtrees = JSONSubtreeCache()

    /// A decoder refusing single events larger than `maxEventBytes`, keeping of each event's object
    /// what `projection` keeps.
    public init(maxEventBytes: Int = 256 << 20, projection: JSONProjection? = nil) {
        self.maxEventBytes = maxEventBytes
        self.projection = projection?.nested(under: "object")
    }

    /// True while part of an event is buffered.
    public var hasPartialEvent: Bool { !buffer.isEmpty }

    /// Decodes the events completed by `bytes`.
    public mutating func feed(_ bytes: [UInt8]) throws(WatchDecodeError) -> [WatchEvent] {
        var copy = self
        let result = bytes.withUnsafeBytes { raw in
            Result { () throws(WatchDecodeError) -> [WatchEvent] in try copy.feed(raw) }
        }
        self = copy
        return try result.get()
    }

    /// Decodes the events completed by `bytes`.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(WatchDecodeError) -> [WatchEvent] {
        var events: [WatchEvent] = []
        var i = 0
        if !buffer.isEmpty, !lineTried, let newline = Self.newline(in: bytes, from: 0) {
            // The API server's framing: the buffered event ends at the first newline that came. Only
            // the bytes up to it join the buffer; the events after it are read where they are.
            let before = buffer.count
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[0..<newline]))
            let pending = buffer  // shares storage: the parse below updates self
            if let doc = pending.withUnsafeBytes({ raw in Self.object(in: raw, 0..<raw.count, projection, &strings, &subtrees) }) {
                events.append(try Self.event(doc))
                buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
                resetScan()
                i = newline + 1
            } else {
                buffer.removeLast(buffer.count - before)
                lineTried = true
            }
        }
        if !buffer.isEmpty {
            let before = buffer.count
            buffer.append(contentsOf: bytes)
            let pending = buffer  // shares storage: the scan below updates self
            let completed = try pending.withUnsafeBytes { raw in
                Result { () throws(WatchDecodeError) -> Int? in try completePending(raw, into: &events) }
            }.get()
            guard let end = completed else {
                if buffer.count > maxEventBytes { throw WatchDecodeError("an event is larger than \(maxEventBytes) bytes") }
                return events
            }
            if end < before {
                // The event closed in bytes buffered unscanned (pretty-printed, or several on a line):
                // the rest of them and the new bytes are read as a stream of their own.
                let rest = Array(buffer[end...])
                buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
                resetScan()
                events += try feed(rest)
                return events
            }
            buffer.removeAll(keepingCapacity: buffer.capacity <= 1 << 20)
            i = end - before
        }
        let n = bytes.count
        while i < n {
            let c = bytes[i]
            if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { i += 1; continue }
            guard c == UInt8(ascii: "{") else {
                throw WatchDecodeError("unexpected byte '\(Character(Unicode.Scalar(c)))' between events")
            }
            if let newline = Self.newline(in: bytes, from: i), let doc = Self.object(in: bytes, i..<newline, projection, &strings, &subtrees) {
                events.append(try Self.event(doc))
                i = newline + 1
                continue
            }
            resetScan()
            if Self.mayCloseFrame(bytes, from: i), let end = scanFrame(bytes, from: i) {
                events.append(try Self.decodeEvent(UnsafeRawBufferPointer(rebasing: bytes[i...end]), projection: projection,
                                                   strings: &strings, subtrees: &subtrees))
                i = end + 1
                continue
            }
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[i..<n]))
            if scanStarted { scanned = n - i }
            lineTried = Self.newline(in: bytes, from: i) != nil
            if buffer.count > maxEventBytes { throw WatchDecodeError("an event is larger than \(maxEventBytes) bytes") }
            break
        }
        return events
    }

    /// Tries to complete the buffered event by resuming the brace-depth scan (`feed` has tried the
    /// text up to the first newline that came). Returns the offset after the event.
    private mutating func completePending(_ raw: UnsafeRawBufferPointer, into events: inout [WatchEvent]) throws(WatchDecodeError) -> Int? {
        guard Self.mayCloseFrame(raw, from: scanned) else { return nil }
        guard let end = scanFrame(raw, from: scanned, resuming: scanStarted) else {
            scanned = raw.count
            return nil
        }
        events.append(try Self.decodeEvent(UnsafeRawBufferPointer(rebasing: raw[0...end]), projection: projection,
                                           strings: &strings, subtrees: &subtrees))
        resetScan()
        return end + 1
    }

    private mutating func resetScan() {
        scanStarted = false
        scanned = 0
        depth = 0
        inString = false
        escaped = false
        lineTried = false
    }

    /// Scans from `start` (an opening brace, or where the last scan stopped when `resuming`) to the
    /// brace closing the frame; nil when the bytes end first (the state is kept to resume).
    private mutating func scanFrame(_ bytes: UnsafeRawBufferPointer, from start: Int, resuming: Bool = false) -> Int? {
        var i = start
        if !resuming {
            scanStarted = true
            depth = 1
            i += 1
        }
        let n = bytes.count
        while i < n {
            if inString && !escaped { i = JSONStringBytes.quoteOrBackslash(in: bytes, from: i) }
            guard i < n else { break }
            let c = bytes[i]
            if inString {
                if escaped {
                    escaped = false
                } else if c == UInt8(ascii: "\\") {
                    escaped = true
                } else if c == UInt8(ascii: "\"") {
                    inString = false
                }
            } else if c == UInt8(ascii: "\"") {
                inString = true
            } else if c == UInt8(ascii: "{") || c == UInt8(ascii: "[") {
                depth += 1
            } else if c == UInt8(ascii: "}") || c == UInt8(ascii: "]") {
                depth -= 1
                if depth == 0 { return i }
            }
            i += 1
        }
        return nil
    }

    /// False when no frame can close within `bytes[from...]`: a frame closing there is followed by
    /// whitespace only, or by a newline (the API server's framing, which the newline path reads) and
    /// more. So the byte-by-byte scan is skipped for the part of an event a read ends in, which
    /// would otherwise be scanned on every read that splits an event (and again when the rest comes).
    private static func mayCloseFrame(_ bytes: UnsafeRawBufferPointer, from: Int) -> Bool {
        var i = bytes.count - 1
        while i >= from, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i -= 1 }
        return i >= from && bytes[i] == UInt8(ascii: "}")
    }

    /// The offset of the next newline at or after `from`.
    private static func newline(in bytes: UnsafeRawBufferPointer, from: Int) -> Int? {
        guard from < bytes.count, let base = bytes.baseAddress,
              let hit = memchr(base + from, 0x0A, bytes.count - from) else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    /// The bytes in `range` as one JSON object (surrounding whitespace allowed), or nil.
    private static func object(in bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ projection: JSONProjection?,
                               _ strings: inout JSONStringCache, _ subtrees: inout JSONSubtreeCache) -> JSONValue? {
        let text = UnsafeRawBufferPointer(rebasing: bytes[range]).assumingMemoryBound(to: UInt8.self)
        guard let doc = try? JSONValue(parsingUTF8: text, projection: projection, strings: &strings, subtrees: &subtrees),
              doc.object != nil else { return nil }
        return doc
    }

    /// Checks that the stream did not end inside an event.
    public func finish() throws(WatchDecodeError) {
        if !buffer.isEmpty { throw WatchDecodeError("the stream ended in the middle of an event (\(buffer.count) bytes)") }
    }

    /// Decodes one `{"type": ..., "object": ...}` frame.
    public static func decodeEvent(_ frame: [UInt8]) throws(WatchDecodeError) -> WatchEvent {
        let result = frame.withUnsafeBytes { raw in Result { () throws(WatchDecodeError) in try decodeEvent(raw) } }
        return try result.get()
    }

    /// Decodes one `{"type": ..., "object": ...}` frame.
    static func decodeEvent(_ frame: UnsafeRawBufferPointer, projection: JSONProjection? = nil) throws(WatchDecodeError) -> WatchEvent {
        var strings = JSONStringCache(capacity: 0)
        var subtrees = JSONSubtreeCache(capacity: 0)
        return try decodeEvent(frame, projection: projection, strings: &strings, subtrees: &subtrees)
    }

    /// Decodes one `{"type": ..., "object": ...}` frame, taking repeated strings from `strings` and
    /// repeated objects and arrays from `subtrees`.
    static func decodeEvent(_ frame: UnsafeRawBufferPointer, projection: JSONProjection?, strings: inout JSONStringCache,
                            subtrees: inout JSONSubtreeCache) throws(WatchDecodeError) -> WatchEvent {
        let doc: JSONValue
        do {
            doc = try JSONValue(parsingUTF8: frame.assumingMemoryBound(to: UInt8.self), projection: projection,
                                strings: &strings, subtrees: &subtrees)
        } catch {
            throw WatchDecodeError("event is not valid JSON: \(error)")
        }
        return try event(doc)
    }

    /// The event a decoded frame is.
    static func event(_ doc: JSONValue) throws(WatchDecodeError) -> WatchEvent {
        guard let type = doc["type"]?.string else { throw WatchDecodeError("event without a type") }
        let object = doc["object"] ?? .null
        switch type {
        case "ADDED": return .added(object)
        case "MODIFIED": return .modified(object)
        case "DELETED": return .deleted(object)
        case "BOOKMARK":
            return .bookmark(resourceVersion: object[path: ["metadata", "resourceVersion"]]?.string ?? "")
        case "ERROR":
            if let status = APIStatus.from(statusObject: object) { return .error(.status(status)) }
            return .error(.status(APIStatus(
                code: 500, reason: "InternalError", message: "watch ERROR event without a Status: \(object)",
                fromStatusObject: false)))
        default:
            throw WatchDecodeError("unknown event type \"\(type)\"")
        }
    }
}
