import Testing
@testable import JSON

/// The pull reader digests are written with: what a digest reads, leaves or mistypes, and that
/// the bytes it passes over are still checked.
@Suite struct JSONScannerTests {
    /// Keeps `name`, the sum of the integers' count under `items[].n`, and whether `flag` was true.
    static let digest = JSONProjection(digest: { (s: inout JSONScanner) throws(JSONParseError) -> JSONValue in
        var name: String?
        var count = 0
        var flag: Bool?
        try s.members { s, key throws(JSONParseError) in
            switch key {
            case "name": name = try s.string()
            case "flag": flag = try s.bool()
            case "items": try s.elements { s throws(JSONParseError) in
                try s.members { s, key throws(JSONParseError) in if key == "n" { _ = try s.value(); count += 1 } }
            }
            default: break
            }
        }
        return ["name": name.map(JSONValue.string) ?? .null, "count": .int(count), "flag": flag.map(JSONValue.bool) ?? .null]
    })

    @Test("members and elements: what the digest leaves is passed over, mistyped values read as absent")
    func readsAndLeaves() throws {
        let text = #"{"skip":{"a":[1,{"b":"\u00e9"}]},"name":"x\"y","items":[{"n":1},{"m":2},"no",{"n":{"deep":[]}}],"flag":"true"}"#
        let v = try JSONValue(parsing: Array(text.utf8), projection: Self.digest)
        #expect(v == ["name": "x\"y", "count": 2, "flag": .null])
        let other = try JSONValue(parsing: Array(#"{"name":7,"items":{"n":1},"flag":true}"#.utf8), projection: Self.digest)
        #expect(other == ["name": .null, "count": 0, "flag": true])
        let escaped = try JSONValue(parsing: Array(#"{"na\u006de":"z","fla\u0067":true,"nam":"no","namex":"no"}"#.utf8), projection: Self.digest)
        #expect(escaped == ["name": "z", "count": 0, "flag": true], "keys compare by their decoded text")
        #expect(try JSONValue(parsing: Array("[]".utf8), projection: Self.digest) == [])
        #expect(try JSONValue(parsing: Array(#"[{"name":"a"},{}]"#.utf8), projection: Self.digest)
                == [["name": "a", "count": 0, "flag": .null], ["name": .null, "count": 0, "flag": .null]], "arrays are transparent")
    }

    @Test("a digest nested in a projection applies to its member only")
    func nestedDigest() throws {
        let text = #"{"type":"MODIFIED","object":{"name":"p","items":[{"n":0}],"flag":false}}"#
        let v = try JSONValue(parsing: Array(text.utf8), projection: Self.digest.nested(under: "object"))
        #expect(v == ["type": "MODIFIED", "object": ["name": "p", "count": 1, "flag": false]])
    }

    /// Reads `head` and leaves the rest of the document.
    static let head = JSONProjection(digest: { (s: inout JSONScanner) throws(JSONParseError) -> JSONValue in
        var head: JSONValue = .null
        try s.members { s, key throws(JSONParseError) in
            guard key == "head" else { return }
            head = try s.value()
            s.leaveRest()
        }
        return head
    })

    @Test("leaveRest ends a whole document's digest where it is called; the rest is not read; in a nested digest it does nothing")
    func leavesTheRest() throws {
        let text = #"{"kind":"Pod","head":{"name":"p"},"spec":{"big":[1,2,3]},"status":{"phase":"Running"}}"#
        #expect(try JSONValue(parsing: Array(text.utf8), projection: Self.head) == ["name": "p"])
        let unchecked = #"{"head":[1],"spec":{"not json"#
        #expect(try JSONValue(parsing: Array(unchecked.utf8), projection: Self.head) == [1], "the rest is neither read nor checked")
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: Array(#"{"kind":01,"head":[1]}"#.utf8), projection: Self.head) }
        let event = #"{"object":{"head":2,"spec":{"x":1}},"type":"MODIFIED"}"#
        #expect(try JSONValue(parsing: Array(event.utf8), projection: Self.head.nested(under: "object")) == ["object": 2, "type": "MODIFIED"])
        #expect(throws: JSONParseError.self, "nested, the rest is read and checked") {
            try JSONValue(parsing: Array(#"{"object":{"head":2,"spec":{"x":01}},"type":"MODIFIED"}"#.utf8), projection: Self.head.nested(under: "object"))
        }
    }

    @Test("invalid JSON anywhere, read or passed over, is refused with its place")
    func invalidIsRefused() {
        for text in [#"{"skip":[1,2,}"#, #"{"name":"a"#, #"{"items":[{"n":01x}]}"#, #"{"flag":nul}"#, #"{"name" "a"}"#,
                     #"{"a":1}x"#, #"{"items":[{"n":1}{"n":2}]}"#] {
            #expect(throws: JSONParseError.self, "\(text)") { try JSONValue(parsing: Array(text.utf8), projection: Self.digest) }
        }
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: Array(("{\"skip\":" + deep + "}").utf8), projection: Self.digest) }
    }
}

/// The eight-bytes-at-a-time string scan stops exactly at the first quote, backslash or control
/// byte wherever it falls in a word, when strings are built and when they are passed over.
@Suite struct StringScanTests {
    @Test("every special byte at every offset of strings up to 40 bytes, built and passed over")
    func specialBytesAtEveryOffset() throws {
        let drop = JSONProjection(dropping: [["skip"]])
        for length in 0...40 {
            for at in 0..<max(length, 1) {
                for special in ["\"", "\\", "\n", "é", "\u{1}", "/"] {
                    var chars = Array(repeating: "a", count: length)
                    if length > 0 { chars[at] = special }
                    let text = chars.joined()
                    let doc: JSONValue = ["skip": .string(text), "keep": .string(text), "after": 1]
                    let bytes = doc.serializedBytes()
                    #expect(try JSONValue(parsing: bytes) == doc, "\(length) \(at) \(special.unicodeScalars.first!.value)")
                    #expect(try JSONValue(parsing: bytes, projection: drop) == ["keep": .string(text), "after": 1])
                }
                var raw = Array(#"{"k":""#.utf8) + Array(repeating: UInt8(ascii: "b"), count: length)
                if length > 0 { raw[5 + at] = 0x09 }
                raw += Array(#"","n":2}"#.utf8)
                if length > 0 {
                    #expect(throws: JSONParseError.self) { try JSONValue(parsing: raw) }
                    #expect(throws: JSONParseError.self) { try JSONValue(parsing: raw, projection: JSONProjection(dropping: [["k"]])) }
                }
            }
        }
    }
}
