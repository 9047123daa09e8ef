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
