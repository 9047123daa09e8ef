import Foundation
import JSON
import Testing
@testable import KubeSim

/// Answers in the metadata-only form (`Accept: application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1`),
/// as kube-apiserver's response transformation serves them to client-go's metadata client: one
/// object's (and a write's answer's) metadata, a list's as `PartialObjectMetadataList`, each watch
/// event's object; the wrong form for a list or an object is a 406 NotAcceptable.
@Suite("PartialObjectMetadata answers")
struct PartialObjectMetadataTests {
    static let single = [("Accept", "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json")]
    static let list = [("Accept", "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1")]

    @Test("the first media range the server serves wins; unknown groups, versions and types fall through to the next")
    func negotiation() {
        func form(_ accept: String?) -> ResponseForm {
            var headers: [(String, String)] = []
            if let accept { headers.append(("Accept", accept)) }
            return ResponseForm.of(HTTPRequest(method: "GET", target: "/", headers: HTTPHeaders(headers), body: []))
        }
        #expect(form(nil) == .object)
        #expect(form("application/json") == .object)
        #expect(form("*/*") == .object)
        #expect(form("application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1") == .metadata)
        #expect(form("application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1beta1") == .metadata)
        #expect(form("application/json; as=PartialObjectMetadataList; g=meta.k8s.io; v=v1") == .metadataList)
        #expect(form("application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json") == .table)
        #expect(form("application/vnd.kubernetes.protobuf;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json") == .object,
                "protobuf is not served here: the JSON range after it is")
        #expect(form("application/json;as=PartialObjectMetadata;g=apps;v=v1,application/json") == .object)
        #expect(form("application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v2,application/json;as=Table;g=meta.k8s.io;v=v1") == .table)
    }

    @Test("a PATCH answered as metadata stores the whole change and answers the object's metadata alone, with its new resourceVersion")
    func patchAnswer() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        _ = s.client.create(Resources.pods, Fixtures.pod("a"))
        let r = HTTP.request(s.port, "PATCH", Fixtures.podsPath + "/a", body: ["metadata": ["labels": ["x": "1"]], "spec": ["activeDeadlineSeconds": 30]],
                             contentType: "application/strategic-merge-patch+json", headers: Self.single)
        #expect(r.status == 200)
        #expect(r.headers["content-type"] == "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1")
        #expect(r.json["kind"] == "PartialObjectMetadata" && r.json["apiVersion"] == "meta.k8s.io/v1")
        #expect(Set(r.json.object?.keys ?? []) == ["kind", "apiVersion", "metadata"], "no spec or status: \(r.json.serialized())")
        let stored = try #require(s.store.get(Resources.pods, namespace: "default", name: "a"))
        #expect(r.json["metadata"] == stored["metadata"], "the stored object's whole metadata, resourceVersion included")
        #expect(stored[path: ["spec", "activeDeadlineSeconds"]] == 30 && stored[path: ["metadata", "labels", "x"]] == "1")
    }

    @Test("GET, POST and a status write answer in the form asked for; a Status answer passes as it is")
    func otherVerbs() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        let created = HTTP.request(s.port, "POST", Fixtures.podsPath, body: Fixtures.pod("b"), headers: Self.single)
        #expect(created.status == 201 && created.json["kind"] == "PartialObjectMetadata" && created.json[path: ["metadata", "name"]] == "b")
        let got = HTTP.get(s.port, Fixtures.podsPath + "/b", headers: Self.single)
        #expect(got.json["kind"] == "PartialObjectMetadata" && got.json["spec"] == nil)
        let status = HTTP.request(s.port, "PATCH", Fixtures.podsPath + "/b/status", body: ["status": ["message": "m"]],
                                  contentType: "application/merge-patch+json", headers: Self.single)
        #expect(status.status == 200 && status.json["kind"] == "PartialObjectMetadata")
        #expect(s.store.get(Resources.pods, namespace: "default", name: "b")?[path: ["status", "message"]] == "m")
        let missing = HTTP.get(s.port, Fixtures.podsPath + "/nosuch", headers: Self.single)
        #expect(missing.status == 404 && missing.json["kind"] == "Status")
    }

    @Test("a list as PartialObjectMetadataList keeps its pages; each item is a PartialObjectMetadata")
    func listForm() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        for i in 0..<3 { _ = s.client.create(Resources.pods, Fixtures.pod("p\(i)")) }
        let page = HTTP.get(s.port, Fixtures.podsPath + "?limit=2", headers: Self.list)
        #expect(page.status == 200 && page.headers["content-type"] == "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1")
        #expect(page.json["kind"] == "PartialObjectMetadataList" && page.json[path: ["metadata", "continue"]]?.string?.isEmpty == false)
        let items = page.json["items"]?.array ?? []
        #expect(items.count == 2 && items.allSatisfy { $0["kind"] == "PartialObjectMetadata" && $0["spec"] == nil && $0[path: ["metadata", "uid"]] != nil })
    }

    @Test("the wrong form is a 406 NotAcceptable: one object's form for a list, a list's for one object or a watch")
    func wrongForm() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        _ = s.client.create(Resources.pods, Fixtures.pod("a"))
        let list = HTTP.get(s.port, Fixtures.podsPath, headers: Self.single)
        #expect(list.status == 406 && list.json["reason"] == "NotAcceptable")
        #expect(list.json["message"] == "you requested PartialObjectMetadata, but the requested object is a list (*v1.PodList)")
        let one = HTTP.get(s.port, Fixtures.podsPath + "/a", headers: Self.list)
        #expect(one.status == 406 && one.json["message"] == "you requested PartialObjectMetadataList, but the requested object is not a list (*v1.Pod)")
    }

    @Test("a watch asked for metadata sends each event's object as a PartialObjectMetadata")
    func watchForm() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        let w = TestWatch(port: s.port, path: Fixtures.podsPath + "?watch=1&resourceVersion=\(s.store.resourceVersion)", headers: Self.single)
        #expect(w.status == 200)
        _ = s.client.create(Resources.pods, Fixtures.pod("a"))
        _ = s.client.patch(Resources.pods, namespace: "default", name: "a", patch: ["metadata": ["labels": ["x": "1"]]])
        let added = w.next()
        let modified = w.next()
        #expect(added?.0 == "ADDED" && added?.1["kind"] == "PartialObjectMetadata" && added?.1["status"] == nil)
        #expect(modified?.0 == "MODIFIED" && modified?.1[path: ["metadata", "labels", "x"]] == "1")
    }
}
