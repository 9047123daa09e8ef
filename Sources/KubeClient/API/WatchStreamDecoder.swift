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
/// writes and one write may hold several events. Objects are framed by brace depth (strings and
/// escapes respected), so newline delimiters are optional. Pure: bytes in, events out.
public struct WatchStreamDecoder: Sendable {
    private var buffer: [UInt8] = []
    private var depth = 0
    private var inString = false
    private var escaped = false
    private let maxEventBytes: Int

    /// A decoder refusing single events larger than `maxEventBytes`.
    public init(maxEventBytes: Int = 256 << 20) { self.maxEventBytes = maxEventBytes }

    /// True while part of an event is buffered.
    public var hasPartialEvent: Bool { depth > 0 || !buffer.isEmpty }

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
        var start: Int? = depth > 0 ? 0 : nil
        var i = 0
        let n = bytes.count
        while i < n {
            let c = bytes[i]
            if depth == 0 {
                switch c {
                case 0x20, 0x09, 0x0A, 0x0D:
                    i += 1
                    continue
                case UInt8(ascii: "{"):
                    depth = 1
                    start = i
                    i += 1
                    continue
                default:
                    throw WatchDecodeError("unexpected byte '\(Character(Unicode.Scalar(c)))' between events")
                }
            }
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
                if depth == 0 {
                    let from = start ?? 0
                    buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[from...i]))
                    let frame = buffer
                    buffer.removeAll(keepingCapacity: true)
                    start = nil
                    events.append(try Self.decodeEvent(frame))
                }
            }
            i += 1
        }
        if depth > 0, let from = start {
            buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[from..<n]))
            if buffer.count > maxEventBytes {
                throw WatchDecodeError("an event is larger than \(maxEventBytes) bytes")
            }
        }
        return events
    }

    /// Checks that the stream did not end inside an event.
    public func finish() throws(WatchDecodeError) {
        if depth > 0 { throw WatchDecodeError("the stream ended in the middle of an event (\(buffer.count) bytes)") }
    }

    /// Decodes one `{"type": ..., "object": ...}` frame.
    public static func decodeEvent(_ frame: [UInt8]) throws(WatchDecodeError) -> WatchEvent {
        let doc: JSONValue
        do {
            doc = try JSONValue(parsing: frame)
        } catch {
            throw WatchDecodeError("event is not valid JSON: \(error)")
        }
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
