import Testing
import JSON
import YAML

/// Anchors, aliases and merge keys as go-yaml v2 expands them, with its alias budget.
@Suite struct AnchorAndMergeTests {
    @Test func aliasesRepeatAnchoredValues() throws {
        let v = try value("""
            base: &img nginx:1.25
            list: &l [a, b]
            map: &m {x: 1}
            copies: [*img, *l, *m]
            """)
        #expect(identical(v["copies"]!, ["nginx:1.25", ["a", "b"], ["x": 1]]))
    }

    @Test func mergeKeyWithSingleMapExplicitKeysWin() throws {
        let v = try value("""
            defaults: &d
              cpu: 100m
              memory: 64Mi
            limits:
              memory: 128Mi
              <<: *d
            """)
        #expect(identical(v["limits"]!, ["memory": "128Mi", "cpu": "100m"]))
    }

    @Test func mergeKeyWithSequenceEarlierMapsWin() throws {
        let v = try value("""
            a: &a {p: 1, q: 1}
            b: &b {q: 2, r: 2}
            c:
              <<: [*a, *b]
              r: 3
            """)
        #expect(v["c"] == ["p": 1, "q": 1, "r": 3])
        #expect(v["c"]!.object!.keys == ["p", "q", "r"])
    }

    @Test func mergeKeyWithInlineMapsAndNesting() throws {
        let v = try value("""
            env:
              <<: {A: "1", B: "2"}
              B: "3"
            nested:
              <<:
                - {p: 1}
                - <<: {q: 2}
            """)
        #expect(identical(v["env"]!, ["A": "1", "B": "3"]))
        #expect(v["nested"]! == ["p": 1, "q": 2])
    }

    @Test func quotedMergeKeyIsAnOrdinaryKey() throws {
        let v = try value("\"<<\": {a: 1}\n")
        #expect(identical(v, ["<<": ["a": 1]]))
    }

    @Test(arguments: ["<<: 1\n", "<<: [1]\n", "x: &s [1]\n<<: *s\n", "<<: [[a]]\n"])
    func mergeOfNonMapsIsAnError(_ text: String) throws {
        let error = try #require(parseError(text))
        #expect(error.message == "map merge requires map or sequence of maps as the value")
    }

    @Test func unknownAnchorIsAnError() throws {
        let error = try #require(parseError("a: 1\nb: *nope\n"))
        #expect(error.message == "unknown anchor 'nope' referenced")
        #expect(error.line == 2 && error.column == 4)
    }

    @Test func anchorContainingItselfIsAnError() throws {
        let error = try #require(parseError("a: &x [1, *x]\n"))
        #expect(error.message == "anchor 'x' value contains itself")
    }

    @Test func anchorsDoNotCrossDocuments() throws {
        let error = try #require(parseError("a: &x 1\n---\nb: *x\n"))
        #expect(error.message == "unknown anchor 'x' referenced")
        #expect(error.line == 3)
    }

    @Test func redefinedAnchorUsesLatestDefinition() throws {
        let v = try value("a: &x 1\nb: &x 2\nc: *x\n")
        #expect(identical(v["c"]!, 2))
    }

    @Test func aliasUsedAsKeyConvertsLikeTheOriginalScalar() throws {
        let v = try value("a: &k 1e7\n*k : x\n")
        #expect(v.object?.keys == ["a", "1e+07"])
        #expect(identical(v["a"]!, 10_000_000))
    }

    @Test func billionLaughsIsRefused() throws {
        var text = "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n"
        let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"]
        for (prev, name) in zip(names, names.dropFirst()) {
            text += "\(name): &\(name) [" + Array(repeating: "*\(prev)", count: 9).joined(separator: ",") + "]\n"
        }
        let error = try #require(parseError(text))
        #expect(error.message == "document contains excessive aliasing")
    }

    @Test func moderateAliasingIsAccepted() throws {
        var text = "base: &b {image: nginx, ports: [80, 443], env: {A: '1', B: '2'}}\nitems:\n"
        for i in 0..<200 { text += "- {name: n\(i), spec: *b}\n" }
        let v = try value(text)
        #expect(v["items"]?.array?.count == 200)
        #expect(v["items"]?[199]?["spec"]?["ports"] == [80, 443])
    }
}
