import Foundation
import JSON
import Testing
@testable import KubeSim

@Suite("Lists, pagination and selectors")
struct ListAndSelectorTests {
    @Test("2,500 pods with a page cap of 500 come in 5 pages at one resourceVersion, whatever limit the client asks")
    func pagination() throws {
        let s = try Fixtures.server(scenario: .bulk(replicas: 2500, server: ServerOptions(pageSizeCap: 500)))
        defer { s.stop() }
        for (round, limit) in ["&limit=1000", ""].enumerated() {
            var names = Set<String>()
            var pages = 0
            var token: String?
            var rvs = Set<String>()
            repeat {
                var path = Fixtures.podsPath + "?x=1" + limit
                if let token { path += "&continue=\(PercentDecoding.encode(token))" }
                let r = HTTP.get(s.port, path)
                #expect(r.status == 200)
                let items = r.json["items"]?.array ?? []
                #expect(items.count <= 500)
                #expect(items.first?["kind"] == nil)
                for i in items { names.insert(i.metaName) }
                rvs.insert(r.json[path: ["metadata", "resourceVersion"]]?.string ?? "")
                token = r.json[path: ["metadata", "continue"]]?.string
                if token != nil { #expect(r.json[path: ["metadata", "remainingItemCount"]]?.int == 2500 - (pages + 1) * 500) }
                pages += 1
                if pages == 2 && limit.isEmpty {
                    _ = s.client.create(Resources.pods, Fixtures.pod("zzz-added-mid-list"))
                }
            } while token != nil && pages < 10
            #expect(pages == 5)
            #expect(names.count == 2500)
            _ = round
            #expect(rvs.count == 1)
        }
    }

    @Test("limit pages without a cap; garbage continue is 400; a compacted continue is 410 Expired")
    func continueTokens() throws {
        let s = try Fixtures.server(scenario: .bulk(replicas: 30))
        defer { s.stop() }
        let first = HTTP.get(s.port, Fixtures.podsPath + "?limit=10")
        #expect(first.json["items"]?.array?.count == 10)
        let token = first.json[path: ["metadata", "continue"]]!.string!
        let bad = HTTP.get(s.port, Fixtures.podsPath + "?limit=10&continue=garbage!!")
        #expect(bad.status == 400)
        #expect(bad.json["reason"]?.string == "BadRequest")
        _ = s.client.create(Resources.pods, Fixtures.pod("new-one"))
        s.compactHistory()
        let expired = HTTP.get(s.port, Fixtures.podsPath + "?limit=10&continue=\(PercentDecoding.encode(token))")
        #expect(expired.status == 410)
        #expect(expired.json["reason"]?.string == "Expired")
        #expect(expired.json[path: ["metadata", "continue"]]?.string?.isEmpty == false)
        let all = HTTP.get(s.port, Fixtures.podsPath)
        #expect(all.json["items"]?.array?.count == 31)
        #expect(all.json[path: ["metadata", "continue"]] == nil)
    }

    @Test("label selectors: equality, inequality, set-based and existence, over HTTP")
    func labelSelectors() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        for (n, labels) in [("a", ["app": "web", "tier": "fe"]), ("b", ["app": "web", "tier": "be"]), ("c", ["app": "db"]), ("d", ["other": "1"])] {
            _ = s.client.create(Resources.pods, Fixtures.pod(n, labels: labels))
        }
        func names(_ sel: String) -> [String] {
            let r = HTTP.get(s.port, Fixtures.podsPath + "?labelSelector=" + PercentDecoding.encode(sel))
            return (r.json["items"]?.array ?? []).map(\.metaName)
        }
        #expect(names("app=web") == ["a", "b"])
        #expect(names("app==web,tier!=fe") == ["b"])
        #expect(names("app in (web, db)") == ["a", "b", "c"])
        #expect(names("app notin (web)") == ["c", "d"])
        #expect(names("!app") == ["d"])
        #expect(names("tier") == ["a", "b"])
        let bad = HTTP.get(s.port, Fixtures.podsPath + "?labelSelector=" + PercentDecoding.encode("app in web"))
        #expect(bad.status == 400)
    }

    @Test("field selectors on metadata.name, spec.nodeName and status.phase; unsupported fields are 400")
    func fieldSelectors() throws {
        let s = try Fixtures.server(scenario: .demo)
        defer { s.stop() }
        func count(_ sel: String, _ path: String = "/api/v1/pods") -> Int {
            (HTTP.get(s.port, path + "?fieldSelector=" + PercentDecoding.encode(sel)).json["items"]?.array ?? []).count
        }
        #expect(count("metadata.name=db-1") == 1)
        #expect(count("spec.nodeName=node-1") >= 3)
        #expect(count("status.phase=Running") == 10)
        #expect(count("status.phase!=Running") == 0)
        #expect(count("metadata.namespace=default") == 10)
        let bad = HTTP.get(s.port, "/api/v1/pods?fieldSelector=spec.foo%3Dx")
        #expect(bad.status == 400)
        #expect(bad.json["message"]?.string == "field label not supported: spec.foo")
    }

    @Test("the label selector parser handles the grammar and rejects bad input")
    func selectorParser() throws {
        let sel = try LabelSelector(parsing: "a=b, c in (d,e),!f,g,h notin (i),j!=k")
        #expect(sel.matches(["a": "b", "c": "e", "g": "1", "j": "x"]))
        #expect(!sel.matches(["a": "b", "c": "e", "g": "1", "f": "1"]))
        #expect(!sel.matches(["a": "b", "c": "z", "g": "1"]))
        #expect(try LabelSelector(parsing: "").isEmpty)
        #expect(throws: APIError.self) { try LabelSelector(parsing: "a in (b") }
        #expect(throws: APIError.self) { try LabelSelector(parsing: "a=b c") }
        let fromObject = LabelSelector(object: ["matchLabels": ["app": "x"], "matchExpressions": [["key": "t", "operator": "In", "values": ["1"]]]])
        #expect(fromObject.matches(["app": "x", "t": "1"]))
        #expect(!fromObject.matches(["app": "x"]))
    }

    @Test("resourceVersionMatch=Exact lists an older state from the history")
    func exactResourceVersion() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        _ = s.client.create(Resources.pods, Fixtures.pod("one"))
        let rv = s.store.resourceVersion
        _ = s.client.create(Resources.pods, Fixtures.pod("two"))
        _ = s.client.delete(Resources.pods, namespace: "default", name: "one")
        let r = HTTP.get(s.port, Fixtures.podsPath + "?resourceVersion=\(rv)&resourceVersionMatch=Exact")
        #expect((r.json["items"]?.array ?? []).map(\.metaName) == ["one"])
        #expect(r.json[path: ["metadata", "resourceVersion"]]?.string == String(rv))
        let now = HTTP.get(s.port, Fixtures.podsPath)
        #expect((now.json["items"]?.array ?? []).map(\.metaName) == ["two"])
    }
}
