import Foundation
import JSON
import KubeSim
import Testing

/// Issue 11 item 2 through the built binary: priority by weight and by order key, scatter by a label
/// with 3 values (a node label) and by a pod label some pods lack, and scatter terms. The order of
/// `plan -o json` and the order the rollout patched the pods (KubeSim's request log) agree with each
/// other and with the rules as computed here from the labels the cluster shows.
@Suite("plan and rollout: priority and scatter")
struct UpdateOrderRolloutTests {
    static func cluster(_ workload: JSONValue) throws -> TestCluster {
        let c = try TestCluster(RolloutScenario.make([workload]))
        c.settle()
        return c
    }

    /// Adds labels to a pod (or a node when `node`).
    static func label(_ c: TestCluster, _ name: String, _ labels: [String: String], node: Bool = false) {
        let patch: JSONValue = ["metadata": ["labels": .object(JSONObject(labels.map { ($0.key, JSONValue.string($0.value)) }))]]
        let result = node
            ? c.server.client.patch(Resources.nodes, name: name, patch: patch)
            : c.server.client.patch(Resources.pods, namespace: "default", name: name, patch: patch)
        if case .failure(let e) = result { Issue.record("labelling \(name): \(e)") }
    }

    /// The pods whose image the binary patched, in the order the server took the patches.
    static func patched(_ c: TestCluster) -> [String] {
        PodWrite.of(c.ourWrites).filter { $0.kind == .imagePatch && $0.entry.statusCode < 300 }.map(\.pod)
    }

    /// The pods `plan -o json` updates, in its order.
    static func planned(_ plan: JSONValue) -> [String] { plan.planPods.withAction("update").names }

    /// True when no value appears for its (r+1)-th time before every value with more than r pods has
    /// appeared r times: no value loses a second pod before every value has lost one.
    static func interleaved(_ values: [String?]) -> Bool {
        var total: [String?: Int] = [:]
        for v in values { total[v, default: 0] += 1 }
        var seen: [String?: Int] = [:]
        for v in values {
            let r = seen[v, default: 0]
            if total.contains(where: { $0.value > r && seen[$0.key, default: 0] < r }) { return false }
            seen[v] = r + 1
        }
        return true
    }

    /// The documented interleaving: rounds over the values in the order their first pod comes.
    static func roundRobin(_ pods: [String], by value: (String) -> String?) -> [String] {
        var values: [String?] = []
        var groups: [String?: [String]] = [:]
        for pod in pods {
            if groups[value(pod)] == nil { values.append(value(pod)) }
            groups[value(pod), default: []].append(pod)
        }
        return (0..<pods.count).flatMap { round in values.compactMap { v in round < groups[v]!.count ? groups[v]![round] : nil } }
    }

    @Test("11.2: --priority-weight: summed weights, higher first; ties by name; pods no selector matches last; plan and rollout agree")
    func priorityWeight() throws {
        let c = try Self.cluster(Workloads.deployment(replicas: 6))
        defer { c.stop() }
        let n = c.podNames(prefix: "web-")
        try #require(n.count == 6)
        let labels: [String: [String: String]] = [
            n[4]: ["track": "canary"], n[1]: ["track": "canary", "tier": "front"], n[2]: ["tier": "front"], n[5]: ["tier": "front"],
        ]
        for (pod, l) in labels { Self.label(c, pod, l) }
        c.settle()
        let weight = { (pod: String) in
            (c.facts(prefix: pod)[pod]?.labels["track"] == "canary" ? 50 : 0) + (c.facts(prefix: pod)[pod]?.labels["tier"] == "front" ? 30 : 0)
        }
        let expected = n.sorted { (-weight($0), $0) < (-weight($1), $1) }
        #expect(expected == [n[1], n[4], n[2], n[5], n[0], n[3]])

        let flags = ["--priority-weight", "50:track=canary", "--priority-weight", "30:tier=front", "--max-unavailable", "1"]
        let (run, plan) = try c.planJSON(["deployment/web", "app=nginx:1.27"] + flags)
        #expect(run.status == 0, "\(run)")
        #expect(PlanSchema.violations(plan) == [])
        #expect(Self.planned(plan) == expected, "\(plan.serialized())")
        #expect(plan.planPods.withAction("update").map { $0["priority"]?.int } == [80, 50, 30, 30, 0, 0])
        let summary = plan.planWorkloads.first?["summary"]
        #expect(summary?["priority"] == "priority-weight 50:track=canary;30:tier=front" && summary?["priorityFrom"] == "flag")
        let text = try c.run(["plan", "deployment/web", "app=nginx:1.27"] + flags)
        #expect(text.stdout.contains("order: not-ready pods first, then priority-weight 50:track=canary, 30:tier=front (flag)"), "\(text.stdout)")

        c.server.requestLog.clear()
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27", "--grace-period", "0"] + flags)
        #expect(r.status == 0, "\(r)")
        #expect(Self.patched(c) == expected, "the rollout follows the plan")
        #expect(c.record(Resources.deployments, "web")?[path: ["options", "priorityWeight"]] == "50:track=canary;30:tier=front",
                "the record keeps the rule for resume: \(c.record(Resources.deployments, "web")?.serialized() ?? "-")")
    }

    @Test("11.2: the priority-order annotation on a StatefulSet with partition 1: larger integer first, ties highest ordinal first, pods without an integer last, ordinal 0 untouched")
    func priorityOrderAnnotation() throws {
        let c = try Self.cluster(Workloads.statefulSet(replicas: 6))
        defer { c.stop() }
        let ranks = ["db-0": "r-99", "db-1": "r-7", "db-2": "r-3", "db-3": "r-7", "db-5": "rank-x"]
        for (pod, rank) in ranks { Self.label(c, pod, ["rank": rank]) }
        _ = c.server.client.patch(Resources.statefulSets, namespace: "default", name: "db",
                                  patch: ["metadata": ["annotations": ["inplace.kubectl.io/priority-order": "rank"]]])
        c.settle()
        let expected = ["db-3", "db-1", "db-2", "db-5", "db-4"]

        let (run, plan) = try c.planJSON(["sts/db", "postgres=postgres:16.3", "--partition", "1"])
        #expect(run.status == 0, "\(run)")
        #expect(PlanSchema.violations(plan) == [])
        #expect(Self.planned(plan) == expected, "\(plan.serialized())")
        #expect(plan.planPods.withAction("update").map { $0["priority"]?.int } == [7, 7, 3, nil, nil])
        #expect(plan.planPods.withAction("hold").names == ["db-0"])
        let summary = plan.planWorkloads.first?["summary"]
        #expect(summary?["priority"] == "priority-order rank" && summary?["priorityFrom"] == "workload", "\(summary?.serialized() ?? "-")")

        let before = c.facts(prefix: "db-0")["db-0"]
        c.server.requestLog.clear()
        let r = try c.run(["set", "image", "sts/db", "postgres=postgres:16.3", "--partition", "1", "--grace-period", "0"])
        #expect(r.status == 0, "\(r)")
        #expect(Self.patched(c) == expected, "the rollout follows the plan")
        #expect(c.facts(prefix: "db-0")["db-0"] == before, "below the partition: untouched")
    }

    @Test("11.2: --scatter-by a node label with 3 values: every zone loses one pod before any loses a second; plan and rollout agree")
    func scatterByNodeZone() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 7)], nodeCount: 3))
        defer { c.stop() }
        c.settle()
        let zoneKey = "topology.kubernetes.io/zone"
        for (i, zone) in ["zone-a", "zone-b", "zone-c"].enumerated() { Self.label(c, "node-\(i + 1)", [zoneKey: zone], node: true) }
        c.settle()
        let nodes = Dictionary(uniqueKeysWithValues: c.server.store.list(Resources.nodes, namespace: "").items.map {
            ($0[path: ["metadata", "name"]]?.string ?? "", $0[path: ["metadata", "labels", zoneKey]]?.string)
        })
        let facts = c.facts(prefix: "web-")
        let zone = { (pod: String) in facts[pod].flatMap { nodes[$0.node] ?? nil } }
        let n = c.podNames(prefix: "web-")
        try #require(Set(n.map(zone)).count == 3, "pods in three zones: \(n.map(zone))")
        try #require(Set(n.map(zone)).allSatisfy { $0 != nil })

        let flags = ["--scatter-by", zoneKey, "--max-unavailable", "1"]
        let (run, plan) = try c.planJSON(["deployment/web", "app=nginx:1.27"] + flags)
        #expect(run.status == 0, "\(run)")
        #expect(PlanSchema.violations(plan) == [])
        let order = Self.planned(plan)
        #expect(order.count == 7 && Self.interleaved(order.map(zone)), "\(order.map(zone))")
        #expect(order == Self.roundRobin(n, by: zone), "zones in the order their first pod (by name) comes, pods by name within a zone")
        #expect(plan.planPods.withAction("update").map { $0["scatter"]?.string } == order.map(zone))
        #expect(plan.planWorkloads.first?[path: ["summary", "scatterLabelOf"]] == "node")

        c.server.requestLog.clear()
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27", "--grace-period", "0"] + flags)
        #expect(r.status == 0, "\(r)")
        #expect(Self.patched(c) == order, "the rollout follows the plan")
    }

    @Test("11.2: --scatter-by a pod label some pods lack: they form one more group; --scatter KEY=VALUE spreads its pods")
    func scatterByPodLabelAndTerms() throws {
        let c = try Self.cluster(Workloads.deployment(replicas: 6))
        defer { c.stop() }
        let n = c.podNames(prefix: "web-")
        try #require(n.count == 6)
        for (i, zone) in ["a", "a", "a", "b"].enumerated() { Self.label(c, n[i], ["zone": zone]) }
        for i in [0, 1] { Self.label(c, n[i], ["canary": "yes"]) }
        c.settle()

        let (_, terms) = try c.planJSON(["deployment/web", "app=nginx:1.27", "--scatter", "canary=yes"])
        #expect(Self.planned(terms) == [n[2], n[0], n[3], n[4], n[1], n[5]], "the two canaries at 1/4 and 3/4, not first together")
        #expect(terms.planPods.withAction("update").map { $0["scatter"]?.string } == [nil, "canary=yes", nil, nil, "canary=yes", nil])

        let (run, plan) = try c.planJSON(["deployment/web", "app=nginx:1.27", "--scatter-by", "zone"])
        #expect(run.status == 0, "\(run)")
        let expected = [n[0], n[3], n[4], n[1], n[5], n[2]]  // a, b, none, a, none, a
        #expect(Self.planned(plan) == expected, "\(plan.serialized())")
        #expect(plan.planWorkloads.first?[path: ["summary", "scatterLabelOf"]] == "pod", "no node carries the label")

        c.server.requestLog.clear()
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27", "--scatter-by", "zone", "--max-unavailable", "1",
                           "--grace-period", "0"])
        #expect(r.status == 0, "\(r)")
        #expect(Self.patched(c) == expected, "the rollout follows the plan")
    }

    @Test("11.2: SIGINT mid-rollout, then resume without flags: the record keeps --priority-order, so every pod is patched in the planned order")
    func resumeKeepsTheOrder() throws {
        let c = try Self.cluster(Workloads.deployment(replicas: 6))
        defer { c.stop() }
        let n = c.podNames(prefix: "web-")
        try #require(n.count == 6)
        for (i, pod) in n.enumerated() { Self.label(c, pod, ["rank": "r-\(i)"]) }
        c.settle()
        let expected = Array(n.reversed())
        let (_, plan) = try c.planJSON(["deployment/web", "app=nginx:1.27", "--priority-order", "rank"])
        #expect(Self.planned(plan) == expected)

        c.server.requestLog.clear()
        let rollout = try c.start(["set", "image", "deployment/web", "app=nginx:1.27", "--priority-order", "rank", "--max-unavailable", "1",
                                   "--grace-period", "300ms"])
        defer { rollout.cleanUp() }
        #expect(Eventually.wait(20) { Self.patched(c).count >= 2 }, "\(rollout.stderr)")
        rollout.signal(SIGINT)
        #expect(rollout.waitExit(timeout: 10) == 4, "\(rollout.stderr)")
        let before = Self.patched(c)
        #expect(before.count < 6 && before == Array(expected.prefix(before.count)), "\(before)")

        let resume = try c.run(["resume", "deployment/web", "--grace-period", "0"], timeout: 60)
        #expect(resume.status == 0, "\(resume)")
        #expect(Self.patched(c) == expected, "the resumed rollout goes on in the planned order")
    }

    @Test("11.2: both kinds of priority, or of scatter, exit 2 before any request; so does a bad annotation")
    func oneKindAtATime() throws {
        let c = try Self.cluster(Workloads.deployment(replicas: 2))
        defer { c.stop() }
        c.server.requestLog.clear()
        let both = try c.run(["plan", "deployment/web", "app=nginx:1.27", "--priority-weight", "5:a=b", "--priority-order", "rank"])
        #expect(both.status == 2 && both.stderr.contains("--priority-weight and --priority-order cannot be used together"), "\(both)")
        let scatter = try c.run(["set", "image", "deployment/web", "app=nginx:1.27", "--scatter", "a=b", "--scatter-by", "zone"])
        #expect(scatter.status == 2 && scatter.stderr.contains("--scatter and --scatter-by cannot be used together"), "\(scatter)")
        let weight = try c.run(["plan", "deployment/web", "app=nginx:1.27", "--priority-weight", "500:a=b"])
        #expect(weight.status == 2 && weight.stderr.contains("weight from 1 to 100"), "\(weight)")
        #expect(c.server.requestLog.entries.isEmpty)

        _ = c.server.client.patch(Resources.deployments, namespace: "default", name: "web",
                                  patch: ["metadata": ["annotations": ["inplace.kubectl.io/scatter": "zone"]]])
        let bad = try c.run(["set", "image", "deployment/web", "app=nginx:1.27"])
        #expect(bad.status == 2 && bad.stderr.contains("annotation inplace.kubectl.io/scatter"), "\(bad)")
        #expect(c.ourWrites.isEmpty)
        let overridden = try c.run(["plan", "deployment/web", "app=nginx:1.27", "--scatter", "a=b"])
        #expect(overridden.status == 0, "a flag overrides the annotation: \(overridden)")
    }
}
