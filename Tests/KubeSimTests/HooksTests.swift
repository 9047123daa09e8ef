import Foundation
import JSON
import Testing
@testable import KubeSim

@Suite("Auth, faults, request log, store and discovery")
struct HooksTests {
    @Test("explicit options win over the scenario's server options")
    func optionsPrecedence() throws {
        var scenario = Scenario.demo
        scenario.server.pageSizeCap = 2
        let fromScenario = try KubeSimServer(scenario: scenario)
        defer { fromScenario.stop() }
        #expect(fromScenario.options.pageSizeCap == 2)
        let explicit = try KubeSimServer(options: ServerOptions(pageSizeCap: 3), scenario: scenario)
        defer { explicit.stop() }
        #expect(explicit.options.pageSizeCap == 3)
        #expect(HTTP.get(explicit.port, Fixtures.podsPath).json["items"]?.array?.count == 3)
    }

    @Test("a required bearer token or basic auth: 401 Unauthorized Status otherwise")
    func auth() throws {
        let s = try Fixtures.server(ServerOptions(bearerToken: "sekret", basicAuth: .init(username: "u", password: "p")))
        defer { s.stop() }
        let none = HTTP.get(s.port, Fixtures.podsPath)
        #expect(none.status == 401)
        #expect(none.json["reason"]?.string == "Unauthorized")
        #expect(none.json["message"]?.string == "Unauthorized")
        #expect(HTTP.get(s.port, Fixtures.podsPath, headers: [("Authorization", "Bearer wrong")]).status == 401)
        #expect(HTTP.get(s.port, Fixtures.podsPath, headers: [("Authorization", "Bearer sekret")]).status == 200)
        let basic = Data("u:p".utf8).base64EncodedString()
        #expect(HTTP.get(s.port, Fixtures.podsPath, headers: [("Authorization", "Basic \(basic)")]).status == 200)
        #expect(s.client.get(Resources.namespaces, name: "default") != nil)
    }

    @Test("injected failures answer the real Status with Retry-After, then requests succeed again")
    func faults() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        s.faults.failNext(2, method: "GET", path: "/api/v1/namespaces/*/pods*", status: 429, retryAfterSeconds: 2)
        let r = HTTP.get(s.port, Fixtures.podsPath)
        #expect(r.status == 429)
        #expect(r.headers["retry-after"] == "2")
        #expect(r.json["reason"]?.string == "TooManyRequests")
        #expect(r.json[path: ["details", "retryAfterSeconds"]]?.int == 2)
        #expect(HTTP.get(s.port, "/api/v1/namespaces/default").status == 200)
        #expect(HTTP.get(s.port, Fixtures.podsPath).status == 429)
        #expect(HTTP.get(s.port, Fixtures.podsPath).status == 200)
        s.faults.failNext(method: "PATCH", status: 500)
        let p = HTTP.request(s.port, "PATCH", Fixtures.podsPath + "/x", body: .emptyObject, contentType: "application/merge-patch+json")
        #expect(p.status == 500)
        #expect(p.json["reason"]?.string == "InternalError")
        s.faults.stallNext(path: "/version", seconds: 0.3)
        let t = Date()
        #expect(HTTP.get(s.port, "/version").status == 200)
        #expect(Date().timeIntervalSince(t) >= 0.3)
    }

    @Test("the request log records method, path, query, content type, body and status; writes filters")
    func requestLog() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        _ = HTTP.request(s.port, "POST", Fixtures.podsPath + "?fieldManager=t", body: Fixtures.pod("a"))
        _ = HTTP.get(s.port, Fixtures.podsPath + "/a")
        _ = HTTP.request(s.port, "PATCH", Fixtures.podsPath + "/a", body: ["metadata": ["labels": ["x": "y"]]], contentType: "application/merge-patch+json")
        let entries = s.requestLog.entries
        #expect(entries.map(\.method) == ["POST", "GET", "PATCH"])
        #expect(entries.map(\.statusCode) == [201, 200, 200])
        #expect(entries[0].query["fieldManager"] == "t")
        #expect(entries[2].contentType == "application/merge-patch+json")
        #expect(entries[2].bodyJSON?[path: ["metadata", "labels", "x"]]?.string == "y")
        #expect(s.requestLog.writes.count == 2)
        #expect(s.requestLog.matching(method: "PATCH", path: "*/pods/a").count == 1)
        s.requestLog.clear()
        #expect(s.requestLog.entries.isEmpty)
    }

    @Test("store subscriptions receive changes in order, with history replay and typed events")
    func subscriptions() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        let before = s.store.resourceVersion
        let sub = try s.store.subscribe(.init(resources: [Resources.pods], namespace: "default"))
        _ = s.client.create(Resources.pods, Fixtures.pod("a"))
        try s.store.update(Resources.pods, namespace: "default", name: "a") { $0[path: ["status", "phase"]] = "Running" }
        try s.store.delete(Resources.pods, namespace: "default", name: "a")
        let events = (0..<3).compactMap { _ in sub.next(timeout: 1) }
        #expect(events.map(\.type) == [.added, .modified, .deleted])
        #expect(events[1].previous?[path: ["status", "phase"]]?.string == "Pending")
        #expect(events[1].object[path: ["status", "phase"]]?.string == "Running")
        #expect(events.map(\.resourceVersion) == [before + 1, before + 2, before + 3])
        sub.cancel()
        #expect(sub.next(timeout: 0.05) == nil)
        let replay = try s.store.subscribe(.init(resources: [Resources.pods]), after: before)
        #expect(replay.backlog == 3)
        s.compactHistory()
        #expect(throws: StoreError.self) { try s.store.subscribe(after: before) }
        #expect(s.store.subscriptionCount == 1)
    }

    @Test("a subscriber takes every queued event at once, and next() serves them in order from its batch")
    func subscriptionBatches() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        let sub = try s.store.subscribe(.init(resources: [Resources.configMaps]))
        for i in 0..<5 {
            _ = try s.store.create(Resources.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": .string("c\(i)"), "namespace": "default"]])
        }
        #expect(sub.backlog == 5)
        #expect(sub.next(timeout: 1)?.object.metaName == "c0")
        #expect(sub.backlog == 4)
        let rest = sub.nextBatch(timeout: 1) ?? []
        #expect(rest.map(\.object.metaName) == ["c1", "c2", "c3", "c4"])
        #expect(sub.nextBatch(timeout: 0.05) == nil)
        sub.cancel()
    }

    @Test("a transaction is optimistic: when another write lands between its read and its commit, it runs again on the newer object")
    func optimisticTransactions() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        let key = ObjectKey(namespace: "default", name: "c")
        _ = try s.store.create(Resources.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c", "namespace": "default"]])
        var runs = 0
        let commit = s.store.transact(Resources.configMaps, key) { current -> StoreWrite in
            runs += 1
            if runs == 1 {
                // Another writer commits while this body works on what it read.
                s.store.transact(Resources.configMaps, key) { c in
                    var o = c!
                    o["data"] = ["other": "1"]
                    return .put(o)
                }
            }
            var o = current!
            o[path: ["data", "mine"]] = "1"
            return .put(o)
        }
        #expect(runs == 2)
        #expect(commit.object?["data"] == ["other": "1", "mine": "1"])
    }

    @Test("conditional store updates and the in-process client's errors")
    func storeWrites() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        let created = try s.store.create(Resources.configMaps, ["apiVersion": "v1", "kind": "ConfigMap", "metadata": ["name": "c", "namespace": "default"]])
        #expect(throws: StoreError.conflict(resource: Resources.configMaps, key: ObjectKey(namespace: "default", name: "c"))) {
            try s.store.update(Resources.configMaps, namespace: "default", name: "c", ifResourceVersion: "1") { _ in }
        }
        try s.store.update(Resources.configMaps, namespace: "default", name: "c", ifResourceVersion: created.metaResourceVersion) { $0["data"] = ["k": "v"] }
        #expect(s.client.get(Resources.configMaps, namespace: "default", name: "c")?[path: ["data", "k"]]?.string == "v")
        if case .failure(let e) = s.client.delete(Resources.pods, namespace: "default", name: "ghost") {
            #expect(e.code == 404)
            #expect(e.message == "pods \"ghost\" not found")
        } else {
            Issue.record("deleting a missing pod succeeded")
        }
    }

    @Test("discovery documents list kinds, short names, subresources and verbs")
    func discovery() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        #expect(HTTP.get(s.port, "/version").json["gitVersion"]?.string == "v1.32.0")
        #expect(HTTP.get(s.port, "/api").json["versions"] == ["v1"])
        let groups = HTTP.get(s.port, "/apis").json["groups"]?.array?.compactMap { $0["name"]?.string } ?? []
        #expect(groups.contains("apps") && groups.contains("discovery.k8s.io") && groups.contains("coordination.k8s.io"))
        let core = HTTP.get(s.port, "/api/v1").json["resources"]?.array ?? []
        let pods = core.first { $0["name"]?.string == "pods" }
        #expect(pods?["shortNames"] == ["po"])
        #expect(pods?["namespaced"]?.bool == true)
        #expect(core.contains { $0["name"]?.string == "pods/status" })
        let apps = HTTP.get(s.port, "/apis/apps/v1").json["resources"]?.array ?? []
        #expect(apps.first { $0["name"]?.string == "deployments" }?["shortNames"] == ["deploy"])
        #expect(apps.first { $0["name"]?.string == "deployments/scale" }?["kind"]?.string == "Scale")
        #expect(apps.first { $0["name"]?.string == "statefulsets" }?["shortNames"] == ["sts"])
        let openapi = HTTP.get(s.port, "/openapi/v3").json
        let url = openapi[path: ["paths", "apis/apps/v1", "serverRelativeURL"]]?.string ?? ""
        #expect(HTTP.get(s.port, url).json["openapi"]?.string == "3.0.0")
    }

    @Test("a Table is answered when asked for, with the real pod columns and cells")
    func table() throws {
        var scenario = Scenario.demo
        scenario.podOverrides = [.init(workload: "db", index: 0, crashLooping: true, restartCount: 3)]
        let s = try Fixtures.server(scenario: scenario)
        defer { s.stop() }
        let accept = [("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io,application/json")]
        let r = HTTP.get(s.port, Fixtures.podsPath + "?labelSelector=app%3Ddb", headers: accept)
        #expect(r.headers["content-type"] == "application/json;as=Table;v=v1;g=meta.k8s.io")
        #expect(r.json["kind"]?.string == "Table")
        #expect(r.json["columnDefinitions"]?.array?.compactMap { $0["name"]?.string }.prefix(5) == ["Name", "Ready", "Status", "Restarts", "Age"])
        let row = r.json["rows"]?[0]
        #expect(row?["cells"]?[0]?.string == "db-0")
        #expect(row?["cells"]?[1]?.string == "0/1")
        #expect(row?["cells"]?[2]?.string == "CrashLoopBackOff")
        #expect(row?["cells"]?[3]?.string?.hasPrefix("3 (") == true)
        #expect(row?[path: ["object", "kind"]]?.string == "PartialObjectMetadata")
        #expect(TableConvertor.humanDuration(59) == "59s")
        #expect(TableConvertor.humanDuration(150) == "2m30s")
        #expect(TableConvertor.humanDuration(3 * 3600 + 120) == "3h2m")
        #expect(TableConvertor.humanDuration(3 * 86400) == "3d")
    }

    @Test("writeKubeconfig writes YAML or JSON pointing at the server with the token")
    func kubeconfig() throws {
        let s = try Fixtures.server(ServerOptions(bearerToken: "t0k"))
        defer { s.stop() }
        let dir = FileManager.default.temporaryDirectory.path
        let json = "\(dir)/kc-\(UUID().uuidString).json"
        try s.writeKubeconfig(to: json, format: .json)
        defer { try? FileManager.default.removeItem(atPath: json) }
        let doc = try JSONValue(parsing: String(contentsOfFile: json, encoding: .utf8))
        #expect(doc["clusters"]?[0]?[path: ["cluster", "server"]]?.string == s.url)
        #expect(doc["users"]?[0]?[path: ["user", "token"]]?.string == "t0k")
        let yaml = "\(dir)/kc-\(UUID().uuidString).yaml"
        try s.writeKubeconfig(to: yaml, namespace: "shop")
        defer { try? FileManager.default.removeItem(atPath: yaml) }
        let docs = try ManifestFiles.readDocuments(yaml)
        #expect(docs.first?["current-context"]?.string == "kube-sim")
        #expect(docs.first?["contexts"]?[0]?[path: ["context", "namespace"]]?.string == "shop")
    }
}
