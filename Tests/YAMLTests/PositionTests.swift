import Testing
import JSON
import YAML

/// Source positions of values by JSON path, and the nearest-ancestor lookup.
@Suite struct PositionTests {
    static let manifest = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          annotations:
            kubernetes.io/change-cause: "bump"
            "": empty
        spec:
          template:
            spec:
              containers:
              - name: app
                image: nginx:1.25
                ports: [{containerPort: 80}]
              - name: sidecar
                image: "envoy:1.30"
                args:
                  - --flag
        """

    @Test func positionsOfNestedValuesAndListItems() throws {
        let doc = try #require(try parse(Self.manifest).first)
        #expect(doc.positions[""] == SourceMark(line: 1, column: 1))
        #expect(doc.positions["kind"] == SourceMark(line: 2, column: 7))
        #expect(doc.positions["metadata"] == SourceMark(line: 4, column: 3))
        #expect(doc.positions["metadata.name"] == SourceMark(line: 4, column: 9))
        #expect(doc.positions["metadata.annotations[\"kubernetes.io/change-cause\"]"] == SourceMark(line: 6, column: 33))
        #expect(doc.positions["metadata.annotations[\"\"]"] == SourceMark(line: 7, column: 9))
        #expect(doc.positions["spec.template.spec.containers"] == SourceMark(line: 12, column: 7))
        #expect(doc.positions["spec.template.spec.containers[0]"] == SourceMark(line: 12, column: 9))
        #expect(doc.positions["spec.template.spec.containers[0].image"] == SourceMark(line: 13, column: 16))
        #expect(doc.positions["spec.template.spec.containers[0].ports[0].containerPort"] == SourceMark(line: 14, column: 33))
        #expect(doc.positions["spec.template.spec.containers[1].image"] == SourceMark(line: 16, column: 16))
        #expect(doc.positions["spec.template.spec.containers[1].args[0]"] == SourceMark(line: 18, column: 13))
        #expect(doc.line == 1)
    }

    @Test func markFallsBackToClosestAncestor() throws {
        let doc = try #require(try parse(Self.manifest).first)
        #expect(doc.mark(for: "spec.template.spec.containers[1].resources.limits") == SourceMark(line: 15, column: 9))
        #expect(doc.mark(for: "spec.template.spec.containers[7]") == SourceMark(line: 12, column: 7))
        #expect(doc.mark(for: "status") == SourceMark(line: 1, column: 1))
        #expect(doc.mark(for: "metadata.name") == SourceMark(line: 4, column: 9))
    }

    @Test func positionsInSecondDocumentAreAbsolute() throws {
        let docs = try parse("a: 1\n---\n\nkind: Pod\nspec:\n  x: 1\n")
        #expect(docs[1].positions["spec.x"] == SourceMark(line: 6, column: 6))
        #expect(docs[1].line == 4)
    }

    @Test func aliasAndMergedValuesPointAtTheAliasOrMapping() throws {
        let doc = try #require(try parse("base: &b {x: 1}\nuse: *b\nmerged:\n  <<: *b\n  w: 2\n").first)
        #expect(doc.positions["use"] == SourceMark(line: 2, column: 6))
        #expect(doc.positions["use.x"] == nil)
        #expect(doc.mark(for: "use.x") == SourceMark(line: 2, column: 6))
        #expect(doc.mark(for: "merged.x") == SourceMark(line: 4, column: 3))
        #expect(doc.positions["merged.w"] == SourceMark(line: 5, column: 6))
    }

    @Test func positionsAreValueSemanticAndSettable() throws {
        let original = try #require(try parse("a: {b: 1}\n").first)
        var copy = original
        copy.positions["a.c"] = SourceMark(line: 9, column: 9)
        #expect(copy.positions["a.c"] == SourceMark(line: 9, column: 9))
        #expect(copy.positions["a.b"] == SourceMark(line: 1, column: 8))
        #expect(original.positions["a.c"] == nil)
        copy.positions = ["": SourceMark(line: 2, column: 2)]
        #expect(copy.mark(for: "a.b") == SourceMark(line: 2, column: 2))
        #expect(original.mark(for: "a.b") == SourceMark(line: 1, column: 8))
    }

    @Test func positionsCanBeReadFromManyTasksAtOnce() async throws {
        let doc = try #require(try parse(Self.manifest).first)
        let counts = await withTaskGroup(of: Int.self) { group in
            for _ in 0..<8 { group.addTask { doc.positions.count } }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(counts == Array(repeating: 23, count: 8))
    }

    @Test func columnsCountCharactersNotBytes() throws {
        let doc = try #require(try parse("é: ü\nk: [ä, b]\n").first)
        #expect(doc.positions["é"] == SourceMark(line: 1, column: 4))
        #expect(doc.positions["k[1]"] == SourceMark(line: 2, column: 8))
    }
}

/// Building and splitting the JSON paths used as position keys.
@Suite struct YAMLPathTests {
    @Test func buildsPathsWithBracketsForDottedKeys() {
        #expect(YAMLPath.appending(key: "metadata", to: "") == "metadata")
        #expect(YAMLPath.appending(key: "name", to: "metadata") == "metadata.name")
        #expect(YAMLPath.appending(index: 2, to: "containers") == "containers[2]")
        #expect(YAMLPath.appending(index: 0, to: "") == "[0]")
        #expect(YAMLPath.appending(key: "app.kubernetes.io/name", to: "labels") == "labels[\"app.kubernetes.io/name\"]")
        #expect(YAMLPath.appending(key: "a[0]", to: "") == "[\"a[0]\"]")
        #expect(YAMLPath.appending(key: "q\"uote.", to: "x") == "x[\"q\\\"uote.\"]")
        #expect(YAMLPath.string([.key("spec"), .key("containers"), .index(0), .key("image")]) == "spec.containers[0].image")
    }

    @Test(arguments: [
        [YAMLPath.Component](),
        [.key("spec"), .key("template"), .key("spec"), .key("containers"), .index(3), .key("image")],
        [.index(0), .index(1), .key("a.b"), .key(""), .key("c[d]"), .key("e\"f\\g"), .key("x")],
    ])
    func componentsRoundTrip(_ components: [YAMLPath.Component]) {
        #expect(YAMLPath.components(of: YAMLPath.string(components)) == components)
    }
}
