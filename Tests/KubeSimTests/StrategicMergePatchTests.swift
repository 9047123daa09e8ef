import JSON
import Testing
@testable import KubeSim

@Suite("Strategic merge patch")
struct StrategicMergePatchTests {
    let pod: JSONValue = [
        "metadata": ["name": "p", "finalizers": ["a"], "ownerReferences": [["uid": "1", "name": "x"]]],
        "spec": [
            "containers": [
                ["name": "app", "image": "i1", "ports": [["containerPort": 80, "name": "http"]], "volumeMounts": [["mountPath": "/a", "name": "v"]]],
                ["name": "side", "image": "i2"],
            ],
            "tolerations": [["key": "a", "operator": "Exists"]],
            "volumes": [["name": "v", "emptyDir": .emptyObject]],
        ],
    ]

    func apply(_ patch: JSONValue) throws -> JSONValue {
        try StrategicMergePatch.apply(patch, to: pod, resource: Resources.pods)
    }

    @Test("lists merge by their patch merge keys; atomic lists are replaced")
    func mergeKeys() throws {
        let r = try apply([
            "spec": [
                "containers": [["name": "app", "ports": [["containerPort": 80, "protocol": "TCP"]], "volumeMounts": [["mountPath": "/b", "name": "w"]]]],
                "tolerations": [["key": "b", "operator": "Exists"]],
            ]
        ])
        let app = r[path: ["spec", "containers"]]![0]!
        #expect(app["image"]?.string == "i1")
        #expect(app["ports"]?.array?.count == 1)
        #expect(app["ports"]?[0]?["name"]?.string == "http")
        #expect(app["ports"]?[0]?["protocol"]?.string == "TCP")
        #expect(app["volumeMounts"]?.array?.count == 2)
        #expect(r[path: ["spec", "tolerations"]]?.array == [["key": "b", "operator": "Exists"]])
        #expect(r[path: ["spec", "containers"]]?.array?.count == 2)
    }

    @Test("$patch delete removes an element; $patch replace replaces a list or a map")
    func patchDirective() throws {
        let del = try apply(["spec": ["containers": [["name": "side", "$patch": "delete"]]]])
        #expect(del[path: ["spec", "containers"]]?.array?.map { $0["name"]?.string } == ["app"])
        let rep = try apply(["spec": ["containers": [["name": "only", "image": "x"], ["$patch": "replace"]]]])
        #expect(rep[path: ["spec", "containers"]]?.array?.map { $0["name"]?.string } == ["only"])
        let map = try apply(["metadata": ["$patch": "replace", "name": "q"]])
        #expect(map["metadata"] == ["name": "q"])
        #expect(throws: StrategicMergePatch.Failure.self) { try apply(["spec": ["$patch": "explode"]]) }
    }

    @Test("null deletes, primitive merge lists union, $deleteFromPrimitiveList and $retainKeys work, $setElementOrder orders")
    func directives() throws {
        let r = try apply([
            "metadata": ["finalizers": ["b", "a"], "ownerReferences": [["uid": "2", "name": "y"]]],
            "spec": [
                "volumes": [["name": "v", "$retainKeys": ["name", "configMap"], "configMap": ["name": "cm"]]],
                "$setElementOrder/containers": [["name": "side"], ["name": "app"]],
                "tolerations": .null,
            ],
        ])
        #expect(r[path: ["metadata", "finalizers"]]?.array == ["b", "a"])
        #expect(r[path: ["metadata", "ownerReferences"]]?.array?.count == 2)
        #expect(r[path: ["spec", "volumes"]]?[0] == ["name": "v", "configMap": ["name": "cm"]])
        #expect(r[path: ["spec", "containers"]]?.array?.map { $0["name"]?.string } == ["side", "app"])
        #expect(r[path: ["spec", "tolerations"]] == nil)
        let d = try apply(["metadata": ["$deleteFromPrimitiveList/finalizers": ["a"]]])
        #expect(d[path: ["metadata", "finalizers"]]?.array == [])
    }

    @Test("element order follows the real normalizeElementOrder: new items first, patch order, then live order")
    func elementOrder() throws {
        let live: JSONValue = ["status": ["conditions": [["type": "A"], ["type": "B"], ["type": "C"]]]]
        func conds(_ patch: JSONValue) throws -> [String] {
            try StrategicMergePatch.apply(patch, to: live, resource: Resources.pods)[path: ["status", "conditions"]]!.array!.compactMap { $0["type"]?.string }
        }
        #expect(try conds(["status": ["conditions": [["type": "X"]]]]) == ["X", "A", "B", "C"])
        #expect(try conds(["status": ["conditions": [["type": "C", "status": "True"]]]]) == ["A", "B", "C"])
        #expect(try conds(["status": ["conditions": [["type": "C"], ["type": "A"]]]]) == ["B", "C", "A"])
        #expect(try conds(["status": ["$setElementOrder/conditions": [["type": "C"], ["type": "B"], ["type": "A"]], "conditions": [["type": "B", "status": "x"]]]]) == ["C", "B", "A"])
        let containers = try apply(["spec": ["containers": [["name": "side", "image": "i3"]]]])[path: ["spec", "containers"]]!.array!
        #expect(containers.compactMap { $0["name"]?.string } == ["app", "side"])
    }

    @Test("a merge-list element without its merge key is refused")
    func missingMergeKey() {
        #expect(throws: StrategicMergePatch.Failure.self) {
            try StrategicMergePatch.apply(["spec": ["containers": [["image": "x"]]]], to: pod, resource: Resources.pods)
        }
    }

    @Test("workload templates use pod spec strategies; status conditions merge by type")
    func workloadPaths() {
        #expect(PatchSchema.strategy(for: Resources.deployments, path: ["spec", "template", "spec", "containers"]) == .mergeByKey("name"))
        #expect(PatchSchema.strategy(for: Resources.deployments, path: ["spec", "template", "spec", "containers", "env"]) == .mergeByKey("name"))
        #expect(PatchSchema.strategy(for: Resources.statefulSets, path: ["spec", "template", "spec", "readinessGates"]) == .atomic)
        #expect(PatchSchema.strategy(for: Resources.pods, path: ["status", "conditions"]) == .mergeByKey("type"))
        #expect(PatchSchema.strategy(for: Resources.pods, path: ["status", "containerStatuses"]) == .atomic)
        #expect(PatchSchema.strategy(for: Resources.deployments, path: ["status", "conditions"]) == .mergeByKey("type"))
        #expect(PatchSchema.strategy(for: Resources.pods, path: ["spec", "containers", "volumeMounts"]) == .mergeByKey("mountPath"))
    }

    @Test("JSON merge patch and JSON patch unit behaviour")
    func otherPatches() throws {
        #expect(JSONMergePatch.apply(["a": .null, "b": ["c": 1]], to: ["a": 1, "b": ["d": 2]]) == ["b": ["c": 1, "d": 2]])
        let doc: JSONValue = ["a": [1, 2], "b": "x"]
        #expect(try JSONPatch.apply([["op": "add", "path": "/a/-", "value": 3]], to: doc)["a"] == [1, 2, 3])
        #expect(try JSONPatch.apply([["op": "remove", "path": "/b"]], to: doc) == ["a": [1, 2]])
        #expect(try JSONPatch.apply([["op": "move", "from": "/b", "path": "/c"]], to: doc) == ["a": [1, 2], "c": "x"])
        #expect(throws: JSONPatch.Failure.self) { try JSONPatch.apply([["op": "test", "path": "/b", "value": "y"]], to: doc) }
        #expect(throws: JSONPatch.Failure.self) { try JSONPatch.apply([["op": "replace", "path": "/zz", "value": 1]], to: doc) }
    }
}
