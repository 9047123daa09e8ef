import Testing
import JSON
import YAML

/// Syntax errors come from libyaml with its problem mark and context; conversion errors are the
/// ones kubectl reports. All carry the file name and a 1-based line and column.
@Suite struct ErrorTests {
    @Test func duplicateKeyNamesTheKeyAndBothLines() throws {
        let error = try #require(parseError("""
            metadata:
              name: web
              labels: {app: web}
              name: api
            """))
        #expect(error.line == 4 && error.column == 3)
        #expect(error.message == "mapping key \"name\" already defined at line 2")
        #expect(error.description == "test.yaml:4:3: mapping key \"name\" already defined at line 2")
    }

    @Test func duplicateKeyInLargeMappingAndInFlowMapping() throws {
        var text = "data:\n"
        for i in 0..<40 { text += "  k\(i): v\n" }
        text += "  k7: again\n"
        let error = try #require(parseError(text))
        #expect(error.message == "mapping key \"k7\" already defined at line 9")
        #expect(error.line == 42)
        let flow = try #require(parseError("x: {a: 1, b: 2, a: 3}\n"))
        #expect(flow.message == "mapping key \"a\" already defined at line 1")
        #expect(flow.column == 17)
    }

    @Test func keysThatConvertToTheSameStringAreDuplicates() throws {
        let error = try #require(parseError("1: a\n\"1\": b\n"))
        #expect(error.message == "mapping key \"1\" already defined at line 1")
        let bools = try #require(parseError("on: a\ntrue: b\n"))
        #expect(bools.message == "mapping key \"true\" already defined at line 1")
    }

    @Test func sameKeyInDifferentMappingsIsFine() throws {
        let v = try value("a: {name: x}\nb: {name: y}\nlist:\n- name: p\n- name: q\n")
        #expect(v["list"]?[1]?["name"] == "q")
    }

    @Test func tabIndentationReportsLineAndColumn() throws {
        let error = try #require(parseError("spec:\n\ttemplate: {}\n"))
        #expect(error.line == 2 && error.column == 1)
        #expect(error.message == "found character that cannot start any token (while scanning for the next token)")
        let afterValue = try #require(parseError("spec:\n  replicas: 2\n\ttemplate: {}\n"))
        #expect(afterValue.line == 3 && afterValue.column == 1)
        #expect(afterValue.message == "found a tab character that violates indentation (while scanning a plain scalar started at line 2, column 13)")
    }

    @Test(arguments: ["name: 'web\nkind: Pod\n", "name: \"web\nkind: Pod\n"])
    func unclosedQuoteReportsEndAndStart(_ text: String) throws {
        let error = try #require(parseError(text))
        #expect(error.line == 3 && error.column == 1)
        #expect(error.message == "found unexpected end of stream (while scanning a quoted scalar started at line 1, column 7)")
    }

    @Test func badIndentationIsReported() throws {
        let error = try #require(parseError("metadata:\n  name: x\n labels: {}\n"))
        #expect(error.line == 3 && error.column == 2)
        #expect(error.message.hasPrefix("did not find expected key"))
        #expect(error.message.contains("while parsing a block mapping"))
    }

    @Test func mappingValueInPlainScalarIsReported() throws {
        let error = try #require(parseError("image: nginx: latest\n"))
        #expect(error.line == 1 && error.column == 13)
        #expect(error.message == "mapping values are not allowed in this context")
    }

    @Test func unclosedFlowSequenceIsReported() throws {
        let error = try #require(parseError("args: [a, b\nnext: 1\n"))
        #expect(error.message.hasPrefix("did not find expected ',' or ']'"))
        #expect(error.message.contains("flow sequence started at line 1, column 7"))
    }

    @Test func binaryGarbageIsRejectedWithPosition() throws {
        let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46]
        let error = try #require(parseError(bytes: jpeg))
        #expect(error.line == 1 && error.column == 1)
        #expect(error.message.hasPrefix("invalid leading UTF-8 octet"))

        let elf: [UInt8] = Array("ok: 1\n".utf8) + [0x7F, 0x45, 0x4C, 0x46, 0x02, 0x01, 0x01, 0x00]
        let control = try #require(parseError(bytes: elf))
        #expect(control.line == 2 && control.column == 1)
        #expect(control.message.hasPrefix("control characters are not allowed"))

        let truncated: [UInt8] = Array("a: b\nc: ".utf8) + [0xC3, 0x28]
        let utf8 = try #require(parseError(bytes: truncated))
        #expect(utf8.line == 2)
        #expect(utf8.message.hasPrefix("invalid trailing UTF-8 octet"))
    }

    @Test func nulByteIsRejected() throws {
        let error = try #require(parseError(bytes: Array("a: x".utf8) + [0x00] + Array("y\n".utf8)))
        #expect(error.line == 1 && error.column == 5)
        #expect(error.message.hasPrefix("control characters are not allowed"))
    }

    @Test func errorInLaterDocumentHasAbsoluteLine() throws {
        let error = try #require(parseError("a: 1\n---\nb: 2\n---\nc: [\n"))
        #expect(error.line == 6)
    }

    @Test func errorsAreValueTypesWithReadableDescription() {
        let error = YAMLError(file: "f.yaml", line: 3, column: 9, message: "boom")
        #expect(error.description == "f.yaml:3:9: boom")
        #expect(error == YAMLError(file: "f.yaml", line: 3, column: 9, message: "boom"))
    }
}
