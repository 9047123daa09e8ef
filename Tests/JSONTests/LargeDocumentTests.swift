import Testing
@testable import JSON

/// Documents large enough for the parser's shared strings and scratch stacks: what is parsed is what
/// was written, whichever strings repeat or share a slot of the string table.
@Suite struct LargeDocumentTests {
    /// Items with repeated and distinct keys and values: equal lengths, non-ASCII, escapes, nesting.
    func document(items: Int) -> JSONValue {
        .array((0..<items).map { i in
            var o = JSONObject()
            o["name"] = .string("pod-\(i)")
            o["kind"] = .string(i % 2 == 0 ? "Pod" : "Pid")
            o["k\(i % 97)"] = .string("v\(i % 89)")
            o["é\(i % 7)"] = .string("ü\u{301}\(i % 5)")
            o["quote\"\(i % 3)"] = .string("line\n\(i % 11)\t\\")
            o["long"] = .string(String(repeating: "x", count: 60 + i % 10))
            o["nested"] = .object(JSONObject([("list", .array([.int(i), .double(0.5), .bool(i % 2 == 0), .null, .string("")])),
                                              ("empty", .object(JSONObject())), ("none", .array([]))]))
            return .object(o)
        })
    }

    @Test func whatIsWrittenIsParsedBack() throws {
        for items in [1, 40, 3_000] {
            let value = document(items: items)
            let text = value.serialized()
            #expect(try JSONValue(parsing: text) == value)
            #expect(try JSONValue(parsing: text).serialized() == text, "members keep their order")
        }
    }

    @Test func aRepeatedKeyKeepsItsLastValueInLargeDocuments() throws {
        let filler = (0..<2_000).map { "{\"a\":\($0),\"b\":\"s\($0 % 13)\"}" }.joined(separator: ",")
        let value = try JSONValue(parsing: "[\(filler),{\"a\":1,\"b\":2,\"a\":{\"a\":3,\"a\":4}}]")
        #expect(value.array?.count == 2_001)
        #expect(value[2_000] == ["a": ["a": 4], "b": 2])
        #expect(value[2_000]?.object?.keys == ["a", "b"])
    }

    @Test func aLargeDocumentThatBreaksOffFailsWithoutLosingTrack() {
        let text = document(items: 500).serialized()
        for cut in [text.utf8.count / 3, text.utf8.count / 2, text.utf8.count - 1] {
            #expect(throws: JSONParseError.self) { try JSONValue(parsing: String(decoding: text.utf8.prefix(cut), as: UTF8.self)) }
        }
    }
}
