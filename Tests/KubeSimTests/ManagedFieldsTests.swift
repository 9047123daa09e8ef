import Foundation
import JSON
import Testing
@testable import KubeSim

/// managedFields as kube-apiserver records them: the manager is the `fieldManager` parameter, else the
/// User-Agent up to its first `/`; each write takes the fields it changed from the other managers.
@Suite("managedFields: who wrote which field")
struct ManagedFieldsTests {
    static let path = "/apis/apps/v1/namespaces/default/deployments"

    func entries(_ object: JSONValue) -> [String: JSONValue] {
        Dictionary((object[path: ["metadata", "managedFields"]]?.array ?? []).map {
            ("\($0["manager"]?.string ?? "")|\($0["operation"]?.string ?? "")|\($0["subresource"]?.string ?? "")", $0)
        }, uniquingKeysWith: { a, _ in a })
    }

    @Test("create, a patch with fieldManager, an annotation write by User-Agent and a scale: each manager owns what it last set")
    func managersFollowTheirFields() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        let created = HTTP.request(s.port, "POST", Self.path + "?fieldManager=kubectl-client-side-apply", body: Fixtures.deployment("web"))
        #expect(created.status == 201)
        let first = entries(created.json)
        #expect(first.keys.sorted() == ["kubectl-client-side-apply|Update|"])
        #expect(first["kubectl-client-side-apply|Update|"]?[path: ["fieldsV1", "f:spec", "f:template", "f:spec", "f:containers", #"k:{"name":"app"}"#, "f:image"]] == .emptyObject)

        let patched = HTTP.request(s.port, "PATCH", Self.path + "/web?fieldManager=argocd-controller",
                                   body: ["spec": ["template": ["spec": ["containers": [["name": "app", "image": "nginx:1.26"]]]]]],
                                   contentType: "application/strategic-merge-patch+json")
        #expect(patched.status == 200)
        let second = entries(patched.json)
        let argo = try #require(second["argocd-controller|Update|"])
        #expect(argo["fieldsV1"] == ["f:spec": ["f:template": ["f:spec": ["f:containers": [#"k:{"name":"app"}"#: ["f:image": .emptyObject]]]]]])
        #expect(argo["apiVersion"] == "apps/v1" && argo["time"]?.string?.hasSuffix("Z") == true && argo["fieldsType"] == "FieldsV1")
        #expect(second["kubectl-client-side-apply|Update|"]?[path: ["fieldsV1", "f:spec", "f:template", "f:spec", "f:containers", #"k:{"name":"app"}"#, "f:image"]] == nil,
                "the image moved to its new writer")
        #expect(second["kubectl-client-side-apply|Update|"]?[path: ["fieldsV1", "f:spec", "f:replicas"]] == .emptyObject)

        let annotated = HTTP.request(s.port, "PATCH", Self.path + "/web", body: ["metadata": ["annotations": ["note": "x"]]],
                                     contentType: "application/merge-patch+json")
        #expect(entries(annotated.json)["kubesim-tests|Update|"]?["fieldsV1"] == ["f:metadata": ["f:annotations": ["f:note": .emptyObject]]])

        let scaled = HTTP.request(s.port, "PATCH", Self.path + "/web/scale?fieldManager=hpa", body: ["spec": ["replicas": 5]],
                                  contentType: "application/merge-patch+json")
        #expect(scaled.status == 200)
        let after = entries(HTTP.get(s.port, Self.path + "/web").json)
        #expect(after["hpa|Update|scale"]?["fieldsV1"] == ["f:spec": ["f:replicas": .emptyObject]])
        #expect(after["kubectl-client-side-apply|Update|"]?[path: ["fieldsV1", "f:spec", "f:replicas"]] == nil)

        let noop = HTTP.request(s.port, "PATCH", Self.path + "/web?fieldManager=other", body: ["metadata": ["annotations": ["note": "x"]]],
                                contentType: "application/merge-patch+json")
        #expect(entries(noop.json)["other|Update|"] == nil, "a write that changes nothing owns nothing")
    }
}
