import Testing
import JSON
import YAML

/// Multi-document streams: separators, empty and null documents skipped, indices and lines,
/// comments, byte order mark, CRLF line ends.
@Suite struct DocumentStreamTests {
    @Test func emptyAndNullDocumentsAreSkippedAndLinesPointAtContent() throws {
        let docs = try parse("""
            # leading comment
            ---
            # only a comment
            ---
            ---
            kind: A
            ---
            ~
            ---

            # comment before content
            kind: B
            ...
            ---
            null
            --- # trailing comment
            [1, 2]
            """)
        #expect(docs.map(\.index) == [0, 1, 2])
        #expect(docs.map(\.line) == [6, 12, 17])
        #expect(identical(docs[0].value, ["kind": "A"]))
        #expect(identical(docs[1].value, ["kind": "B"]))
        #expect(identical(docs[2].value, [1, 2]))
    }

    @Test(arguments: ["", "\n\n", "# just a comment\n", "---\n", "---\n...\n", "\u{FEFF}", "~\n", "null"])
    func inputsWithoutContentGiveNoDocuments(_ text: String) throws {
        #expect(try parse(text).isEmpty)
    }

    @Test func byteOrderMarkAndCRLFAreAccepted() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("a: 1\r\nb:\r\n  - x\r\n---\r\nc: \"q\"\r\n".utf8)
        let docs = try YAML.documents(from: bytes, fileName: "crlf.yaml")
        #expect(docs.count == 2)
        #expect(identical(docs[0].value, ["a": 1, "b": ["x"]]))
        #expect(docs[0].positions["b[0]"] == SourceMark(line: 3, column: 5))
        #expect(identical(docs[1].value, ["c": "q"]))
        #expect(docs[1].line == 5)
    }

    @Test func commentsAnywhereAreIgnored() throws {
        let v = try value("""
            a: 1 # trailing
            # between
            b: # before value
              - x # item
              # between items
              - "y#not-a-comment"
            c: value#not-a-comment
            """)
        #expect(identical(v, ["a": 1, "b": ["x", "y#not-a-comment"], "c": "value#not-a-comment"]))
    }

    @Test func documentEndMarkerWithoutNewSeparator() throws {
        let docs = try parse("a: 1\n...\n---\nb: 2\n...\n")
        #expect(docs.count == 2)
        #expect(docs[1].line == 4)
    }

    @Test func scalarDocumentsAreKept() throws {
        let docs = try parse("--- hello\n--- 42\n")
        #expect(docs.count == 2)
        #expect(identical(docs[0].value, "hello"))
        #expect(identical(docs[1].value, 42))
    }

    @Test func fileNameIsCarriedIntoErrors() throws {
        do {
            _ = try YAML.documents(from: Array("a: [\n".utf8), fileName: "deploy/web.yaml")
            Issue.record("expected an error")
        } catch {
            #expect(error.file == "deploy/web.yaml")
            #expect(error.description.hasPrefix("deploy/web.yaml:2:1: "))
        }
    }
}
