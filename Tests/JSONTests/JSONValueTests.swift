import Testing
@testable import JSON

@Suite struct JSONValueTests {
    @Test func parsesAndSerializesRoundTrip() throws {
        let text = #"{"a":1,"b":[true,false,null],"c":"x\"y\n\u00e9\ud83d\ude00","d":-1.5e3,"e":{}}"#
        let v = try JSONValue(parsing: text)
        #expect(v["a"] == .int(1))
        #expect(v["b"]?[2] == .null)
        #expect(v["c"]?.string == "x\"y\né😀")
        #expect(v["d"] == .double(-1500))
        #expect(try JSONValue(parsing: v.serialized()) == v)
        #expect(v.serialized().hasPrefix(#"{"a":1,"b":[true,false,null],"c":"x\"y\n"#))
    }

    @Test func objectsCompareWithoutOrder() throws {
        #expect(try JSONValue(parsing: #"{"a":1,"b":2}"#) == JSONValue(parsing: #"{"b":2,"a":1}"#))
        #expect(try JSONValue(parsing: #"{"a":1}"#) != JSONValue(parsing: #"{"a":1,"b":2}"#))
        let a: JSONValue = ["x": 1, "y": [1, 2]]
        let b: JSONValue = ["y": [1, 2], "x": 1.0]
        #expect(a.hashValue == b.hashValue)
    }

    @Test func reportsErrorPosition() {
        do {
            _ = try JSONValue(parsing: "{\n  \"a\": tru\n}")
            Issue.record("expected an error")
        } catch {
            #expect(error.line == 2)
            #expect(error.column == 8)
        }
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: "[1,]") }
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: "01") }
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: "\"abc") }
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: "{} x") }
    }

    @Test func pathAccessAndMutation() {
        var v: JSONValue = ["spec": ["template": ["metadata": ["labels": ["app": "web"]]]]]
        #expect(v[path: ["spec", "template", "metadata", "labels", "app"]] == "web")
        v[path: ["spec", "paused"]] = true
        v[path: ["metadata", "annotations", "k"]] = "v"
        #expect(v["spec"]?["paused"] == true)
        #expect(v[path: ["metadata", "annotations", "k"]] == "v")
        v[path: ["spec", "paused"]] = nil
        #expect(v["spec"]?["paused"] == nil)
        v[path: ["nothing", "here"]] = nil
        #expect(v["nothing"] == nil)
    }

    @Test func formatsNumbersLikeGo() {
        #expect(JSONValue.double(1.0).serialized() == "1")
        #expect(JSONValue.double(0.5).serialized() == "0.5")
        #expect(JSONValue.int(-42).serialized() == "-42")
        #expect(JSONValue.string("\u{1}").serialized() == "\"\\u0001\"")
    }

    @Test func prettyPrintsWithIndent() {
        let v: JSONValue = ["a": [1], "b": [:]]
        #expect(v.serialized(indent: 2) == "{\n  \"a\": [\n    1\n  ],\n  \"b\": {}\n}")
    }
}
