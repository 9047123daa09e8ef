import JSON
import Testing
@testable import KubeClient

@Suite("Watch stream decoding")
struct WatchStreamDecoderTests {
    static let events = [
        #"{"type":"ADDED","object":{"kind":"Pod","metadata":{"name":"a","resourceVersion":"10"},"spec":{"note":"braces } { and \"quotes\" and \\ inside"}}}"#,
        #"{"type":"MODIFIED","object":{"kind":"Pod","metadata":{"name":"a","resourceVersion":"11"},"status":{"conditions":[{"type":"Ready","status":"True"}]}}}"#,
        #"{"type":"BOOKMARK","object":{"kind":"Pod","metadata":{"resourceVersion":"12"}}}"#,
        #"{"type":"DELETED","object":{"kind":"Pod","metadata":{"name":"a","resourceVersion":"13"},"text":"ünïcödé ✓"}}"#,
        #"{"type":"ERROR","object":{"kind":"Status","apiVersion":"v1","status":"Failure","message":"too old resource version: 5 (13)","reason":"Expired","code":410}}"#,
    ]

    static var stream: [UInt8] { Array((events.joined(separator: "\n") + "\n").utf8) }

    func check(_ decoded: [WatchEvent]) {
        #expect(decoded.count == 5)
        guard decoded.count == 5 else { return }
        #expect(decoded[0].object?[path: ["metadata", "name"]] == "a")
        #expect(decoded[0].object?[path: ["spec", "note"]]?.string == #"braces } { and "quotes" and \ inside"#)
        #expect(decoded[0].resourceVersion == "10")
        if case .modified(let o) = decoded[1] { #expect(o[path: ["metadata", "resourceVersion"]] == "11") } else { Issue.record("not modified") }
        #expect(decoded[2] == .bookmark(resourceVersion: "12"))
        if case .deleted(let o) = decoded[3] { #expect(o["text"] == "ünïcödé ✓") } else { Issue.record("not deleted") }
        if case .error(let e) = decoded[4] {
            #expect(e.isGone && e.isExpired && e.statusCode == 410)
        } else {
            Issue.record("not an error event")
        }
    }

    @Test func wholeStreamAtOnce() throws {
        var d = WatchStreamDecoder()
        check(try d.feed(Self.stream))
        #expect(!d.hasPartialEvent)
        try d.finish()
    }

    @Test func byteByByte() throws {
        var d = WatchStreamDecoder()
        var out: [WatchEvent] = []
        for b in Self.stream { out += try d.feed([b]) }
        check(out)
    }

    @Test func randomChunkSplits() throws {
        var rng = SplitMix(seed: 42)
        let bytes = Self.stream
        for _ in 0..<300 {
            var d = WatchStreamDecoder()
            var out: [WatchEvent] = []
            var i = 0
            while i < bytes.count {
                let n = 1 + Int(rng.next() % 97)
                let end = min(bytes.count, i + n)
                out += try d.feed(Array(bytes[i..<end]))
                i = end
            }
            check(out)
            try d.finish()
        }
    }

    @Test func eventsWithoutNewlinesAndWithCRLF() throws {
        var d = WatchStreamDecoder()
        check(try d.feed(Array(Self.events.joined().utf8)))
        var e = WatchStreamDecoder()
        check(try e.feed(Array(Self.events.joined(separator: "\r\n").utf8)))
    }

    @Test func streamEndingMidEventIsReported() throws {
        var d = WatchStreamDecoder()
        let partial = Array(Self.events[0].utf8.prefix(30))
        #expect(try d.feed(partial).isEmpty)
        #expect(d.hasPartialEvent)
        #expect(throws: WatchDecodeError.self) { try d.finish() }
    }

    @Test func garbageAndUnknownTypesAreErrors() {
        var d = WatchStreamDecoder()
        #expect(throws: WatchDecodeError.self) { try d.feed(Array("hello".utf8)) }
        var e = WatchStreamDecoder()
        #expect(throws: WatchDecodeError.self) { try e.feed(Array(#"{"type":"SURPRISE","object":{}}"#.utf8)) }
        var f = WatchStreamDecoder()
        #expect(throws: WatchDecodeError.self) { try f.feed(Array(#"{"object":{}}"#.utf8)) }
    }
}

/// A small deterministic random generator for reproducible splits.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
