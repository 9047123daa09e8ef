import Testing
import JSON
import YAML

/// JSON manifests: kubectl decodes a stream starting with `{` as JSON values, so numbers keep
/// their JSON meaning; concatenated objects (as `jq` prints them) are separate documents.
@Suite struct JSONInputTests {
    @Test func jsonObjectWithLargeIntsAndFloats() throws {
        let text = """
            {
            \t"apiVersion": "apps/v1",
            \t"kind": "Deployment",
            \t"metadata": {"name": "web", "generation": 9223372036854775807, "labels": {"app.kubernetes.io/name": "web"}},
            \t"spec": {"replicas": 3, "big": 12345678901234567890, "ratio": 1.0, "exp": 1e3, "neg": -42,
            \t         "flags": [true, false, null], "s": "yes", "escaped": "tab\\t\\u00e9\\"q\\"\\/"}
            }
            """
        let v = try value(text)
        #expect(identical(v["metadata"]!["generation"]!, .int(Int.max)))
        #expect(identical(v["spec"]!["replicas"]!, 3))
        #expect(identical(v["spec"]!["big"]!, .double(12345678901234567890.0)))
        #expect(identical(v["spec"]!["ratio"]!, .double(1.0)))
        #expect(identical(v["spec"]!["exp"]!, .double(1000)))
        #expect(identical(v["spec"]!["neg"]!, -42))
        #expect(identical(v["spec"]!["flags"]!, [true, false, .null]))
        #expect(identical(v["spec"]!["s"]!, "yes"))
        #expect(identical(v["spec"]!["escaped"]!, "tab\té\"q\"/"))
        #expect(v.object?.keys == ["apiVersion", "kind", "metadata", "spec"])
    }

    @Test func jsonDecodesLikeTheJSONModule() throws {
        let text = #"{"a": [1, 2.5, "x", {"b": null}], "c": {"d": false}, "e": -0.5, "f": "\u00fc"}"#
        let fromYAML = try value(text)
        let fromJSON = try JSONValue(parsing: text)
        #expect(identical(fromYAML, fromJSON))
    }

    @Test func concatenatedObjectsAreSeparateDocuments() throws {
        let docs = try parse("{\"kind\": \"A\"}\n{\"kind\": \"B\",\n \"n\": 1}{\"kind\": \"C\"}\n")
        #expect(docs.map { $0.value["kind"]?.string } == ["A", "B", "C"])
        #expect(docs.map(\.line) == [1, 2, 3])
        #expect(docs[1].positions["n"] == SourceMark(line: 3, column: 7))
        #expect(docs[2].positions["kind"] == SourceMark(line: 3, column: 18))
    }

    @Test func surrogatePairEscapesFallBackToTheJSONParser() throws {
        let docs = try parse("{\"a\": 1}\n{\"emoji\": \"\\ud83d\\ude00\", \"n\": 2}\n")
        #expect(docs.count == 2)
        #expect(identical(docs[1].value, ["emoji": "😀", "n": 2]))
        #expect(docs[1].line == 2)
        #expect(docs[1].positions[""] == SourceMark(line: 2, column: 1))
    }

    @Test func leadingWhitespaceAndByteOrderMarkBeforeJSON() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("\n\n  {\"a\": {\"b\": [1]}}".utf8)
        let docs = try YAML.documents(from: bytes, fileName: "x.json")
        #expect(docs.count == 1)
        #expect(docs[0].line == 3)
        #expect(docs[0].positions["a.b[0]"] == SourceMark(line: 3, column: 16))
    }

    @Test func byteOrderMarkTakesNoColumn() throws {
        let json = try YAML.documents(from: [0xEF, 0xBB, 0xBF] + Array("{\"a\": 1}".utf8), fileName: "x.json")
        let yaml = try YAML.documents(from: [0xEF, 0xBB, 0xBF] + Array("a: 1".utf8), fileName: "x.yaml")
        #expect(json[0].positions["a"] == SourceMark(line: 1, column: 7))
        #expect(json[0].positions[""] == SourceMark(line: 1, column: 1))
        #expect(yaml[0].positions["a"] == SourceMark(line: 1, column: 4))
        let error = try #require(parseError(bytes: [0xEF, 0xBB, 0xBF] + Array("a: ".utf8) + [0xFF]))
        #expect(error.line == 1 && error.column == 4)
    }

    @Test func jsonListOutputOfKubectl() throws {
        let text = """
            {
                "apiVersion": "v1",
                "items": [
                    {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "a"}},
                    {"apiVersion": "apps/v1", "kind": "Deployment", "metadata": {"name": "b"}}
                ],
                "kind": "List",
                "metadata": {"resourceVersion": ""}
            }
            """
        let v = try value(text)
        #expect(v["items"]?[1]?["metadata"]?["name"] == "b")
        #expect(identical(v["metadata"]!, ["resourceVersion": ""]))
    }

    @Test func streamsStartingWithABracketAreYAML() throws {
        let v = try value("[{\"a\": 1.0}, yes]")
        #expect(identical(v, [["a": 1], true]))
    }

    @Test func brokenJSONIsAnError() throws {
        let error = try #require(parseError("{\"a\": 1}\n{\"b\": [1, 2}\n"))
        #expect(error.line == 2)
        let duplicate = try #require(parseError("{\"a\": 1, \"a\": 2}"))
        #expect(duplicate.message == "mapping key \"a\" already defined at line 1")
    }
}
