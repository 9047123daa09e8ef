import Foundation
import JSON
import Testing
@testable import KubeSim

@Suite("CRUD and Status errors")
struct CRUDTests {
    @Test("create answers 201 with uid, resourceVersion and creationTimestamp; get returns it")
    func createAndGet() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        let r = HTTP.request(s.port, "POST", Fixtures.podsPath, body: Fixtures.pod("a"))
        #expect(r.status == 201)
        let uid = r.json[path: ["metadata", "uid"]]?.string ?? ""
        #expect(uid.count == 36)
        #expect(Int(r.json[path: ["metadata", "resourceVersion"]]?.string ?? "") != nil)
        #expect(r.json[path: ["metadata", "creationTimestamp"]]?.string?.hasSuffix("Z") == true)
        #expect(r.json[path: ["status", "phase"]]?.string == "Pending")
        let g = HTTP.get(s.port, Fixtures.podsPath + "/a")
        #expect(g.status == 200)
        #expect(g.json["kind"]?.string == "Pod")
        #expect(g.json[path: ["metadata", "uid"]]?.string == uid)
    }

    @Test("NotFound, AlreadyExists and missing namespace Statuses carry the real messages")
    func errors() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        let nf = HTTP.get(s.port, Fixtures.podsPath + "/x")
        #expect(nf.status == 404)
        #expect(nf.json["message"]?.string == "pods \"x\" not found")
        #expect(nf.json["reason"]?.string == "NotFound")
        #expect(nf.json[path: ["details", "kind"]]?.string == "pods")
        #expect(nf.json["kind"]?.string == "Status")
        #expect(nf.json["status"]?.string == "Failure")
        let dnf = HTTP.get(s.port, "/apis/apps/v1/namespaces/default/deployments/web")
        #expect(dnf.json["message"]?.string == "deployments.apps \"web\" not found")
        #expect(HTTP.request(s.port, "POST", Fixtures.podsPath, body: Fixtures.pod("a")).status == 201)
        let dup = HTTP.request(s.port, "POST", Fixtures.podsPath, body: Fixtures.pod("a"))
        #expect(dup.status == 409)
        #expect(dup.json["reason"]?.string == "AlreadyExists")
        #expect(dup.json["message"]?.string == "pods \"a\" already exists")
        let ns = HTTP.request(s.port, "POST", "/api/v1/namespaces/nope/pods", body: Fixtures.pod("a", namespace: "nope"))
        #expect(ns.status == 404)
        #expect(ns.json["message"]?.string == "namespaces \"nope\" not found")
    }

    @Test("generateName makes a name of the prefix and 5 characters of the name alphabet")
    func generateName() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        var pod = Fixtures.pod("")
        pod[path: ["metadata", "name"]] = nil
        pod[path: ["metadata", "generateName"]] = "gen-"
        let r = HTTP.request(s.port, "POST", Fixtures.podsPath, body: pod)
        #expect(r.status == 201)
        let name = r.json[path: ["metadata", "name"]]?.string ?? ""
        #expect(name.hasPrefix("gen-") && name.count == 9)
        #expect(name.dropFirst(4).allSatisfy { SimRandom.nameAlphabet.contains($0) })
    }

    @Test("invalid objects get 422 Invalid with causes")
    func invalid() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        var pod = Fixtures.pod("bad")
        pod[path: ["spec", "containers"]] = [["name": "app"]]
        let r = HTTP.request(s.port, "POST", Fixtures.podsPath, body: pod)
        #expect(r.status == 422)
        #expect(r.json["reason"]?.string == "Invalid")
        #expect(r.json["message"]?.string == "Pod \"bad\" is invalid: spec.containers[0].image: Required value")
        #expect(r.json[path: ["details", "causes"]]?[0]?["field"]?.string == "spec.containers[0].image")
        #expect(r.json[path: ["details", "causes"]]?[0]?["reason"]?.string == "FieldValueRequired")
        var d = Fixtures.deployment("web")
        d[path: ["spec", "template", "metadata", "labels"]] = ["app": "other"]
        let dr = HTTP.request(s.port, "POST", "/apis/apps/v1/namespaces/default/deployments", body: d)
        #expect(dr.status == 422)
        #expect(dr.json["message"]?.string?.contains("spec.template.metadata.labels: Invalid value: map[string]string{\"app\":\"other\"}: `selector` does not match template `labels`") == true)
    }

    @Test("delete: a pod answers with the object, a deployment with a Success Status; dependents are collected")
    func delete() throws {
        let s = try Fixtures.server(scenario: .demo)
        defer { s.stop() }
        let pod = s.store.list(Resources.pods, namespace: "default").items.first { $0.metaName.hasPrefix("db-") }!
        let r = HTTP.request(s.port, "DELETE", Fixtures.podsPath + "/\(pod.metaName)")
        #expect(r.status == 200)
        #expect(r.json["kind"]?.string == "Pod")
        #expect(HTTP.get(s.port, Fixtures.podsPath + "/\(pod.metaName)").status == 404)
        let d = HTTP.request(s.port, "DELETE", "/apis/apps/v1/namespaces/default/deployments/web")
        #expect(d.status == 200)
        #expect(d.json["kind"]?.string == "Status")
        #expect(d.json["status"]?.string == "Success")
        #expect(d.json[path: ["details", "kind"]]?.string == "deployments")
        #expect(d.json[path: ["details", "group"]]?.string == "apps")
        #expect(s.store.list(Resources.replicaSets).items.isEmpty)
        #expect(!s.store.list(Resources.pods).items.contains { $0.metaName.hasPrefix("web-") })
    }

    @Test("405 for a verb the path does not serve, 400 for a body of another kind")
    func methodAndKind() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        let m = HTTP.request(s.port, "POST", Fixtures.podsPath + "/x", body: Fixtures.pod("x"))
        #expect(m.status == 405)
        #expect(m.json["reason"]?.string == "MethodNotAllowed")
        let k = HTTP.request(s.port, "POST", Fixtures.podsPath, body: Fixtures.deployment("d"))
        #expect(k.status == 400)
        #expect(k.json["message"]?.string == "the API version in the data (apps/v1) does not match the expected API version (v1)")
    }

    @Test("finalizers keep a deleted object until they are removed")
    func finalizers() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        var cm: JSONValue = ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c", "finalizers": ["example.com/keep"]], "data": ["a": "b"]]
        #expect(HTTP.request(s.port, "POST", "/api/v1/namespaces/default/configmaps", body: cm).status == 201)
        let d = HTTP.request(s.port, "DELETE", "/api/v1/namespaces/default/configmaps/c")
        #expect(d.status == 200)
        let got = HTTP.get(s.port, "/api/v1/namespaces/default/configmaps/c")
        #expect(got.status == 200)
        #expect(got.json[path: ["metadata", "deletionTimestamp"]]?.string != nil)
        cm = ["metadata": ["finalizers": .null]]
        let p = HTTP.request(s.port, "PATCH", "/api/v1/namespaces/default/configmaps/c", body: cm, contentType: "application/merge-patch+json")
        #expect(p.status == 200)
        #expect(HTTP.get(s.port, "/api/v1/namespaces/default/configmaps/c").status == 404)
    }
}
