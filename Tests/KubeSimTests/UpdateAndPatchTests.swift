import Foundation
import JSON
import Testing
@testable import KubeSim

@Suite("Update, conflicts and patches")
struct UpdateAndPatchTests {
    static let conflictMessage =
        "Operation cannot be fulfilled on pods \"a\": the object has been modified; please apply your changes to the latest version and try again"

    func serverWithPod() throws -> (KubeSimServer, JSONValue) {
        let s = try Fixtures.server()
        let r = HTTP.request(s.port, "POST", Fixtures.podsPath, body: Fixtures.pod("a"))
        return (s, r.json)
    }

    @Test("PUT with a stale resourceVersion gets 409 Conflict; without one, pods update")
    func putConflict() throws {
        let (s, pod) = try serverWithPod()
        defer { s.stop() }
        var stale = pod
        stale[path: ["metadata", "labels", "x"]] = "1"
        stale[path: ["metadata", "resourceVersion"]] = "1"
        let r = HTTP.request(s.port, "PUT", Fixtures.podsPath + "/a", body: stale)
        #expect(r.status == 409)
        #expect(r.json["reason"]?.string == "Conflict")
        #expect(r.json["message"]?.string == Self.conflictMessage)
        stale[path: ["metadata", "resourceVersion"]] = nil
        let ok = HTTP.request(s.port, "PUT", Fixtures.podsPath + "/a", body: stale)
        #expect(ok.status == 200)
        #expect(ok.json[path: ["metadata", "labels", "x"]]?.string == "1")
        #expect(ok.json[path: ["metadata", "resourceVersion"]]?.string != pod[path: ["metadata", "resourceVersion"]]?.string)
    }

    @Test("a patch carrying a stale metadata.resourceVersion gets 409; a current one succeeds")
    func patchConflict() throws {
        let (s, pod) = try serverWithPod()
        defer { s.stop() }
        let rv = pod[path: ["metadata", "resourceVersion"]]!.string!
        let stale = HTTP.request(
            s.port, "PATCH", Fixtures.podsPath + "/a", body: ["metadata": ["resourceVersion": "1", "labels": ["b": "2"]]],
            contentType: "application/strategic-merge-patch+json")
        #expect(stale.status == 409)
        #expect(stale.json["message"]?.string == Self.conflictMessage)
        let fresh = HTTP.request(
            s.port, "PATCH", Fixtures.podsPath + "/a", body: ["metadata": ["resourceVersion": .string(rv), "labels": ["b": "2"]]],
            contentType: "application/merge-patch+json")
        #expect(fresh.status == 200)
    }

    @Test("strategic merge of containers by name changes one image and keeps the other container")
    func strategicContainers() throws {
        let (s, _) = try serverWithPod()
        defer { s.stop() }
        let r = HTTP.request(
            s.port, "PATCH", Fixtures.podsPath + "/a", body: ["spec": ["containers": [["name": "app", "image": "nginx:1.27"]]]],
            contentType: "application/strategic-merge-patch+json")
        #expect(r.status == 200)
        let containers = r.json[path: ["spec", "containers"]]?.array ?? []
        #expect(containers.count == 2)
        #expect(containers[0]["image"]?.string == "nginx:1.27")
        #expect(containers[0]["env"]?[0]?["name"]?.string == "A")
        #expect(containers[1]["image"]?.string == "busybox:1.36")
    }

    @Test("strategic merge to /status merges conditions by type; a merge patch replaces the list")
    func statusConditions() throws {
        let (s, _) = try serverWithPod()
        defer { s.stop() }
        let cond: JSONValue = ["type": "InPlaceUpdateReady", "status": "False", "reason": "Updating"]
        let r1 = HTTP.request(
            s.port, "PATCH", Fixtures.podsPath + "/a/status",
            body: ["status": ["conditions": [["type": "PodScheduled", "status": "True"], cond]]],
            contentType: "application/strategic-merge-patch+json")
        #expect(r1.status == 200)
        let r2 = HTTP.request(
            s.port, "PATCH", Fixtures.podsPath + "/a/status",
            body: ["status": ["conditions": [["type": "InPlaceUpdateReady", "status": "True"]]]],
            contentType: "application/strategic-merge-patch+json")
        let conds = r2.json[path: ["status", "conditions"]]?.array ?? []
        #expect(conds.count == 2)
        #expect(conds.first { $0["type"]?.string == "InPlaceUpdateReady" }?["status"]?.string == "True")
        #expect(conds.first { $0["type"]?.string == "InPlaceUpdateReady" }?["reason"]?.string == "Updating")
        let r3 = HTTP.request(
            s.port, "PATCH", Fixtures.podsPath + "/a/status",
            body: ["status": ["conditions": [["type": "Other", "status": "True"]]]], contentType: "application/merge-patch+json")
        #expect(r3.json[path: ["status", "conditions"]]?.array?.count == 1)
    }

    @Test("JSON patch: replace works, a failed test gets 422 with the real message, no write happens")
    func jsonPatch() throws {
        let (s, _) = try serverWithPod()
        defer { s.stop() }
        let ok = HTTP.request(
            s.port, "PATCH", Fixtures.podsPath + "/a",
            body: [["op": "test", "path": "/spec/containers/0/image", "value": "nginx:1.25"], ["op": "replace", "path": "/spec/containers/0/image", "value": "nginx:1.26"]],
            contentType: "application/json-patch+json")
        #expect(ok.status == 200)
        #expect(ok.json[path: ["spec", "containers"]]?[0]?["image"]?.string == "nginx:1.26")
        let rv = s.store.resourceVersion
        let bad = HTTP.request(
            s.port, "PATCH", Fixtures.podsPath + "/a", body: [["op": "test", "path": "/spec/containers/0/image", "value": "nginx:1.25"]],
            contentType: "application/json-patch+json")
        #expect(bad.status == 422)
        #expect(bad.json["reason"]?.string == "Invalid")
        #expect(bad.json["message"]?.string == "the server rejected our request due to an error in our request")
        #expect(bad.json[path: ["details", "causes"]] == [[
            "reason": "UnexpectedServerResponse", "message": "testing value /spec/containers/0/image failed: test failed",
        ]], "the patch library's error is the cause, as apimachinery's NewGenericServerResponse attaches it")
        #expect(s.store.resourceVersion == rv)
    }

    @Test("unknown patch content types get 415; apply without fieldManager gets 422")
    func patchTypes() throws {
        let (s, _) = try serverWithPod()
        defer { s.stop() }
        let r = HTTP.request(s.port, "PATCH", Fixtures.podsPath + "/a", body: ["metadata": .emptyObject], contentType: "application/json")
        #expect(r.status == 415)
        #expect(r.json["reason"]?.string == "UnsupportedMediaType")
        #expect(
            r.json["message"]?.string
                == "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json, application/apply-patch+yaml"
        )
        let apply = HTTP.request(s.port, "PATCH", Fixtures.podsPath + "/a", body: ["metadata": .emptyObject], contentType: "application/apply-patch+yaml")
        #expect(apply.status == 422)
        #expect(apply.json["message"]?.string == "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required value: is required for apply patch")
        let applied = HTTP.request(
            s.port, "PATCH", Fixtures.podsPath + "/a?fieldManager=test",
            body: ["apiVersion": "v1", "kind": "Pod", "metadata": ["name": "a", "labels": ["applied": "yes"]]],
            contentType: "application/apply-patch+yaml")
        #expect(applied.status == 200)
        #expect(applied.json[path: ["metadata", "labels", "applied"]]?.string == "yes")
    }

    @Test("a patch of a missing object is NotFound")
    func patchMissing() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        let r = HTTP.request(s.port, "PATCH", Fixtures.podsPath + "/zz", body: ["metadata": .emptyObject], contentType: "application/merge-patch+json")
        #expect(r.status == 404)
        #expect(r.json["message"]?.string == "pods \"zz\" not found")
    }

    @Test("a no-op patch keeps the resourceVersion and writes no event")
    func noOpPatch() throws {
        let (s, pod) = try serverWithPod()
        defer { s.stop() }
        let rv = s.store.resourceVersion
        let r = HTTP.request(s.port, "PATCH", Fixtures.podsPath + "/a", body: ["metadata": ["labels": ["app": "x"]]], contentType: "application/merge-patch+json")
        #expect(r.status == 200)
        #expect(r.json[path: ["metadata", "resourceVersion"]] == pod[path: ["metadata", "resourceVersion"]])
        #expect(s.store.resourceVersion == rv)
    }

    @Test("scale subresource reads and sets replicas")
    func scale() throws {
        let s = try Fixtures.server(scenario: .demo)
        defer { s.stop() }
        let g = HTTP.get(s.port, "/apis/apps/v1/namespaces/default/deployments/web/scale")
        #expect(g.json["kind"]?.string == "Scale")
        #expect(g.json[path: ["spec", "replicas"]]?.int == 4)
        #expect(g.json[path: ["status", "selector"]]?.string == "app=web")
        let p = HTTP.request(
            s.port, "PATCH", "/apis/apps/v1/namespaces/default/deployments/web/scale", body: ["spec": ["replicas": 6]],
            contentType: "application/merge-patch+json")
        #expect(p.status == 200)
        #expect(s.store.get(Resources.deployments, namespace: "default", name: "web")?[path: ["spec", "replicas"]]?.int == 6)
    }
}
