import Foundation
import JSON
import Synchronization
import Testing
@testable import InplaceCore

/// Issue 11, PodDisruptionBudgets watched during the rollout: the budgets the window counts follow
/// the budget objects and the other pods they select as the watches show them.
@Suite struct LiveDisruptionBudgetTests {
    /// A pod `name` with `labels`, controlled by `owner` (nil: a bare pod).
    static func pod(_ name: String, app: String, owner: String? = "rs-web", ready: Bool = true, terminating: Bool = false) -> JSONValue {
        var o: JSONValue = [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": .string(name), "namespace": "default", "uid": .string("uid-\(name)"), "labels": ["app": .string(app)]],
            "status": ["phase": "Running", "conditions": [["type": "Ready", "status": .string(ready ? "True" : "False")]]],
        ]
        if let owner { o[path: ["metadata", "ownerReferences"]] = [["kind": "ReplicaSet", "name": .string(owner), "uid": .string(owner), "controller": true]] }
        if terminating { o[path: ["metadata", "deletionTimestamp"]] = "2026-01-01T00:00:00Z" }
        return o
    }

    /// Budget `name` over the pods whose app is one of `apps`, with `minAvailable` or `maxUnavailable`.
    static func budget(_ name: String, apps: [String], minAvailable: JSONValue? = nil, maxUnavailable: JSONValue? = nil) -> JSONValue {
        var spec: JSONObject = ["selector": ["matchExpressions": [["key": "app", "operator": "In", "values": .array(apps.map(JSONValue.string))]]]]
        if let minAvailable { spec["minAvailable"] = minAvailable }
        if let maxUnavailable { spec["maxUnavailable"] = maxUnavailable }
        return ["apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": ["name": .string(name), "namespace": "default"],
                "spec": .object(spec)]
    }

    static let web = (0..<4).map { (name: "web-\($0)", labels: ["app": "web"], ready: true) }

    /// Live budgets with `budgets` listed and every pods watch they ask for listing `others`; the
    /// serial of each budget's pods watch.
    static func listed(_ budgets: [JSONValue], others: [JSONValue]) -> (LiveDisruptionBudgets, [String: Int]) {
        var live = LiveDisruptionBudgets(owners: ["rs-web"], templateLabels: ["app": "web"])
        live.apply(budgets: .synced(budgets))
        var serials: [String: Int] = [:]
        for o in live.reconcile(labels: web.map(\.labels)).open {
            live.apply(pods: .synced(others), budget: o.budget, serial: o.serial)
            serials[o.budget] = o.serial
        }
        return (live, serials)
    }

    @Test("a budget's other pods count live: one going unready lowers the allowance at once, its recovery raises it; the workload's own pods are never others")
    func otherPodsCountLive() throws {
        var (live, serials) = Self.listed([Self.budget("front", apps: ["web", "api"], minAvailable: 5)],
                                          others: [Self.pod("api-0", app: "api", owner: "rs-api"), Self.pod("api-1", app: "api", owner: nil),
                                                   Self.pod("web-0", app: "web")])
        let serial = try #require(serials["front"])
        var b = try #require(live.budgets(pods: Self.web, replicas: 4)?.first)
        #expect(b.healthyOthers == ["api-0", "api-1"] && b.allowed(healthy: 4) == 1, "web-0 is the workload's own: \(b)")
        live.apply(pods: .modified(Self.pod("api-1", app: "api", owner: nil, ready: false)), budget: "front", serial: serial)
        b = try #require(live.budgets(pods: Self.web, replicas: 4)?.first)
        #expect(b.healthyOthers == ["api-0"] && b.allowed(healthy: 4) == 0)
        live.apply(pods: .modified(Self.pod("api-0", app: "api", owner: "rs-api", terminating: true)), budget: "front", serial: serial)
        #expect(live.budgets(pods: Self.web, replicas: 4)?.first?.healthyOthers == [], "a terminating pod is not healthy")
        live.apply(pods: .modified(Self.pod("api-1", app: "api", owner: nil)), budget: "front", serial: serial)
        live.apply(pods: .deleted(Self.pod("api-0", app: "api", owner: "rs-api")), budget: "front", serial: serial)
        b = try #require(live.budgets(pods: Self.web, replicas: 4)?.first)
        #expect(b.healthyOthers == ["api-1"] && b.allowed(healthy: 4) == 0)
        live.apply(pods: .modified(Self.pod("api-1", app: "api", owner: nil, ready: false)), budget: "front", serial: serial + 7)
        #expect(live.budgets(pods: Self.web, replicas: 4)?.first?.healthyOthers == ["api-1"], "a stopped watch's late event is ignored")
    }

    @Test("a budget created, changed (rule, selector) or deleted changes the budgets; a changed selector is watched anew and counts once it listed")
    func budgetObjectsFollowTheWatch() throws {
        var (live, _) = Self.listed([], others: [])
        #expect(live.budgets(pods: Self.web, replicas: 4) == [])
        live.apply(budgets: .added(Self.budget("web", apps: ["web"], minAvailable: 3)))
        #expect(live.budgets(pods: Self.web, replicas: 4) == nil, "its pods are not listed yet: no decision")
        let open = live.reconcile(labels: Self.web.map(\.labels))
        #expect(open.open.map(\.budget) == ["web"] && open.open.first?.selector == "app in (web)" && open.stop.isEmpty)
        live.apply(pods: .synced([]), budget: "web", serial: open.open[0].serial)
        #expect(live.budgets(pods: Self.web, replicas: 4)?.map(\.desiredHealthy) == [3])
        live.apply(budgets: .modified(Self.budget("web", apps: ["web"], maxUnavailable: "25%")))
        #expect(live.budgets(pods: Self.web, replicas: 8)?.first?.desiredHealthy == 6, "25% of the workload's scale, 8, rounded up: 2 out")
        #expect(live.budgets(pods: Self.web, replicas: 8)?.first?.rule == "maxUnavailable 25% of 8")
        live.apply(budgets: .modified(Self.budget("web", apps: ["web", "api"], minAvailable: 3)))
        let moved = live.reconcile(labels: Self.web.map(\.labels))
        #expect(moved.stop == ["web"] && moved.open.map(\.selector) == ["app in (api,web)"])
        live.apply(pods: .synced([Self.pod("api-0", app: "api", owner: "rs-api")]), budget: "web", serial: moved.open[0].serial)
        #expect(live.budgets(pods: Self.web, replicas: 4)?.first?.healthyOthers == ["api-0"])
        live.apply(budgets: .deleted(Self.budget("web", apps: ["web", "api"], minAvailable: 3)))
        #expect(live.budgets(pods: Self.web, replicas: 4) == [])
        #expect(live.reconcile(labels: Self.web.map(\.labels)).stop == ["web"])
    }

    @Test("a budget selecting none of the workload's pods (nor its template) is not watched and does not count")
    func unrelatedBudget() {
        var live = LiveDisruptionBudgets(owners: ["rs-web"], templateLabels: ["app": "web"])
        live.apply(budgets: .synced([Self.budget("db", apps: ["db"], minAvailable: 1)]))
        #expect(live.reconcile(labels: Self.web.map(\.labels)).open.isEmpty)
        #expect(live.budgets(pods: Self.web, replicas: 4) == [])
    }

    @Test("the window counts a pod another workload took out once: unready in the live view, it is not subtracted again through the ledger")
    func ledgerAndLiveCountOnce() {
        let ledger = DisruptionLedger()
        // A budget over a-1, a-2 and b's b-1, b-2; b took b-2 out (its ledger entry).
        ledger.transaction { $0.take("default/b-2", by: "b", budgets: ["default/shop"]) }
        func window(minAvailable: Int, healthyOthers: Set<String>?) -> RolloutWindow {
            var w = RolloutWindow(maxUnavailable: 2, desired: 2)
            w.budgets = [DisruptionBudget(name: "shop", rule: "minAvailable \(minAvailable)", desiredHealthy: minAvailable, otherHealthy: 2,
                                          selectsAll: true, healthyOthers: healthyOthers)]
            w.ledger = DisruptionLedger.Share(ledger: ledger, namespace: "default", workload: "a")
            w.sync([RolloutWindow.Member(name: "a-1", uid: "a1", ready: true), RolloutWindow.Member(name: "a-2", uid: "a2", ready: true)])
            w.enqueue([PodTarget(name: "a-1", changes: []), PodTarget(name: "a-2", changes: [])])
            return w
        }
        var live = window(minAvailable: 2, healthyOthers: ["b-1"])
        #expect(live.start(now: 0).started.map(\.name) == ["a-1"], "b-1, a-1 and a-2 healthy, 2 must stay: b-2 counts unhealthy once")
        var racing = window(minAvailable: 3, healthyOthers: ["b-1", "b-2"])
        #expect(racing.start(now: 0).started.isEmpty, "b-2 still shows Ready but b took it: the ledger counts it out")
        #expect(racing.heldBy?.name == "shop")
    }

    @Test("the watches: budgets and each budget's other pods come from the cluster's watches; a budget patched or deleted is seen at once")
    func watchesOverTheCluster() throws {
        let cluster = GateKeeperTestCluster()
        let pdbs = APIResource.podDisruptionBudgets.path(namespace: "default")
        cluster.put(pdbs + "/front", Self.budget("front", apps: ["web", "api"], minAvailable: 4))
        for p in Self.web.map(\.name) { cluster.put(pod: Self.pod(p, app: "web")) }
        cluster.put(pod: Self.pod("api-0", app: "api", owner: "rs-api"))
        cluster.put(pod: Self.pod("db-0", app: "db", owner: "rs-db"))
        let events = Mutex<[BudgetWatch.Event]>([])
        let watch = BudgetWatch(cluster: cluster, namespace: "default", owners: ["rs-web"], templateLabels: ["app": "web"]) { e in
            events.withLock { $0.append(e) }
        }
        func drain() { for e in events.withLock({ e in defer { e.removeAll() }; return e }) { #expect(watch.apply(e) == nil) } }
        let pods = Self.web.map { Pod(Self.pod($0.name, app: "web")) }
        watch.start()
        drain()
        #expect(watch.budgets(pods: pods, replicas: 4) == nil, "the pods watch of front has not listed yet")
        drain()
        var b = try #require(watch.budgets(pods: pods, replicas: 4)?.first)
        #expect(b.name == "front" && b.healthyOthers == ["api-0"] && b.desiredHealthy == 4, "db-0 is not front's, web pods are the workload's")
        cluster.mutate(pdbs + "/front") { $0[path: ["spec", "minAvailable"]] = 5 }
        drain()
        #expect(watch.dirty)
        b = try #require(watch.budgets(pods: pods, replicas: 4)?.first)
        #expect(b.desiredHealthy == 5 && b.rule == "minAvailable 5")
        cluster.mutate("/api/v1/namespaces/default/pods/api-0") { $0[path: ["status", "conditions"]] = [["type": "Ready", "status": "False"]] }
        drain()
        #expect(watch.budgets(pods: pods, replicas: 4)?.first?.healthyOthers == [])
        cluster.failWatches(pdbs, ClusterOperationError(.notFound, "the server could not find the requested resource"))
        drain()
        #expect(watch.budgets(pods: pods, replicas: 4) == [], "a server without policy/v1 has no budgets")
        watch.stop()
    }
}
