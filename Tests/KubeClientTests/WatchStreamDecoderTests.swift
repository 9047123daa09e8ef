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

    @Test("a stream cut in two anywhere, and in three around each newline, decodes as the whole: an event is completed from the bytes up to the next newline, and the events after it are read in place")
    func everySplitPoint() throws {
        let bytes = Self.stream
        let newlines = bytes.indices.filter { bytes[$0] == 0x0A }
        var cuts = (1..<bytes.count).map { [$0] }
        for n in newlines { for d in -2...2 where n + d > 0 && n + d + 1 < bytes.count { cuts.append([n + d, n + d + 1]) } }
        for cut in cuts {
            var d = WatchStreamDecoder()
            var out: [WatchEvent] = []
            var start = 0
            for end in cut + [bytes.count] {
                out += try d.feed(Array(bytes[start..<end]))
                start = end
            }
            check(out)
            #expect(!d.hasPartialEvent)
        }
    }

    @Test func projectionDropsTheSameMembersWhateverTheChunking() throws {
        let projection = JSONProjection(dropping: [["spec", "note"], ["status", "conditions"]])
        var whole = WatchStreamDecoder(projection: projection)
        let expected = try whole.feed(Self.stream)
        #expect(expected.count == 5)
        #expect(expected[0].object?["spec"] == .object(JSONObject()))
        #expect(expected[1].object?["status"] == .object(JSONObject()))
        #expect(expected[3].object?["text"] == "ünïcödé ✓")
        if case .error(let e) = expected[4] { #expect(e.isGone) } else { Issue.record("not an error event") }
        var rng = SplitMix(seed: 7)
        for _ in 0..<200 {
            var d = WatchStreamDecoder(projection: projection)
            var out: [WatchEvent] = []
            var i = 0
            while i < Self.stream.count {
                let end = min(Self.stream.count, i + 1 + Int(rng.next() % 61))
                out += try d.feed(Array(Self.stream[i..<end]))
                i = end
            }
            #expect(out == expected)
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

    @Test func prettyPrintedEventsAcrossChunks() throws {
        let pretty = Self.events.map { (try? JSONValue(parsing: $0))?.serialized(indent: 2) ?? "" }.joined(separator: "\n")
        let bytes = Array(pretty.utf8)
        var rng = SplitMix(seed: 7)
        for _ in 0..<100 {
            var d = WatchStreamDecoder()
            var out: [WatchEvent] = []
            var i = 0
            while i < bytes.count {
                let end = min(bytes.count, i + 1 + Int(rng.next() % 211))
                out += try d.feed(Array(bytes[i..<end]))
                i = end
            }
            check(out)
            try d.finish()
        }
    }

    @Test func severalEventsOnOneLineThenNewline() throws {
        var d = WatchStreamDecoder()
        let line = Self.events[0] + "  " + Self.events[1] + Self.events[2] + "\n" + Self.events[3] + "\n" + Self.events[4]
        check(try d.feed(Array(line.utf8)))
        #expect(!d.hasPartialEvent)
    }

    @Test("a read that ends inside a second event on a line keeps the first whole one: both come out when the rest arrives")
    func wholeEventBufferedBeforeAPartialOneOnTheSameLine() throws {
        let line = Array((Self.events[0] + Self.events[1] + "\n" + Self.events[2] + "\n" + Self.events[3] + Self.events[4]).utf8)
        let first = Self.events[0].utf8.count
        for cut in [first + 10, first + Self.events[1].utf8.count - 1] {
            var d = WatchStreamDecoder()
            let out = try d.feed(Array(line[..<cut])) + d.feed(Array(line[cut...]))
            check(out)
            #expect(!d.hasPartialEvent)
        }
    }

    @Test func largeEventInManySmallChunks() throws {
        let notes = String(repeating: "x\\\"{[", count: 20_000)
        let event = #"{"type":"ADDED","object":{"metadata":{"name":"big","resourceVersion":"1"},"note":"\#(notes)"}}"# + "\n"
        let bytes = Array((event + Self.events[1] + "\n").utf8)
        var d = WatchStreamDecoder()
        var out: [WatchEvent] = []
        var i = 0
        while i < bytes.count {
            let end = min(bytes.count, i + 1000)
            out += try d.feed(Array(bytes[i..<end]))
            i = end
        }
        #expect(out.count == 2)
        #expect(out.first?.object?["note"]?.string?.count == notes.count - 20_000)
        #expect(out.last?.resourceVersion == "11")
    }

    @Test func eventsOfOnePodShareTheMembersTheirProjectionSharesWhereTheirBytesRepeat() throws {
        let projection = JSONProjection(dropping: [], sharing: [["spec"], ["status"]])
        let spec = #"{"nodeName":"node-1","containers":[{"name":"app","image":"nginx:1.25","args":["--serve","--port=8080","--log-level=info","--metrics-port=9090"]}]}"#
        func event(_ rv: Int, ready: String) -> String {
            #"{"type":"MODIFIED","object":{"metadata":{"name":"a","resourceVersion":"\#(rv)"},"spec":\#(spec),"#
                + #""status":{"phase":"Running","conditions":[{"type":"Ready","status":"\#(ready)","lastTransitionTime":"2026-12-03T10:26:13Z","reason":"ContainersReady"}]}}}"#
        }
        var d = WatchStreamDecoder(projection: projection)
        let decoded = try d.feed(Array((event(1, ready: "True") + "\n" + event(2, ready: "False") + "\n").utf8))
        #expect(decoded.count == 2)
        #expect(spec.utf8.count >= 128)
        guard decoded.count == 2, case .object(let first)? = decoded[0].object?["spec"], case .object(let second)? = decoded[1].object?["spec"],
              case .object(let status1)? = decoded[0].object?["status"], case .object(let status2)? = decoded[1].object?["status"] else { return }
        let storage = { (o: JSONObject) in o.members.withUnsafeBufferPointer { UnsafeRawPointer($0.baseAddress) } }
        #expect(storage(first) == storage(second))
        #expect(storage(status1) != storage(status2))
        #expect(decoded[1].object?[path: ["status", "conditions"]]?[0]?["status"] == "False")
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
