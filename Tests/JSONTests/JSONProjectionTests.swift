import Testing
@testable import JSON

@Suite struct JSONProjectionTests {
    static let pod = #"""
    {"metadata":{"name":"web-1","managedFields":[{"manager":"kubelet","fieldsV1":{"f:status":{}}}],"labels":{"app":"web"}},
     "spec":{"volumes":[{"name":"v","projected":{"sources":[]}}],"nodeName":"n1",
             "containers":[{"name":"app","image":"nginx:1","env":[{"name":"A","value":"\u00e9"}],"resources":{"limits":{"cpu":"1"}}},
                           {"name":"log","image":"agent:2","volumeMounts":[{"name":"v","mountPath":"/x"}]}]},
     "status":{"podIPs":[{"ip":"10.0.0.1"}],"podIP":"10.0.0.1"}}
    """#

    static let projection = JSONProjection(dropping: [
        ["metadata", "managedFields"], ["spec", "volumes"], ["spec", "containers", "env"], ["spec", "containers", "volumeMounts"],
        ["status", "podIPs"],
    ])

    @Test func dropsExactlyTheNamedMembersAndKeepsTheRestWhole() throws {
        let whole = try JSONValue(parsing: Self.pod)
        let kept = try JSONValue(parsing: Array(Self.pod.utf8), projection: Self.projection)
        var expected = whole
        expected[path: ["metadata", "managedFields"]] = nil
        expected[path: ["spec", "volumes"]] = nil
        expected[path: ["status", "podIPs"]] = nil
        var containers = whole[path: ["spec", "containers"]]!.array!
        containers[0]["env"] = nil
        containers[1]["volumeMounts"] = nil
        expected[path: ["spec", "containers"]] = .array(containers)
        #expect(kept == expected)
        #expect(kept[path: ["spec", "containers"]]?[0]?["resources"] == whole[path: ["spec", "containers"]]?[0]?["resources"])
        #expect(kept.serialized() == expected.serialized())  // member order kept too
    }

    @Test func aDroppedMemberMustStillBeValidJSON() {
        for broken in [#"{"spec":{"volumes":[{"name":"v",}]}}"#, #"{"spec":{"volumes":"\x"}}"#, #"{"spec":{"volumes":[1 2]}}"#,
                       #"{"spec":{"volumes":tru}}"#, #"{"spec":{"volumes":"\u12"}}"#, #"{"spec":{"volumes":[{"a":1}"#] {
            #expect(throws: JSONParseError.self) { try JSONValue(parsing: Array(broken.utf8), projection: Self.projection) }
        }
    }

    @Test func projectionAppliesUnderAWrapperAndToEveryArrayElement() throws {
        let event = #"{"type":"MODIFIED","object":"# + Self.pod + "}"
        let kept = try JSONValue(parsing: Array(event.utf8), projection: Self.projection.nested(under: "object"))
        #expect(kept["type"]?.string == "MODIFIED")
        #expect(kept[path: ["object", "metadata", "managedFields"]] == nil)
        #expect(kept[path: ["object", "metadata", "labels", "app"]]?.string == "web")
        #expect(kept[path: ["object", "spec", "containers"]]?.array?.allSatisfy { $0["env"] == nil && $0["volumeMounts"] == nil } == true)
    }

    @Test("a member is found by its key's bytes: written with escapes, alike in its first eight bytes or its length, among many")
    func membersAreFoundByTheirKeysBytes() throws {
        // Keys of one length and head, told apart past their eighth byte; short keys; one of 40 members.
        let named = (0..<40).map { "member-\($0)" }
        let p = JSONProjection(dropping: [["metadata", "managedFields"], ["metadata", "managedFieldz"], ["m"]] + named.map { [$0] })
        let text = #"{"metadata":{"managedFieldz":1,"managedFields":2,"managedField":3,"managedFieldsX":4,"name":"a"},"m":5,"mm":6,"#
            + named.map { #""\#($0)":0,"# }.joined() + #""member-40":7,"member-3x":8}"#
        let kept = try JSONValue(parsing: Array(text.utf8), projection: p)
        #expect(kept == ["metadata": ["managedField": 3, "managedFieldsX": 4, "name": "a"], "mm": 6, "member-40": 7, "member-3x": 8])
        // A key written with escapes is the same key: dropped, or kept under its unescaped name.
        let escaped = #"{"metadata":{"managed\u0046ields":1,"n\u0061me":"b"},"\u006d":2}"#
        #expect(try JSONValue(parsing: Array(escaped.utf8), projection: p) == ["metadata": ["name": "b"]])
    }

    @Test func duplicateKeysKeepTheLastValueWithAndWithoutAProjection() throws {
        let text = #"{"a":1,"b":{"x":1},"a":2,"b":{"y":2}}"#
        #expect(try JSONValue(parsing: text) == ["a": 2, "b": ["y": 2]])
        let p = JSONProjection(dropping: [["b", "x"]])
        #expect(try JSONValue(parsing: Array(text.utf8), projection: p) == ["a": 2, "b": ["y": 2]])
    }

    @Test func stringCacheReturnsEqualStringsAndRepairsAsDecodingDoes() throws {
        var cache = JSONStringCache(capacity: 64)
        let samples = ["2026-12-03T12:21:08Z", "kubernetes.io/service-name", "short", "é-accented-and-long-enough",
                       String(repeating: "x", count: 200), "2026-12-03T12:21:09Z"]
        for round in 0..<3 {
            for s in samples {
                let got = Array(s.utf8).withUnsafeBufferPointer { cache.string($0) }
                #expect(got == s, "round \(round)")
            }
        }
        let invalid: [UInt8] = Array("abcdefghijklmnop".utf8) + [0xFF, 0xFE]
        let repaired = invalid.withUnsafeBufferPointer { cache.string($0) }
        #expect(repaired == String(decoding: invalid, as: UTF8.self))
        #expect(invalid.withUnsafeBufferPointer { cache.string($0) } == repaired)
        var strings = JSONStringCache()
        let doc = #"{"lastTransitionTime":"2026-12-03T12:21:08Z","list":[{"lastTransitionTime":"2026-12-03T12:21:08Z"}]}"#
        let cached = try Array(doc.utf8).withUnsafeBufferPointer { try JSONValue(parsingUTF8: $0, projection: nil, strings: &strings) }
        #expect(cached == (try JSONValue(parsing: doc)))
    }
}
