import Foundation
import JSON
import Testing
@testable import KubeSim

@Suite("StatefulSet and DaemonSet controllers")
struct StatefulSetAndDaemonSetTests {
    static func statefulSet(_ name: String, replicas: Int, strategy: JSONValue? = nil, policy: String? = nil) -> JSONValue {
        var sts: JSONValue = [
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": ["name": .string(name), "namespace": "default"],
            "spec": [
                "replicas": .int(replicas), "serviceName": .string(name), "selector": ["matchLabels": ["app": .string(name)]],
                "template": ["metadata": ["labels": ["app": .string(name)]], "spec": ["containers": [["name": "db", "image": "postgres:16.2"]]]],
            ],
        ]
        if let strategy { sts[path: ["spec", "updateStrategy"]] = strategy }
        if let policy { sts[path: ["spec", "podManagementPolicy"]] = .string(policy) }
        return sts
    }

    static func daemonSet(_ name: String, strategy: JSONValue? = nil) -> JSONValue {
        var ds: JSONValue = [
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": ["name": .string(name), "namespace": "default"],
            "spec": [
                "selector": ["matchLabels": ["app": .string(name)]],
                "template": ["metadata": ["labels": ["app": .string(name)]], "spec": ["containers": [["name": "agent", "image": "fluent/fluent-bit:3.0.4"]]]],
            ],
        ]
        if let strategy { ds[path: ["spec", "updateStrategy"]] = strategy }
        return ds
    }

    static func sts(_ s: KubeSimServer, _ name: String) -> JSONValue? { s.store.get(Resources.statefulSets, namespace: "default", name: name) }
    static func ds(_ s: KubeSimServer, _ name: String) -> JSONValue? { s.store.get(Resources.daemonSets, namespace: "default", name: name) }

    static func revisions(_ s: KubeSimServer, _ prefix: String) -> [JSONValue] {
        s.store.list(Resources.controllerRevisions, namespace: "default").items.filter { $0.metaName.hasPrefix(prefix + "-") }
            .sorted { ($0["revision"]?.int ?? 0) < ($1["revision"]?.int ?? 0) }
    }

    static func allReady(_ s: KubeSimServer, _ prefix: String, _ n: Int) -> Bool {
        let pods = Sim.pods(s, prefix: prefix + "-")
        return pods.count == n && pods.allSatisfy { Sim.isReady($0) && !$0.isTerminating }
    }

    static func setImage(_ s: KubeSimServer, _ r: ResourceType, _ name: String, container: String, image: String) throws {
        _ = try s.client.patch(r, namespace: "default", name: name,
            patch: ["spec": ["template": ["spec": ["containers": [["name": .string(container), "image": .string(image)]]]]]]).get()
    }

    @Test("a StatefulSet creates ordinal pods in order, each after the previous is Ready, labelled with the revision name")
    func orderedCreation() throws {
        let s = try Sim.server(latencies: Latencies(readiness: 0.02))
        defer { s.stop() }
        _ = try s.client.create(Resources.statefulSets, Self.statefulSet("db", replicas: 3)).get()
        Sim.wait(s, "3 ready") { Self.allReady(s, "db", 3) && Self.sts(s, "db")?.statusInt("readyReplicas") == 3 }
        let crs = Self.revisions(s, "db")
        #expect(crs.count == 1)
        let cr = crs[0]
        let hash = cr.metaLabels["controller.kubernetes.io/hash"] ?? ""
        #expect(cr.metaName == "db-\(hash)")
        #expect(cr["revision"]?.int == 1)
        #expect(cr[path: ["data", "spec", "template", "$patch"]]?.string == "replace")
        let sts = Self.sts(s, "db")!
        #expect(sts[path: ["status", "currentRevision"]]?.string == cr.metaName)
        #expect(sts[path: ["status", "updateRevision"]]?.string == cr.metaName)
        #expect(sts[path: ["status", "observedGeneration"]]?.int == 1)
        for i in 0..<3 {
            let p = Sim.get(s, "db-\(i)")
            #expect(p?.metaLabels["controller-revision-hash"] == cr.metaName)
            #expect(p?.metaLabels["statefulset.kubernetes.io/pod-name"] == "db-\(i)")
            #expect(p?.metaLabels["apps.kubernetes.io/pod-index"] == String(i))
            #expect(p?[path: ["spec", "hostname"]]?.string == "db-\(i)")
            #expect(p?[path: ["spec", "subdomain"]]?.string == "db")
        }
        let entries = s.cluster.transitions.entries(workload: "StatefulSet/db")
        func index(_ pod: String, _ kind: PodTransition.Kind) -> Int { entries.firstIndex { $0.pod == pod && $0.kind == kind } ?? -1 }
        #expect(index("db-0", .ready(true)) < index("db-1", .created(ready: false)))
        #expect(index("db-1", .ready(true)) < index("db-2", .created(ready: false)))
        #expect(index("db-0", .created(ready: false)) >= 0)
    }

    @Test("RollingUpdate with a partition deletes the stale pods at or above it, highest first, and recreates them on the update revision")
    func rollingUpdatePartition() throws {
        let s = try Sim.server()
        defer { s.stop() }
        _ = try s.client.create(Resources.statefulSets, Self.statefulSet("db", replicas: 5, strategy: ["type": "RollingUpdate", "rollingUpdate": ["partition": 2]])).get()
        Sim.wait(s, "5 ready") { Self.allReady(s, "db", 5) }
        let before = Dictionary(uniqueKeysWithValues: Sim.pods(s, prefix: "db-").map { ($0.metaName, $0.metaUID) })
        let oldRevision = Self.sts(s, "db")?[path: ["status", "currentRevision"]]?.string ?? ""
        try Self.setImage(s, Resources.statefulSets, "db", container: "db", image: "postgres:16.3")
        Sim.wait(s, "updated") {
            Self.sts(s, "db")?.statusInt("updatedReplicas") == 3 && Self.allReady(s, "db", 5)
        }
        let sts = Self.sts(s, "db")!
        let update = sts[path: ["status", "updateRevision"]]?.string ?? ""
        #expect(update != oldRevision)
        #expect(sts[path: ["status", "currentRevision"]]?.string == oldRevision)
        #expect(sts[path: ["status", "observedGeneration"]]?.int == sts.generation)
        #expect(sts.statusInt("currentReplicas") == 2)
        #expect(Self.revisions(s, "db").last?.metaName == update)
        #expect(Self.revisions(s, "db").last?["revision"]?.int == 2)
        #expect(s.cluster.transitions.deletedPods(workload: "StatefulSet/db") == ["db-4", "db-3", "db-2"])
        for i in 0..<2 {
            let p = Sim.get(s, "db-\(i)")
            #expect(p?.metaUID == before["db-\(i)"])
            #expect(p?.metaLabels["controller-revision-hash"] == oldRevision)
        }
        for i in 2..<5 {
            let p = Sim.get(s, "db-\(i)")
            #expect(p?.metaUID != before["db-\(i)"])
            #expect(p?.metaLabels["controller-revision-hash"] == update)
            #expect(p?[path: ["spec", "containers"]]?[0]?["image"]?.string == "postgres:16.3")
        }
        _ = try s.client.patch(Resources.statefulSets, namespace: "default", name: "db", patch: ["spec": ["updateStrategy": ["rollingUpdate": ["partition": 0]]]]).get()
        Sim.wait(s, "all updated") {
            Self.sts(s, "db")?[path: ["status", "currentRevision"]]?.string == update && Self.allReady(s, "db", 5)
        }
        #expect(s.cluster.transitions.deletedPods(workload: "StatefulSet/db") == ["db-4", "db-3", "db-2", "db-1", "db-0"])
    }

    @Test("OnDelete: a template change makes a new update revision and touches no pod; a deleted pod comes back on it")
    func onDelete() throws {
        let s = try Sim.server()
        defer { s.stop() }
        _ = try s.client.create(Resources.statefulSets, Self.statefulSet("db", replicas: 3, strategy: ["type": "OnDelete"])).get()
        Sim.wait(s, "3 ready") { Self.allReady(s, "db", 3) }
        let old = Self.sts(s, "db")?[path: ["status", "currentRevision"]]?.string ?? ""
        try Self.setImage(s, Resources.statefulSets, "db", container: "db", image: "postgres:16.3")
        Sim.wait(s, "new revision observed") {
            let sts = Self.sts(s, "db")
            return sts?[path: ["status", "observedGeneration"]]?.int == 2 && sts?[path: ["status", "updateRevision"]]?.string != old
        }
        #expect(!s.cluster.transitions.wasAnyPodDeleted())
        let update = Self.sts(s, "db")?[path: ["status", "updateRevision"]]?.string ?? ""
        #expect(Self.sts(s, "db")?.statusInt("updatedReplicas") == 0)
        _ = try s.client.delete(Resources.pods, namespace: "default", name: "db-1").get()
        Sim.wait(s, "db-1 back") { Sim.get(s, "db-1")?.metaLabels["controller-revision-hash"] == update && Self.allReady(s, "db", 3) }
        #expect(Sim.get(s, "db-1")?[path: ["spec", "containers"]]?[0]?["image"]?.string == "postgres:16.3")
        #expect(Sim.get(s, "db-2")?.metaLabels["controller-revision-hash"] == old)
        #expect(Self.sts(s, "db")?[path: ["status", "currentRevision"]]?.string == old)
    }

    @Test("scaling a StatefulSet down removes the highest ordinals first")
    func scaleDown() throws {
        let s = try Sim.server()
        defer { s.stop() }
        _ = try s.client.create(Resources.statefulSets, Self.statefulSet("db", replicas: 4, policy: "Parallel")).get()
        Sim.wait(s, "4 ready") { Self.allReady(s, "db", 4) }
        _ = try s.client.patch(Resources.statefulSets, namespace: "default", name: "db", patch: ["spec": ["replicas": 1]]).get()
        Sim.wait(s, "1 left") { Self.allReady(s, "db", 1) }
        #expect(Sim.get(s, "db-0") != nil)
        #expect(s.cluster.transitions.deletedPods(workload: "StatefulSet/db") == ["db-3", "db-2", "db-1"])
    }

    @Test("a DaemonSet runs one pod per node with the hash-only revision label, the template generation, node affinity and daemon tolerations")
    func daemonSetPods() throws {
        let s = try Sim.server(Scenario(nodeCount: 3))
        defer { s.stop() }
        _ = try s.client.create(Resources.daemonSets, Self.daemonSet("agent")).get()
        Sim.wait(s, "3 ready") { Self.allReady(s, "agent", 3) && Self.ds(s, "agent")?.statusInt("numberReady") == 3 }
        let cr = Self.revisions(s, "agent")[0]
        let hash = cr.metaLabels["controller.kubernetes.io/hash"] ?? ""
        #expect(cr.metaName == "agent-\(hash)")
        let pods = Sim.pods(s, prefix: "agent-")
        #expect(Set(pods.map(\.nodeName)) == ["node-1", "node-2", "node-3"])
        for p in pods {
            #expect(p.metaLabels["controller-revision-hash"] == hash)
            #expect(p.metaLabels["pod-template-generation"] == "1")
            let term = p[path: ["spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms"]]?[0]
            #expect(term == ["matchFields": [["key": "metadata.name", "operator": "In", "values": [.string(p.nodeName)]]]])
            let keys = (p[path: ["spec", "tolerations"]]?.array ?? []).compactMap { $0["key"]?.string }
            #expect(keys.contains("node.kubernetes.io/unschedulable") && keys.contains("node.kubernetes.io/disk-pressure"))
        }
        let status = Self.ds(s, "agent")!["status"]
        #expect(status?["desiredNumberScheduled"]?.int == 3)
        #expect(status?["currentNumberScheduled"]?.int == 3)
        #expect(status?["updatedNumberScheduled"]?.int == 3)
        #expect(status?["numberAvailable"]?.int == 3)
        #expect(status?["observedGeneration"]?.int == 1)
    }

    @Test("DaemonSet RollingUpdate replaces pods of another hash within maxUnavailable; OnDelete replaces none")
    func daemonSetUpdates() throws {
        let s = try Sim.server(Scenario(nodeCount: 4))
        defer { s.stop() }
        _ = try s.client.create(Resources.daemonSets, Self.daemonSet("agent", strategy: ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": 2]])).get()
        _ = try s.client.create(Resources.daemonSets, Self.daemonSet("lazy", strategy: ["type": "OnDelete"])).get()
        Sim.wait(s, "ready") { Self.allReady(s, "agent", 4) && Self.allReady(s, "lazy", 4) }
        let oldHash = Self.revisions(s, "agent")[0].metaLabels["controller.kubernetes.io/hash"]
        let lazyPods = Set(Sim.pods(s, prefix: "lazy-").map(\.metaUID))
        s.cluster.transitions.clear()
        try Self.setImage(s, Resources.daemonSets, "agent", container: "agent", image: "fluent/fluent-bit:3.1.0")
        try Self.setImage(s, Resources.daemonSets, "lazy", container: "agent", image: "fluent/fluent-bit:3.1.0")
        Sim.wait(s, "agent updated") { Self.ds(s, "agent")?.statusInt("updatedNumberScheduled") == 4 && Self.allReady(s, "agent", 4) }
        let newHash = Self.revisions(s, "agent").last?.metaLabels["controller.kubernetes.io/hash"]
        #expect(newHash != oldHash)
        for p in Sim.pods(s, prefix: "agent-") {
            #expect(p.metaLabels["controller-revision-hash"] == newHash)
            #expect(p.metaLabels["pod-template-generation"] == "2")
        }
        let log = s.cluster.transitions
        #expect(log.deletedPods(workload: "DaemonSet/agent").count == 4)
        #expect(log.maxNotReady(workload: "DaemonSet/agent") <= 2)
        Sim.wait(s, "lazy observed") { Self.ds(s, "lazy")?[path: ["status", "observedGeneration"]]?.int == 2 }
        #expect(Self.revisions(s, "lazy").count == 2)
        #expect(Set(Sim.pods(s, prefix: "lazy-").map(\.metaUID)) == lazyPods)
        #expect(!log.wasAnyPodDeleted(workload: "DaemonSet/lazy"))
        #expect(Self.ds(s, "lazy")?.statusInt("updatedNumberScheduled") == 0)
    }
}
