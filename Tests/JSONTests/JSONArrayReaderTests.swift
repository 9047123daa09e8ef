import Foundation
import Testing
@testable import JSON

/// Reading an array element by element gives the elements parsing the whole array gives, and
/// refuses what parsing the whole array refuses.
@Suite struct JSONArrayReaderTests {
    func elements(_ text: String, at offset: Int = 0, projection: JSONProjection? = nil) throws -> [JSONValue] {
        let bytes = Array(text.utf8)
        var strings = JSONStringCache()
        return try bytes.withUnsafeBufferPointer { buf throws(JSONParseError) in
            var reader = JSONArrayReader(buf, at: offset)
            var out: [JSONValue] = []
            while let next = try reader.next(projection: projection, strings: &strings) { out.append(next) }
            #expect(try reader.next(projection: projection, strings: &strings) == nil)
            return out
        }
    }

    static let arrays = [
        "[]", " [ ] ", "[1]", #"[{"a":[1,2,{"b":"]"}]},"x\"]",null,true,-1.5e3]"#,
        #"[ {"metadata":{"name":"web-0123456789abcdef","managedFields":[{"m":1}]},"spec":{"nodeName":"n1"}} , {"metadata":{"name":"web-0123456789abcdef"}} ]"#,
        "[[],[[]],{}]", #"["\u00e9\ud83d\ude00", "long string that the cache keeps: 0123456789"]"#,
    ]

    @Test(arguments: arrays)
    func elementsAreThoseOfTheWholeArray(text: String) throws {
        let projection = JSONProjection(dropping: [["metadata", "managedFields"]])
        #expect(try elements(text) == (try JSONValue(parsing: text)).array)
        #expect(try elements(text, projection: projection) == (try JSONValue(parsing: Array(text.utf8), projection: projection)).array)
    }

    @Test("elements read through a subtree cache equal those read alone; a member they repeat byte for byte is built once and shared")
    func sharedMembersAreBuiltOnce() throws {
        let probe = #"{"httpGet":{"path":"/healthz","port":8080,"scheme":"HTTP"},"timeoutSeconds":1,"periodSeconds":10,"successThreshold":1,"failureThreshold":3}"#
        let other = probe.replacingOccurrences(of: "8080", with: "9090")
        let pods = (0..<6).map { i in
            #"{"metadata":{"name":"web-\#(i)"},"spec":{"containers":[{"name":"app","readinessProbe":\#(i == 4 ? other : probe),"volumeMounts":[{"name":"token-\#(i)"}]}]}}"#
        }
        let text = "[" + pods.joined(separator: ",") + "]"
        let projection = JSONProjection(dropping: [], sharingAcross: [["spec", "containers", "readinessProbe"]])
        let bytes = Array(text.utf8)
        var strings = JSONStringCache()
        var subtrees = JSONSubtreeCache()
        let read = try bytes.withUnsafeBufferPointer { buf throws(JSONParseError) in
            var reader = JSONArrayReader(buf, at: 0)
            var out: [JSONValue] = []
            while let next = try reader.next(projection: projection, strings: &strings, subtrees: &subtrees) { out.append(next) }
            return out
        }
        #expect(read == (try JSONValue(parsing: text)).array)
        #expect(subtrees.keptBytes == probe.utf8.count + other.utf8.count, "each distinct probe kept once")
        let probes = read.map { $0[path: ["spec", "containers"]]![0]!["readinessProbe"]! }
        #expect(probes[4][path: ["httpGet", "port"]] == 9090 && probes[5][path: ["httpGet", "port"]] == 8080)
    }

    @Test func readsAnArrayInsideALargerDocument() throws {
        let text = #"{"kind":"PodList","items":[{"a":1},{"b":2}],"metadata":{}}"#
        let offset = Array(text.utf8).firstIndex(of: UInt8(ascii: "["))!
        #expect(try elements(text, at: offset) == [["a": 1], ["b": 2]])
    }

    @Test(arguments: ["[1 2]", "[1,]", "[", "[1", #"[{"a":}]"#, #"["\x"]"#, "[tru]"])
    func refusesWhatTheParserRefuses(text: String) {
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: text) }
        #expect(throws: JSONParseError.self) { try elements(text) }
    }

    @Test func refusesWhatIsNotAnArray() {
        #expect(throws: JSONParseError.self) { try elements("{}") }
        #expect(throws: JSONParseError.self) { try elements("1") }
    }
}
