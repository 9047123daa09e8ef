import Testing
import JSON
import YAML

/// go-yaml v2's limit cases (limit_test.go): alias-heavy documents are refused, large plain ones are
/// not; nesting is capped at the JSON module's depth.
@Suite struct LimitTests {
    @Test func goYAMLAliasLimitCaseIsRefused() throws {
        let entries = 1000 * 1024 / 4 - 100
        let text = "{a: &a [{a}" + String(repeating: ",{a}", count: entries) + "], b: &b [*a" + String(repeating: ",*a", count: 99) + "]}"
        let error = try #require(parseError(text))
        #expect(error.message == "document contains excessive aliasing")
    }

    @Test func goYAMLLargeMapsCaseIsAccepted() throws {
        let text = "a: &a [{a}" + String(repeating: ",{a}", count: 100 * 1024 / 4 - 1) + "]"
        let v = try value(text)
        #expect(v["a"]?.array?.count == 100 * 1024 / 4)
        #expect(identical(v["a"]![0]!, ["a": .null]))
    }

    @Test func fewAliasesOfABigAnchorAreAccepted() throws {
        let text = "{a: &a [{a}" + String(repeating: ",{a}", count: 5000) + "], b: [*a, *a]}"
        let v = try value(text)
        #expect(v["b"]?[1]?.array?.count == 5001)
    }

    @Test(arguments: [
        String(repeating: "[", count: 600),
        "x: " + String(repeating: "{a: ", count: 600),
        String(repeating: "- ", count: 600),
    ])
    func deepNestingIsRefused(_ text: String) throws {
        let error = try #require(parseError(text))
        #expect(error.message == "exceeded max nesting depth of 512")
    }

    @Test func nestingUpToTheLimitIsAccepted() throws {
        let v = try value(String(repeating: "[", count: 500) + String(repeating: "]", count: 500))
        var depth = 0
        var current = v
        while let inner = current.array { depth += 1; current = inner.first ?? .null }
        #expect(depth == 500)
    }
}
