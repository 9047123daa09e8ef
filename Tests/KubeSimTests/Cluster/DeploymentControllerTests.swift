import Foundation
import JSON
import Testing
@testable import KubeSim

@Suite("ReplicaSet and Deployment controllers")
struct DeploymentControllerTests {
    static func replicaSets(_ s: KubeSimServer, of deployment: String) -> [JSONValue] {
        s.store.list(Resources.replicaSets, namespace: "default").items.filter { $0.metaName.hasPrefix(deployment + "-") }
    }

    static func deployment(_ s: KubeSimServer, _ name: String) -> JSONValue? { s.store.get(Resources.deployments, namespace: "default", name: name) }

    /// True when the Deployment's rollout is complete: all replicas updated and available, status current.
    static func rolledOut(_ s: KubeSimServer, _ name: String) -> Bool {
        guard let d = deployment(s, name) else { return false }
        let n = d.specReplicas
        return d[path: ["status", "observedGeneration"]]?.int == d.generation && d.statusInt("updatedReplicas") == n
            && d.statusInt("availableReplicas") == n && d.statusInt("replicas") == n
            && Sim.pods(s, prefix: name + "-").filter({ !$0.isTerminating }).count == n
    }

    /// The most pods of a workload that existed at the same time and were not terminating, from the
    /// transition log: what maxSurge bounds. Upstream's controllers do not count terminating pods,
    /// so a replaced pod still stopping its containers may run beside its replacement and the surge
    /// pod (kubernetes/kubernetes#95498, the note of kubernetes/website#31603; KEP-3973 makes it a
    /// choice). Under ThreadSanitizer the kubelet's stop lags enough for this test to see it.
    static func maxPods(_ log: TransitionLog, workload: String, initially: Set<String> = []) -> Int {
        var alive = initially
        var peak = alive.count
        for e in log.entries(workload: workload) {
            switch e.kind {
            case .observed, .created: alive.insert(e.uid)
            case .deleted, .terminating: alive.remove(e.uid)
            default: continue
            }
            peak = max(peak, alive.count)
        }
        return peak
    }

    @Test("a ReplicaSet creates its pods from the template and scales down the not-ready ones first")
    func replicaSet() throws {
        let s = try Sim.server()
        defer { s.stop() }
        var template = Sim.pod("unused", gate: true, labels: ["app": "rs"])
        template = ["metadata": ["labels": ["app": "rs"], "annotations": ["note": "x"]], "spec": template["spec"]!]
        let rs: JSONValue = [
            "apiVersion": "apps/v1", "kind": "ReplicaSet", "metadata": ["name": "rs", "namespace": "default"],
            "spec": ["replicas": 3, "selector": ["matchLabels": ["app": "rs"]], "template": template],
        ]
        let created = try s.client.create(Resources.replicaSets, rs).get()
        Sim.wait(s, "3 pods") { Sim.pods(s, prefix: "rs-").count == 3 && Sim.pods(s, prefix: "rs-").allSatisfy { Sim.condition($0, "ContainersReady")?["status"]?.string == "True" } }
        let pods = Sim.pods(s, prefix: "rs-").sorted { $0.metaName < $1.metaName }
        for p in pods {
            #expect(p.metaName.count == 3 + 5)
            #expect(p.metaName.dropFirst(3).allSatisfy { SimRandom.nameAlphabet.contains($0) })
            #expect(p[path: ["metadata", "generateName"]]?.string == "rs-")
            #expect(p.metaLabels == ["app": "rs"])
            #expect(p.metaAnnotations == ["note": "x"])
            #expect(p[path: ["metadata", "ownerReferences"]]?[0] == ["apiVersion": "apps/v1", "kind": "ReplicaSet", "name": "rs", "uid": .string(created.metaUID), "controller": true, "blockOwnerDeletion": true])
        }
        try Sim.setCondition(s, pod: pods[0].metaName, type: "InPlaceUpdateReady", status: "True")
        try Sim.setCondition(s, pod: pods[2].metaName, type: "InPlaceUpdateReady", status: "True")
        Sim.wait(s, "readyReplicas 2") { s.store.get(Resources.replicaSets, namespace: "default", name: "rs")?.statusInt("readyReplicas") == 2 }
        let status = s.store.get(Resources.replicaSets, namespace: "default", name: "rs")?["status"]
        #expect(status == ["replicas": 3, "fullyLabeledReplicas": 3, "readyReplicas": 2, "availableReplicas": 2, "observedGeneration": 1])
        _ = try s.client.patch(Resources.replicaSets, namespace: "default", name: "rs", patch: ["spec": ["replicas": 2]]).get()
        Sim.wait(s, "2 pods") { Sim.pods(s, prefix: "rs-").count == 2 }
        #expect(Set(Sim.pods(s, prefix: "rs-").map(\.metaName)) == [pods[0].metaName, pods[2].metaName])
        #expect(s.cluster.transitions.deletedPods() == [pods[1].metaName])
        _ = try s.client.patch(Resources.replicaSets, namespace: "default", name: "rs", patch: ["spec": ["replicas": 4]]).get()
        Sim.wait(s, "4 pods, status observed") {
            Sim.pods(s, prefix: "rs-").count == 4 && s.store.get(Resources.replicaSets, namespace: "default", name: "rs")?.statusInt("replicas") == 4
        }
        #expect(s.store.get(Resources.replicaSets, namespace: "default", name: "rs")?[path: ["status", "observedGeneration"]]?.int == 3)
    }

    @Test("a new Deployment gets a ReplicaSet <deploy>-<hash> with revision 1 and becomes Available")
    func newDeployment() throws {
        let s = try Sim.server()
        defer { s.stop() }
        _ = try s.client.create(Resources.deployments, Sim.deployment("web", replicas: 3)).get()
        Sim.wait(s, "rolled out") { Self.rolledOut(s, "web") }
        let sets = Self.replicaSets(s, of: "web")
        #expect(sets.count == 1)
        let rs = sets[0]
        let hash = rs.metaLabels["pod-template-hash"] ?? ""
        let d = Self.deployment(s, "web")!
        #expect(hash == ControllerHash.podTemplateHash(d[path: ["spec", "template"]]!))
        #expect(rs.metaName == "web-\(hash)")
        #expect(rs.metaAnnotations == ["deployment.kubernetes.io/revision": "1", "deployment.kubernetes.io/desired-replicas": "3", "deployment.kubernetes.io/max-replicas": "4"])
        #expect(rs[path: ["spec", "selector", "matchLabels", "pod-template-hash"]]?.string == hash)
        #expect(d.metaAnnotations["deployment.kubernetes.io/revision"] == "1")
        #expect(d.generation == 1)
        let conditions = d[path: ["status", "conditions"]]?.array ?? []
        #expect(conditions.first { $0["type"]?.string == "Available" }?["reason"]?.string == "MinimumReplicasAvailable")
        let progressing = conditions.first { $0["type"]?.string == "Progressing" }
        #expect(progressing?["reason"]?.string == "NewReplicaSetAvailable")
        #expect(progressing?["message"]?.string == "ReplicaSet \"\(rs.metaName)\" has successfully progressed.")
        for p in Sim.pods(s, prefix: "web-") { #expect(p.metaLabels["pod-template-hash"] == hash) }
    }

    @Test("a template change (not paused) creates a new ReplicaSet and replaces the pods within maxSurge and maxUnavailable")
    func rollingUpdate() throws {
        let s = try Sim.server()
        defer { s.stop() }
        _ = try s.client.create(Resources.deployments, Sim.deployment("web", replicas: 4)).get()
        Sim.wait(s, "rolled out") { Self.rolledOut(s, "web") }
        let oldPods = Set(Sim.pods(s, prefix: "web-").map(\.metaUID))
        let oldRS = Self.replicaSets(s, of: "web")[0]
        s.cluster.transitions.clear()
        _ = try s.client.patch(Resources.deployments, namespace: "default", name: "web",
            patch: ["spec": ["template": ["spec": ["containers": [["name": "app", "image": "nginx:1.27"]]]]]]).get()
        Sim.wait(s, "rolled out again") { Self.rolledOut(s, "web") && Self.replicaSets(s, of: "web").count == 2 }
        let sets = Self.replicaSets(s, of: "web")
        let newRS = sets.first { $0.metaUID != oldRS.metaUID }!
        #expect(newRS.specReplicas == 4)
        #expect(s.store.get(Resources.replicaSets, namespace: "default", name: oldRS.metaName)?.specReplicas == 0)
        #expect(newRS.metaAnnotations["deployment.kubernetes.io/revision"] == "2")
        #expect(Self.deployment(s, "web")?.metaAnnotations["deployment.kubernetes.io/revision"] == "2")
        let pods = Sim.pods(s, prefix: "web-")
        #expect(pods.count == 4)
        #expect(Set(pods.map(\.metaUID)).isDisjoint(with: oldPods))
        #expect(pods.allSatisfy { $0[path: ["spec", "containers"]]?[0]?["image"]?.string == "nginx:1.27" })
        let log = s.cluster.transitions
        #expect(log.deletedPods(workload: "Deployment/web").count == 4)
        var ready = oldPods
        var fewest = ready.count
        for e in log.entries(workload: "Deployment/web") {
            switch e.kind {
            case .created(true), .ready(true): ready.insert(e.uid)
            case .ready(false), .deleted: ready.remove(e.uid)
            default: continue
            }
            fewest = min(fewest, ready.count)
        }
        #expect(fewest >= 3)
        #expect(Self.maxPods(log, workload: "Deployment/web", initially: oldPods) == 5)
        #expect(log.createdPods(workload: "Deployment/web").count == 4)
        #expect(log.restarts(container: "app") == 0)
    }

    @Test("while paused no new ReplicaSet appears; making the current one's template equal first means nothing is replaced on resume")
    func paused() throws {
        let s = try Sim.server()
        defer { s.stop() }
        _ = try s.client.create(Resources.deployments, Sim.deployment("web", replicas: 3)).get()
        Sim.wait(s, "rolled out") { Self.rolledOut(s, "web") }
        let rs = Self.replicaSets(s, of: "web")[0]
        let pods = Set(Sim.pods(s, prefix: "web-").map(\.metaUID))
        _ = try s.client.patch(Resources.deployments, namespace: "default", name: "web", patch: ["spec": ["paused": true]]).get()
        _ = try s.client.patch(Resources.deployments, namespace: "default", name: "web",
            patch: ["spec": ["template": ["spec": ["containers": [["name": "app", "image": "nginx:1.27"]]]]]]).get()
        Sim.wait(s, "status observed") { Self.deployment(s, "web").map { $0[path: ["status", "observedGeneration"]]?.int == $0.generation } ?? false }
        #expect(Self.replicaSets(s, of: "web").count == 1)
        #expect(Set(Sim.pods(s, prefix: "web-").map(\.metaUID)) == pods)
        let progressing = Self.deployment(s, "web")?[path: ["status", "conditions"]]?.array?.first { $0["type"]?.string == "Progressing" }
        #expect(progressing?["status"]?.string == "Unknown")
        #expect(progressing?["reason"]?.string == "DeploymentPaused")
        _ = try s.client.patch(Resources.replicaSets, namespace: "default", name: rs.metaName,
            patch: ["spec": ["template": ["spec": ["containers": [["name": "app", "image": "nginx:1.27"]]]]]]).get()
        for p in Sim.pods(s, prefix: "web-") { try Sim.setImage(s, pod: p.metaName, container: "app", image: "nginx:1.27") }
        _ = try s.client.patch(Resources.deployments, namespace: "default", name: "web", patch: ["spec": ["paused": false]]).get()
        Sim.wait(s, "resumed") {
            let c = Self.deployment(s, "web")?[path: ["status", "conditions"]]?.array?.first { $0["type"]?.string == "Progressing" }
            return c?["reason"]?.string == "DeploymentResumed" || c?["reason"]?.string == "NewReplicaSetAvailable"
        }
        Sim.wait(s, "rolled out") { Self.rolledOut(s, "web") }
        #expect(Self.replicaSets(s, of: "web").map(\.metaName) == [rs.metaName])
        #expect(Set(Sim.pods(s, prefix: "web-").map(\.metaUID)) == pods)
        #expect(!s.cluster.transitions.wasAnyPodDeleted())
        #expect(s.cluster.transitions.restarts(container: "app") == 3)
        #expect(Self.deployment(s, "web")?.metaAnnotations["deployment.kubernetes.io/revision"] == "1")
    }

    @Test("the trap: an OLDER ReplicaSet whose template equals the new one is chosen as the new one and scaled up")
    func olderEqualReplicaSet() throws {
        let s = try Sim.server()
        defer { s.stop() }
        _ = try s.client.create(Resources.deployments, Sim.deployment("web", replicas: 2)).get()
        Sim.wait(s, "v1") { Self.rolledOut(s, "web") }
        let v1 = Self.replicaSets(s, of: "web")[0]
        let setImage: (String) throws -> Void = { image in
            _ = try s.client.patch(Resources.deployments, namespace: "default", name: "web",
                patch: ["spec": ["template": ["spec": ["containers": [["name": "app", "image": .string(image)]]]]]]).get()
        }
        try setImage("nginx:1.27")
        Sim.wait(s, "v2") { Self.rolledOut(s, "web") && Self.replicaSets(s, of: "web").count == 2 }
        let v2 = Self.replicaSets(s, of: "web").first { $0.metaUID != v1.metaUID }!
        let v2Pods = Set(Sim.pods(s, prefix: "web-").map(\.metaUID))
        try setImage("nginx:1.25")
        Sim.wait(s, "back to v1") {
            Self.rolledOut(s, "web") && s.store.get(Resources.replicaSets, namespace: "default", name: v1.metaName)?.specReplicas == 2
        }
        let sets = Self.replicaSets(s, of: "web")
        #expect(sets.count == 2)
        let oldAgain = s.store.get(Resources.replicaSets, namespace: "default", name: v1.metaName)!
        #expect(oldAgain.metaUID == v1.metaUID)
        #expect(oldAgain.metaAnnotations["deployment.kubernetes.io/revision"] == "3")
        #expect(oldAgain.metaAnnotations["deployment.kubernetes.io/revision-history"] == "1")
        #expect(s.store.get(Resources.replicaSets, namespace: "default", name: v2.metaName)?.specReplicas == 0)
        #expect(Self.deployment(s, "web")?.metaAnnotations["deployment.kubernetes.io/revision"] == "3")
        let pods = Sim.pods(s, prefix: "web-")
        #expect(Set(pods.map(\.metaUID)).isDisjoint(with: v2Pods))
        #expect(pods.allSatisfy { $0.metaLabels["pod-template-hash"] == v1.metaLabels["pod-template-hash"] })
    }

    @Test("Recreate deletes every old pod before the new ReplicaSet gets any")
    func recreate() throws {
        let s = try Sim.server()
        defer { s.stop() }
        _ = try s.client.create(Resources.deployments, Sim.deployment("rc", replicas: 3, strategy: ["type": "Recreate"])).get()
        Sim.wait(s, "v1") { Self.rolledOut(s, "rc") }
        let v1 = Set(Sim.pods(s, prefix: "rc-").map(\.metaUID))
        _ = try s.client.patch(Resources.deployments, namespace: "default", name: "rc",
            patch: ["spec": ["template": ["spec": ["containers": [["name": "app", "image": "nginx:1.27"]]]]]]).get()
        Sim.wait(s, "v2") { Self.rolledOut(s, "rc") && Self.replicaSets(s, of: "rc").count == 2 }
        let entries = s.cluster.transitions.entries(workload: "Deployment/rc")
        let lastOldDeleted = entries.lastIndex { $0.kind == .deleted && v1.contains($0.uid) }
        let firstNewCreated = entries.firstIndex { e in
            if case .created = e.kind { return !v1.contains(e.uid) }
            return false
        }
        #expect(v1.count == 3)
        #expect(lastOldDeleted != nil && firstNewCreated != nil)
        #expect((firstNewCreated ?? 0) > (lastOldDeleted ?? Int.max))
        #expect(Self.maxPods(s.cluster.transitions, workload: "Deployment/rc") == 3)
    }

    @Test("scaling a Deployment scales its ReplicaSet and updates the replica annotations")
    func scaling() throws {
        let s = try Sim.server()
        defer { s.stop() }
        _ = try s.client.create(Resources.deployments, Sim.deployment("sc", replicas: 2)).get()
        Sim.wait(s, "2") { Self.rolledOut(s, "sc") }
        _ = try s.client.patch(Resources.deployments, namespace: "default", name: "sc", patch: ["spec": ["replicas": 5]]).get()
        Sim.wait(s, "5") { Self.rolledOut(s, "sc") }
        let rs = Self.replicaSets(s, of: "sc")
        #expect(rs.count == 1)
        #expect(rs[0].specReplicas == 5)
        #expect(rs[0].metaAnnotations["deployment.kubernetes.io/desired-replicas"] == "5")
        #expect(rs[0].metaAnnotations["deployment.kubernetes.io/max-replicas"] == "7")
        #expect(!s.cluster.transitions.wasAnyPodDeleted())
    }

    @Test("deleting a Deployment collects its ReplicaSets and pods")
    func garbageCollection() throws {
        let s = try Sim.server()
        defer { s.stop() }
        _ = try s.client.create(Resources.deployments, Sim.deployment("gc", replicas: 2)).get()
        Sim.wait(s, "2") { Self.rolledOut(s, "gc") }
        _ = try s.client.delete(Resources.deployments, namespace: "default", name: "gc").get()
        Sim.wait(s, "gone") { Self.replicaSets(s, of: "gc").isEmpty && Sim.pods(s, prefix: "gc-").isEmpty }
        #expect(s.cluster.transitions.deletedPods(workload: "Deployment/gc").count == 2)
    }
}
