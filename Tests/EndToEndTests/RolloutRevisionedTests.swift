import Foundation
import JSON
import KubeSim
import Testing

/// Issue 3's acceptance for StatefulSets (partition), DaemonSets and bare pods: revision labels the
/// controllers accept, strategies handed back, and nothing recreated afterwards.
@Suite("rollout: StatefulSets, DaemonSets and bare pods in place")
struct RolloutRevisionedTests {
    @Test("2: StatefulSet of 5 with --partition 2: ordinals 4, 3, 2 in that order, 0 and 1 untouched, revision labels right, nothing recreated, strategy restored")
    func statefulSetPartition() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.statefulSet(replicas: 5)]))
        defer { c.stop() }
        c.settle()
        let before = c.facts(prefix: "db-")
        #expect(before.count == 5)
        c.server.requestLog.clear()

        let r = try c.run(["set", "image", "sts/db", "postgres=postgres:16.3", "--partition", "2", "--grace-period", "0"])
        #expect(r.status == 0, "\(r)")
        let patches = PodWrite.of(c.ourWrites).filter { $0.kind == .imagePatch && $0.entry.statusCode < 300 }.map(\.pod)
        #expect(patches == ["db-4", "db-3", "db-2"], "highest ordinal first")
        let touched = Set(PodWrite.of(c.ourWrites).map(\.pod))
        #expect(touched == ["db-4", "db-3", "db-2"], "no write to db-0 or db-1: \(touched)")

        let sts = try #require(c.object(Resources.statefulSets, "db"))
        let updateRevision = try #require(sts[path: ["status", "updateRevision"]]?.string)
        let currentRevision = before["db-0"]?.labels["controller-revision-hash"]
        #expect(updateRevision != currentRevision)
        let after = c.facts(prefix: "db-")
        for name in ["db-2", "db-3", "db-4"] {
            #expect(after[name]?.images["postgres"] == "postgres:16.3" && after[name]?.ready == true && after[name]?.gate == "True")
            #expect(after[name]?.labels["controller-revision-hash"] == updateRevision, "\(name) carries the update revision")
        }
        for name in ["db-0", "db-1"] {
            #expect(after[name] == before[name], "\(name) untouched")
        }
        #expect(sts[path: ["spec", "updateStrategy"]] == ["type": "RollingUpdate", "rollingUpdate": ["partition": 2]],
                "RollingUpdate restored with the partition: \(sts[path: ["spec", "updateStrategy"]]?.serialized() ?? "none")")
        #expect(sts[path: ["spec", "template", "spec", "containers"]]?[0]?["image"] == "postgres:16.3")

        c.settle(thenWait: 1.5)
        let later = c.facts(prefix: "db-")
        #expect(Set(later.values.map(\.uid)) == Set(before.values.map(\.uid)), "the StatefulSet controller recreated nothing")
        #expect(!c.server.cluster.transitions.wasAnyPodDeleted(workload: "StatefulSet/db"))
        #expect(c.object(Resources.statefulSets, "db")?[path: ["status", "updatedReplicas"]] == 3)
    }

    @Test("2: a StatefulSet that was OnDelete stays OnDelete")
    func statefulSetOnDeleteKept() throws {
        var db = Workloads.statefulSet(replicas: 2)
        db[path: ["spec", "updateStrategy"]] = ["type": "OnDelete"]
        let c = try TestCluster(RolloutScenario.make([db]))
        defer { c.stop() }
        c.settle()
        let r = try c.run(["set", "image", "sts/db", "postgres=postgres:16.3", "--grace-period", "0"])
        #expect(r.status == 0, "\(r)")
        #expect(c.object(Resources.statefulSets, "db")?[path: ["spec", "updateStrategy"]] == ["type": "OnDelete"])
    }

    @Test("3: DaemonSet on 4 nodes with --max-unavailable 2: never more than 2 NotReady, hash labels, strategy restored, nothing recreated")
    func daemonSet() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.daemonSet()], nodeCount: 4, latencies: RolloutScenario.restartLatencies))
        defer { c.stop() }
        c.settle()
        let before = c.facts(prefix: "agent-")
        #expect(before.count == 4)
        #expect(Set(before.values.map(\.node)).count == 4)
        let strategy = c.object(Resources.daemonSets, "agent")?[path: ["spec", "updateStrategy"]]

        let r = try c.run(["set", "image", "ds/agent", "agent=fluent/fluent-bit:3.1", "--max-unavailable", "2", "--grace-period", "50ms"])
        #expect(r.status == 0, "\(r)")
        let notReady = c.server.cluster.transitions.maxNotReady(workload: "DaemonSet/agent")
        #expect(notReady == 2, "the window of 2 was used and never exceeded: \(notReady)")
        let ds = try #require(c.object(Resources.daemonSets, "agent"))
        #expect(ds[path: ["spec", "updateStrategy"]] == strategy, "strategy restored")
        let hash = try #require(c.server.store.list(Resources.controllerRevisions, namespace: "default").items
            .max { ($0["revision"]?.int ?? 0) < ($1["revision"]?.int ?? 0) }?[path: ["metadata", "labels", "controller.kubernetes.io/hash"]]?.string)
        c.settle(thenWait: 1.5)
        let after = c.facts(prefix: "agent-")
        #expect(Set(after.values.map(\.uid)) == Set(before.values.map(\.uid)), "the DaemonSet controller recreated nothing")
        for p in after.values {
            #expect(p.images["agent"] == "fluent/fluent-bit:3.1" && p.ready && p.gate == "True", "\(p)")
            #expect(p.labels["controller-revision-hash"] == hash, "\(p.name) carries the newest hash")
        }
        #expect(c.object(Resources.daemonSets, "agent")?[path: ["status", "updatedNumberScheduled"]] == 4)
    }

    @Test("3: bare pods by reference (pod/x app=img): updated in place")
    func barePods() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.pod("x"), Workloads.pod("y")]))
        defer { c.stop() }
        c.settle()
        let before = c.facts(prefix: "")
        let r = try c.run(["set", "image", "pod/x", "pod/y", "c=nginx:1.27", "--grace-period", "0", "--max-unavailable", "2"])
        #expect(r.status == 0, "\(r)")
        let after = c.facts(prefix: "")
        for name in ["x", "y"] {
            #expect(after[name]?.uid == before[name]?.uid && after[name]?.ip == before[name]?.ip)
            #expect(after[name]?.images == ["c": "nginx:1.27"] && after[name]?.ready == true && after[name]?.gate == "True")
            #expect(after[name]?.restartCounts["c"] == 1)
        }
        let writes = PodWrite.of(c.ourWrites)
        #expect(Set(writes.map(\.kind)).isSubset(of: [.record, .gateOff, .imagePatch, .gateOn]))
        #expect(writes.filter { $0.kind == .imagePatch }.count == 2)
        #expect(!c.ourWrites.contains { !$0.path.hasPrefix("/api/v1/namespaces/default/pods/") && $0.path != "/api/v1/namespaces/default/events" },
                "only pods are written (and their Events)")
    }
}
