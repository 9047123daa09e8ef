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

/// An array read again in each version of a document (a slice's endpoints): only the elements
/// between the bytes two versions share at their start and end are read; the rest are the last
/// version's. What is read must equal reading every element, and what is not read was checked before.
@Suite struct RememberedArrayTests {
    /// Counts the elements it reads (a shared box: the digest is `@Sendable`).
    final class Reads: @unchecked Sendable { var count = 0 }

    /// `{"name": ..., "items": [...]}` read as `{"items": [each item's "n", or null]}`, reading
    /// the items through `elements(remembering:identity:_:)` under the document's name.
    static func digest(_ reads: Reads) -> JSONProjection {
        JSONProjection(digest: { (s: inout JSONScanner) throws(JSONParseError) -> JSONValue in
            var name = ""
            var items: [JSONValue] = []
            try s.members { s, key throws(JSONParseError) in
                switch key {
                case "name": name = try s.string() ?? ""
                case "items":
                    items = try s.elements(remembering: Self.reader, identity: name) { s throws(JSONParseError) in
                        reads.count += 1
                        var n: JSONValue = .null
                        try s.members { s, key throws(JSONParseError) in if key == "n" { n = try s.value() } }
                        return n
                    }
                default: break
                }
            }
            return ["items": .array(items)]
        })
    }

    /// Stands for the items' reader in the subtree cache (one for every version).
    static let reader = JSONProjection(dropping: [])

    static func item(_ n: Int) -> String { #"{"n":\#(n),"pad":"\#(String(repeating: "x", count: 20 + n % 7))"}"# }

    /// Reads `text` through `subtrees` and alone; both must agree. How many items were read.
    static func read(_ text: String, _ subtrees: inout JSONSubtreeCache, _ strings: inout JSONStringCache) throws -> (JSONValue, Int) {
        let reads = Reads()
        let bytes = Array(text.utf8)
        let remembered = try bytes.withUnsafeBufferPointer {
            try JSONValue(parsingUTF8: $0, projection: digest(reads), strings: &strings, subtrees: &subtrees)
        }
        #expect(remembered == (try JSONValue(parsing: bytes, projection: digest(Reads()))), "\(text)")
        return (remembered, reads.count)
    }

    @Test("versions of one array: unchanged elements are not read again, changed, added and removed ones are")
    func readsOnlyWhatChanged() throws {
        var subtrees = JSONSubtreeCache(), strings = JSONStringCache()
        func doc(_ items: [Int], name: String = "a", space: String = "") -> String {
            #"{"name":"\#(name)","items":[\#(space)\#(items.map(Self.item).joined(separator: "," + space))\#(space)]}"#
        }
        let all = Array(0..<30)
        #expect(try Self.read(doc(all), &subtrees, &strings).1 == 30, "first version: every item read")
        #expect(try Self.read(doc(all), &subtrees, &strings).1 == 0, "same bytes: none read")
        var changed = all
        changed[14] = 99
        #expect(try Self.read(doc(changed), &subtrees, &strings).1 == 1, "one changed in the middle")
        changed[0] = 98
        changed[29] = 97
        #expect(try Self.read(doc(changed), &subtrees, &strings).1 == 2, "the first and the last changed")
        changed[3] = 96
        #expect(try Self.read(doc(changed), &subtrees, &strings).1 == 1, "then one near the start")
        changed.insert(50, at: 10)
        #expect(try Self.read(doc(changed), &subtrees, &strings).1 == 1, "one added")
        changed[5] = 60
        changed[9] = 61
        changed.remove(at: 20)
        changed[25] = 62
        #expect(try Self.read(doc(changed), &subtrees, &strings).1 == 3, "three changed and one removed")
        changed.remove(at: 20)
        #expect(try Self.read(doc(changed), &subtrees, &strings).1 == 0, "one removed: nothing to read")
        changed.append(51)
        #expect(try Self.read(doc(changed), &subtrees, &strings).1 == 1, "one appended")
        changed.insert(52, at: 0)
        #expect(try Self.read(doc(changed), &subtrees, &strings).1 == 1, "one prepended")
        #expect(try Self.read(doc(changed, name: "b"), &subtrees, &strings).1 == changed.count, "another document's array is its own")
        #expect(try Self.read(doc(changed, space: " \n"), &subtrees, &strings).1 == 0, "other spacing only: every element taken again")
        #expect(try Self.read(doc([]), &subtrees, &strings).1 == 0)
        #expect(try Self.read(doc([1, 2], name: "small"), &subtrees, &strings).1 == 2)
        #expect(try Self.read(doc([1, 2], name: "small"), &subtrees, &strings).1 == 2, "arrays under 128 bytes are not kept")
        #expect(try Self.read(#"{"items":[\#(Self.item(1))]}"#, &subtrees, &strings).1 == 1, "no name: read whole")
    }

    /// Numbers and literals do not end where their bytes could: a kept `12` is not the start of `123`.
    static let numbers = JSONProjection(digest: { (s: inout JSONScanner) throws(JSONParseError) -> JSONValue in
        var items: [JSONValue] = []
        try s.members { s, key throws(JSONParseError) in
            if key == "items" { items = try s.elements(remembering: Self.reader, identity: "numbers") { s throws(JSONParseError) in try s.value() } }
        }
        return .array(items)
    })

    @Test("elements that are numbers or literals: a longer number or word where a kept one was is read as itself")
    func numbersAreNotCutShort() throws {
        var subtrees = JSONSubtreeCache(), strings = JSONStringCache()
        func read(_ items: [String]) throws -> JSONValue {
            let bytes = Array(#"{"items":[\#(items.joined(separator: ","))]}"#.utf8)
            let remembered = try bytes.withUnsafeBufferPointer {
                try JSONValue(parsingUTF8: $0, projection: Self.numbers, strings: &strings, subtrees: &subtrees)
            }
            #expect(remembered == (try JSONValue(parsing: bytes, projection: Self.numbers)))
            return remembered
        }
        var items = (0..<60).map { String(1000 + $0) }
        _ = try read(items)
        items[30] = "10300"
        #expect(try read(items).array?[30] == 10300)
        items[0] = "10000"
        items[59] = "1059e2"
        #expect(try read(items).array?[59] == 105900)
        items[10] = "true"
        _ = try read(items)
        items[10] = "trueish"
        #expect(throws: JSONParseError.self) { _ = try read(items) }
    }

    @Test("random edits of an array read as reading every element; bad bytes in the changed part are refused")
    func randomEdits() throws {
        var subtrees = JSONSubtreeCache(), strings = JSONStringCache()
        var state: UInt64 = 99
        func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
        var items = Array(0..<20)
        for round in 0..<300 {
            for _ in 0..<next(4) {
                switch next(4) {
                case 0: if !items.isEmpty { items[next(items.count)] = 100 + round }
                case 1: items.insert(200 + round, at: next(items.count + 1))
                case 2: if !items.isEmpty { items.remove(at: next(items.count)) }
                default: if items.count > 1 { items.swapAt(next(items.count), next(items.count)) }
                }
            }
            let separator = next(5) == 0 ? ", " : ","
            let text = #"{"name":"r","items":[\#(items.map(Self.item).joined(separator: separator))]}"#
            let (value, _) = try Self.read(text, &subtrees, &strings)
            #expect(value["items"]?.array?.count == items.count, "round \(round)")
        }
        guard items.count > 4 else { return }
        var broken = items.map(Self.item)
        broken[items.count / 2] = #"{"n":1,,}"#
        let text = #"{"name":"r","items":[\#(broken.joined(separator: ","))]}"#
        var copy = subtrees
        #expect(throws: JSONParseError.self) {
            try Array(text.utf8).withUnsafeBufferPointer {
                try JSONValue(parsingUTF8: $0, projection: Self.digest(Reads()), strings: &strings, subtrees: &copy)
            }
        }
        let missingComma = #"{"name":"r","items":[\#(items.map(Self.item).joined())]}"#
        #expect(throws: JSONParseError.self) {
            try Array(missingComma.utf8).withUnsafeBufferPointer {
                try JSONValue(parsingUTF8: $0, projection: Self.digest(Reads()), strings: &strings, subtrees: &subtrees)
            }
        }
    }
}
