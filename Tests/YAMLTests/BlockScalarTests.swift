import Testing
import JSON
import YAML

/// Literal and folded block scalars keep their text as strings, with YAML's chomping and
/// indentation indicators.
@Suite struct BlockScalarTests {
    static let cases: [(String, String)] = [
        ("|\n  a\n  b\n", "a\nb\n"),
        ("|-\n  a\n  b\n\n", "a\nb"),
        ("|+\n  a\n  b\n\n", "a\nb\n\n"),
        (">\n  a\n  b\n\n  c\n", "a b\nc\n"),
        (">-\n  a\n  b\n", "a b"),
        (">+\n  a\n\n", "a\n\n"),
        ("|2\n    indented\n  base\n", "  indented\nbase\n"),
        ("|1-\n  x\n", " x"),
        ("|\n  true\n", "true\n"),
        ("|-\n  123\n", "123"),
        (">\n  a\n    more\n  b\n", "a\n  more\nb\n"),
        ("|\n  # not a comment\n  x: y\n", "# not a comment\nx: y\n"),
    ]

    @Test(arguments: cases)
    func blockScalarsStayStrings(_ scalar: String, _ expected: String) throws {
        let v = try value("v: \(scalar)k: end\n")
        #expect(identical(v, ["v": .string(expected), "k": "end"]))
    }

    @Test func blockScalarWithCRLFLineBreaks() throws {
        let v = try value("script: |\r\n  echo a\r\n  echo b\r\nnext: 1\r\n")
        #expect(identical(v, ["script": "echo a\necho b\n", "next": 1]))
    }

    @Test func blockScalarInSequenceAndAtEndOfStream() throws {
        let v = try value("args:\n- |\n  one\n- >-\n  two\n  lines")
        #expect(identical(v, ["args": ["one\n", "two lines"]]))
    }

    @Test func badBlockScalarIndentationIsAnError() throws {
        let error = try #require(parseError("v: |\n    a\n  b\nc: 1\n"))
        #expect(error.line == 3)
    }
}
