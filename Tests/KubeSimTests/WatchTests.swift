import Foundation
import JSON
import Testing
@testable import KubeSim

@Suite("Watch")
struct WatchTests {
    @Test("events arrive in order with their resourceVersions; resuming from one replays the rest")
    func orderAndResume() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        let start = s.store.resourceVersion
        let w = TestWatch(port: s.port, path: Fixtures.podsPath + "?watch=1&resourceVersion=\(start)")
        #expect(w.status == 200)
        _ = s.client.create(Resources.pods, Fixtures.pod("a"))
        _ = s.client.patch(Resources.pods, namespace: "default", name: "a", patch: ["metadata": ["labels": ["x": "1"]]])
        _ = s.client.delete(Resources.pods, namespace: "default", name: "a")
        var seen: [(String, Int)] = []
        for _ in 0..<3 {
            guard let (t, o) = w.next() else { break }
            seen.append((t, Int(o.metaResourceVersion) ?? 0))
            #expect(o["kind"]?.string == "Pod")
        }
        #expect(seen.map(\.0) == ["ADDED", "MODIFIED", "DELETED"])
        #expect(seen.map(\.1) == seen.map(\.1).sorted())
        let resume = TestWatch(port: s.port, path: Fixtures.podsPath + "?watch=true&resourceVersion=\(seen[0].1)")
        #expect(resume.next()?.0 == "MODIFIED")
        #expect(resume.next()?.0 == "DELETED")
    }

    @Test("without a resourceVersion the current objects come first as ADDED")
    func initialState() throws {
        let s = try Fixtures.server(scenario: .demo)
        defer { s.stop() }
        let w = TestWatch(port: s.port, path: "/apis/apps/v1/namespaces/default/deployments?watch=1")
        let first = w.next()
        #expect(first?.0 == "ADDED")
        #expect(first?.1.metaName == "web")
    }

    @Test("a resourceVersion older than the history gets an ERROR event with a 410 Expired Status, then the stream ends")
    func tooOld() throws {
        let s = try Fixtures.server(ServerOptions(watchHistorySize: 5))
        defer { s.stop() }
        for i in 0..<10 { _ = s.client.create(Resources.pods, Fixtures.pod("p\(i)")) }
        let w = TestWatch(port: s.port, path: Fixtures.podsPath + "?watch=1&resourceVersion=2")
        #expect(w.status == 200)
        let e = w.next()
        #expect(e?.0 == "ERROR")
        #expect(e?.1["code"]?.int == 410)
        #expect(e?.1["reason"]?.string == "Expired")
        #expect(e?.1["message"]?.string?.hasPrefix("too old resource version: 2 (") == true)
        #expect(w.next() == nil)
    }

    @Test("BOOKMARK events carry only the resourceVersion; timeoutSeconds ends the stream cleanly")
    func bookmarksAndTimeout() throws {
        let s = try Fixtures.server(ServerOptions(bookmarkIntervalSeconds: 0.2))
        defer { s.stop() }
        let rv = s.store.resourceVersion
        let started = Date()
        let w = TestWatch(port: s.port, path: Fixtures.podsPath + "?watch=1&allowWatchBookmarks=true&timeoutSeconds=1&resourceVersion=\(rv)")
        let e = w.next()
        #expect(e?.0 == "BOOKMARK")
        #expect(e?.1[path: ["metadata", "resourceVersion"]]?.string == String(rv))
        #expect(e?.1[path: ["metadata", "name"]] == nil)
        while w.next() != nil {}
        let elapsed = Date().timeIntervalSince(started)
        #expect(elapsed >= 0.9 && elapsed < 3)
        let plain = TestWatch(port: s.port, path: Fixtures.podsPath + "?watch=1&timeoutSeconds=1&resourceVersion=\(rv)")
        #expect(plain.next() == nil)
    }

    @Test("with a label selector, objects entering the selection are ADDED and leaving it DELETED")
    func selectorTransitions() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        _ = s.client.create(Resources.pods, Fixtures.pod("a", labels: ["app": "x"]))
        let w = TestWatch(port: s.port, path: Fixtures.podsPath + "?watch=1&labelSelector=team%3Dblue&resourceVersion=\(s.store.resourceVersion)")
        _ = s.client.patch(Resources.pods, namespace: "default", name: "a", patch: ["metadata": ["labels": ["team": "blue"]]])
        _ = s.client.patch(Resources.pods, namespace: "default", name: "a", patch: ["metadata": ["labels": ["team": "red"]]])
        #expect(w.next()?.0 == "ADDED")
        #expect(w.next()?.0 == "DELETED")
    }

    @Test("all-namespaces watch and dropped connections")
    func allNamespacesAndDrop() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        _ = s.client.create(Resources.namespaces, ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": "other"]])
        let w = TestWatch(port: s.port, path: "/api/v1/pods?watch=1&resourceVersion=\(s.store.resourceVersion)")
        _ = s.client.create(Resources.pods, Fixtures.pod("a", namespace: "other"))
        _ = s.client.create(Resources.pods, Fixtures.pod("b"))
        #expect(w.next()?.1.metaNamespace == "other")
        #expect(w.next()?.1.metaNamespace == "default")
        s.dropWatches()
        #expect(w.next() == nil)
    }

    @Test("sendInitialEvents ends the initial state with an annotated BOOKMARK")
    func sendInitialEvents() throws {
        let s = try Fixtures.server()
        defer { s.stop() }
        _ = s.client.create(Resources.pods, Fixtures.pod("a"))
        let w = TestWatch(
            port: s.port,
            path: Fixtures.podsPath + "?watch=1&sendInitialEvents=true&resourceVersionMatch=NotOlderThan&allowWatchBookmarks=true")
        #expect(w.next()?.0 == "ADDED")
        let b = w.next()
        #expect(b?.0 == "BOOKMARK")
        #expect(b?.1[path: ["metadata", "annotations", "k8s.io/initial-events-end"]]?.string == "true")
    }
}

/// Issue 11: a rollout watches the namespace's PodDisruptionBudgets; they are watched as the real
/// API serves them (policy/v1), their status kept by the disruption controller.
@Suite("Watch: PodDisruptionBudgets")
struct DisruptionBudgetWatchTests {
    @Test("policy/v1 poddisruptionbudgets: ADDED, MODIFIED by a spec patch and by the disruption controller's status, DELETED, resourceVersions rising")
    func budgetEvents() throws {
        let s = try Sim.server()
        defer { s.stop() }
        let path = "/apis/policy/v1/namespaces/default/poddisruptionbudgets"
        let w = TestWatch(port: s.port, path: path + "?watch=1&resourceVersion=\(s.store.resourceVersion)")
        #expect(w.status == 200)
        _ = s.client.create(Resources.podDisruptionBudgets, namespace: "default", [
            "apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": ["name": "x", "namespace": "default"],
            "spec": ["minAvailable": 1, "selector": ["matchLabels": ["app": "x"]]],
        ])
        _ = s.client.create(Resources.pods, Sim.pod("x-1"))
        var seen: [(type: String, object: JSONValue)] = []
        let deadline = Date().addingTimeInterval(5)
        while Date() < deadline, !seen.contains(where: { $0.object[path: ["status", "currentHealthy"]] == 1 }), let e = w.next() {
            seen.append((e.0, e.1))
        }
        #expect(seen.first?.type == "ADDED")
        #expect(seen.allSatisfy { $0.object["apiVersion"] == "policy/v1" && $0.object["kind"] == "PodDisruptionBudget" })
        #expect(seen.last.map { $0.type == "MODIFIED" && $0.object[path: ["status", "disruptionsAllowed"]] == 0 } == true,
                "the controller's status arrives as MODIFIED: \(seen.map(\.type))")
        _ = s.client.patch(Resources.podDisruptionBudgets, namespace: "default", name: "x", patch: ["spec": ["minAvailable": 0]])
        while let m = w.next() {
            seen.append((m.0, m.1))
            if m.1[path: ["spec", "minAvailable"]] == 0 { break }
        }
        #expect(seen.last?.type == "MODIFIED" && seen.last?.object[path: ["spec", "minAvailable"]] == 0)
        _ = s.client.delete(Resources.podDisruptionBudgets, namespace: "default", name: "x")
        while let m = w.next() {
            seen.append((m.0, m.1))
            if m.0 == "DELETED" { break }
        }
        #expect(seen.last?.type == "DELETED")
        let versions = seen.map { Int($0.object.metaResourceVersion) ?? 0 }
        #expect(versions == versions.sorted() && Set(versions).count == versions.count, "\(versions)")
    }
}
