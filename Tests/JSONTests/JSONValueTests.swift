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

    @Test func duplicateKeysKeepTheirFirstPlaceAndLastValue() throws {
        let v = try JSONValue(parsing: #"{"a":1,"b":{"x":[1,{"a":2}]},"a":3,"\u0062":4,"c":5,"c":6}"#)
        #expect(v.object?.keys == ["a", "b", "c"])
        #expect(v["a"] == 3)
        #expect(v["b"] == 4)
        #expect(v["c"] == 6)
        let nested = try JSONValue(parsing: #"[{"k":1,"k":2},{"k":3},[{"k":4,"j":5,"k":6}]]"#)
        #expect(nested.serialized() == #"[{"k":2},{"k":3},[{"k":6,"j":5}]]"#)
    }

    @Test func integersKeepTheirValueAtEveryLength() throws {
        let v = try JSONValue(parsing: "[0,-0,7,-42,123456789012345678,-123456789012345678,1234567890123456789,9223372036854775807,-9223372036854775808,9223372036854775808,1e3,1.5,-0.25]")
        #expect(v.array == [.int(0), .int(0), .int(7), .int(-42), .int(123456789012345678), .int(-123456789012345678),
                            .int(1234567890123456789), .int(Int.max), .int(Int.min), .double(9223372036854775808), .double(1000),
                            .double(1.5), .double(-0.25)])
        if case .int = v[8] {} else { Issue.record("Int.min is not an int") }
        if case .double = v[9] {} else { Issue.record("2^63 is not a double") }
    }
}
