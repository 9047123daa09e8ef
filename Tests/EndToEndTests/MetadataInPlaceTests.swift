import Foundation
import JSON
import KubeSim
import Testing

/// Issue 11, acceptance 4: a chart upgrade that changes the image, the `app.kubernetes.io/version`
/// label and an annotation is rolled in place; labels and annotations alone restart nothing; what
/// must not change in place stays blocked, with the reason.
@Suite("labels and annotations in place")
struct MetadataInPlaceTests {
    static let versionKey = "app.kubernetes.io/version"
    static let buildKey = "example.com/build"

    /// The Deployment `web` as a chart renders it: image, version label, a build annotation, and a
    /// label `tier` that a later version drops.
    static func web(replicas: Int = 4, image: String = "nginx:1.25", version: String = "1.25", build: String = "1",
                    tier: Bool = true) -> JSONValue {
        var d = Workloads.deployment(replicas: replicas, image: image)
        d[path: ["spec", "template", "metadata", "labels", versionKey]] = .string(version)
        if tier { d[path: ["spec", "template", "metadata", "labels", "tier"]] = "front" }
        d[path: ["spec", "template", "metadata", "annotations"]] = .object(JSONObject([(buildKey, .string(build))]))
        return d
    }

    static func cluster(replicas: Int = 4) throws -> TestCluster {
        let c = try TestCluster(RolloutScenario.make([web(replicas: replicas)], services: ["web"]))
        c.settle()
        return c
    }

    /// Labels and annotations other writers put on a pod (an admission webhook, an operator).
    static func inject(_ c: TestCluster, pod: String) throws {
        _ = try c.server.client.patch(Resources.pods, namespace: "default", name: pod, patch: [
            "metadata": ["labels": ["injected-by": "webhook"], "annotations": ["sidecar.example.com/status": "injected"]],
        ]).get()
    }

    static func annotations(_ c: TestCluster, prefix: String) -> [String: [String: String]] { c.podAnnotations(prefix: prefix) }

    @Test("4: image + version label + annotation: plan says update for every pod; after the rollout every pod has them, same uids, no new ReplicaSet, controller-owned and injected labels kept")
    func imageLabelAndAnnotation() throws {
        let c = try Self.cluster()
        defer { c.stop() }
        let before = c.facts(prefix: "web-")
        let setsBefore = c.replicaSets(of: "web")
        let injected = before.keys.sorted()[0]
        try Self.inject(c, pod: injected)
        let file = try c.writeManifest("web.yaml", Self.web(image: "nginx:1.27", version: "1.27", build: "2", tier: false))

        let (planRun, plan) = try c.planJSON(["-f", file, "--exit-code"])
        #expect(planRun.status == 1, "updates pending: \(planRun)")
        #expect(PlanSchema.violations(plan) == [])
        #expect(plan.planPods.count == 4 && plan.planPods.allSatisfy { $0["action"] == "update" }, "\(plan.serialized())")
        for pod in plan.planPods {
            let metadata = pod["metadata"]?.array ?? []
            #expect(metadata.contains { $0["key"] == .string(Self.versionKey) && $0["value"] == "1.27" && $0["currentValue"] == "1.25" })
            #expect(metadata.contains { $0["key"] == .string(Self.buildKey) && $0["kind"] == "annotation" && $0["value"] == "2" })
            #expect(metadata.contains { $0["key"] == "tier" && $0["value"] == nil }, "tier, which the new template drops, is removed")
            #expect(!metadata.contains { $0["key"] == "injected-by" || $0["key"] == "pod-template-hash" })
        }

        let r = try c.run(["rollout", "-f", file, "--grace-period", "100ms"], timeout: 60)
        #expect(r.status == 0, "\(r)")
        c.settle(thenWait: 0.3)
        let after = c.facts(prefix: "web-")
        let annotations = Self.annotations(c, prefix: "web-")
        #expect(Set(after.values.map(\.uid)) == Set(before.values.map(\.uid)), "the same pods")
        #expect(c.replicaSets(of: "web").keys.sorted() == setsBefore.keys.sorted(), "no new ReplicaSet")
        for (name, pod) in after {
            #expect(pod.images["app"] == "nginx:1.27")
            #expect(pod.labels[Self.versionKey] == "1.27", "\(name): \(pod.labels)")
            #expect(pod.labels["tier"] == nil, "\(name): \(pod.labels)")
            #expect(pod.labels["pod-template-hash"] == before[name]?.labels["pod-template-hash"], "controller-owned label kept")
            #expect(annotations[name]?[Self.buildKey] == "2")
            #expect(pod.ready && pod.gate == "True")
        }
        #expect(after[injected]?.labels["injected-by"] == "webhook", "a label the template never had survives")
        #expect(annotations[injected]?["sidecar.example.com/status"] == "injected")
        // Every pod's labels and annotations went in the image patch, not in a write of their own.
        for w in PodWrite.of(c.ourWrites) where w.kind == .imagePatch {
            #expect(w.entry.bodyJSON?[path: ["metadata", "labels", Self.versionKey]] == "1.27", "\(w)")
            #expect(w.entry.bodyJSON?[path: ["metadata", "labels", "tier"]] == .null, "\(w)")
        }
        #expect(PodWrite.of(c.ourWrites).filter { $0.kind == .other }.isEmpty, "no extra pod write")
        // The workload ends as a clean rollout leaves it: its template and its ReplicaSet's are the new one.
        let template = c.object(Resources.deployments, "web")?[path: ["spec", "template", "metadata"]]
        #expect(template?[path: ["labels", Self.versionKey]] == "1.27" && template?[path: ["labels", "tier"]] == nil)
        let rs = try #require(c.replicaSets(of: "web").values.first { ($0[path: ["spec", "replicas"]]?.int ?? 0) > 0 })
        #expect(rs[path: ["spec", "template", "metadata", "labels", Self.versionKey]] == "1.27")
        #expect(rs[path: ["spec", "template", "metadata", "annotations", Self.buildKey]] == "2")
        #expect(rs[path: ["spec", "template", "metadata", "labels", "pod-template-hash"]] == rs[path: ["metadata", "labels", "pod-template-hash"]])
        #expect(c.object(Resources.deployments, "web")?[path: ["spec", "paused"]] != true)
    }

    @Test("4: a metadata-only change: plan says update, metadata only, no restart; one patch per pod, no gate flip, no container restarted")
    func metadataOnlyRestartsNothing() throws {
        let c = try Self.cluster()
        defer { c.stop() }
        let before = c.facts(prefix: "web-")
        let file = try c.writeManifest("web.yaml", Self.web(version: "1.25-r2", build: "2"))
        let (_, plan) = try c.planJSON(["-f", file])
        #expect(PlanSchema.violations(plan) == [])
        #expect(plan.planPods.allSatisfy { $0["action"] == "update" && $0["reason"] == "metadata only, no restart" && $0["containers"] == nil },
                "\(plan.serialized())")
        let text = try c.run(["plan", "-f", file])
        #expect(text.stdout.contains("metadata only, no restart"), "\(text)")
        c.server.requestLog.clear()
        let r = try c.run(["rollout", "-f", file, "--max-unavailable", "1"], timeout: 60)
        #expect(r.status == 0, "\(r)")
        c.settle(thenWait: 0.5)
        let after = c.facts(prefix: "web-")
        for (name, pod) in after {
            #expect(pod.uid == before[name]?.uid)
            #expect(pod.containerIDs == before[name]?.containerIDs, "\(name): no container restarted")
            #expect(pod.restartCounts == before[name]?.restartCounts, "\(name)")
            #expect(pod.labels[Self.versionKey] == "1.25-r2")
            #expect(pod.ready && pod.gate == "True")
            #expect(!pod.hasStateAnnotation, "nothing to record for labels alone")
        }
        #expect(c.server.cluster.transitions.kills(container: "app") == 0)
        let writes = PodWrite.of(c.ourWrites)
        #expect(writes.allSatisfy { $0.kind == .other && $0.entry.method == "PATCH" }, "\(writes)")
        #expect(Dictionary(grouping: writes, by: \.pod).values.allSatisfy { $0.count == 1 } && writes.count == 4, "\(writes)")
        #expect(Self.annotations(c, prefix: "web-").values.allSatisfy { $0[Self.buildKey] == "2" })
        let status = try #require(try c.statusJSON("deployment/web").first)
        #expect(status["updated"] == 4 && status["phase"] == "complete", "status counts pods with the new labels: \(status.serialized())")
        #expect(status[path: ["metadata", "labels/\(Self.versionKey)"]] == "1.25-r2")

        let undo = try c.run(["undo", "deployment/web"], timeout: 60)
        #expect(undo.status == 0, "\(undo)")
        c.settle(thenWait: 0.3)
        for (name, pod) in c.facts(prefix: "web-") {
            #expect(pod.labels[Self.versionKey] == "1.25", "undo puts the old label back: \(name) \(pod.labels)")
            #expect(pod.containerIDs == before[name]?.containerIDs, "\(name): undo restarted nothing either")
        }
        #expect(Self.annotations(c, prefix: "web-").values.allSatisfy { $0[Self.buildKey] == "1" })
        #expect(c.object(Resources.deployments, "web")?[path: ["spec", "template", "metadata", "labels", Self.versionKey]] == "1.25")
    }

    @Test("DaemonSet: a metadata-only change keeps every container; pods get the label with the new template generation, nothing recreated after the hand-back")
    func daemonSetLabels() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.daemonSet()], nodeCount: 3))
        defer { c.stop() }
        c.settle()
        let before = c.facts(prefix: "agent-")
        var desired = Workloads.daemonSet()
        desired[path: ["spec", "template", "metadata", "labels", Self.versionKey]] = "3.0.4"
        let file = try c.writeManifest("agent.yaml", desired)
        let r = try c.run(["rollout", "-f", file], timeout: 60)
        #expect(r.status == 0, "\(r)")
        c.settle(thenWait: 1.0)
        let generation = c.object(Resources.daemonSets, "agent")?[path: ["metadata", "annotations", "deprecated.daemonset.template.generation"]]?.string
        let after = c.facts(prefix: "agent-")
        #expect(Set(after.values.map(\.uid)) == Set(before.values.map(\.uid)), "the DaemonSet controller recreated nothing")
        for (name, pod) in after {
            #expect(pod.labels[Self.versionKey] == "3.0.4", "\(name): \(pod.labels)")
            #expect(pod.labels["pod-template-generation"] == generation, "\(name): \(pod.labels)")
            #expect(pod.containerIDs == before[name]?.containerIDs && pod.ready, "\(name) restarted nothing")
        }
        #expect(c.object(Resources.daemonSets, "agent")?[path: ["status", "updatedNumberScheduled"]] == 3)

        // A second rollout: the DaemonSet's generation has also counted the strategy changes by now,
        // its template generation only the template's.
        desired[path: ["spec", "template", "metadata", "labels", Self.versionKey]] = "3.0.5"
        let again = try c.run(["rollout", "-f", try c.writeManifest("agent2.yaml", desired)], timeout: 60)
        #expect(again.status == 0, "\(again)")
        c.settle(thenWait: 0.5)
        let ds = c.object(Resources.daemonSets, "agent")
        let second = ds?[path: ["metadata", "annotations", "deprecated.daemonset.template.generation"]]?.string
        #expect(second != ds?[path: ["metadata", "generation"]]?.int.map(String.init), "the two generations differ: \(ds?["metadata"]?.serialized() ?? "")")
        for (name, pod) in c.facts(prefix: "agent-") {
            #expect(pod.labels[Self.versionKey] == "3.0.5" && pod.labels["pod-template-generation"] == second, "\(name): \(pod.labels)")
        }
        #expect(Set(c.facts(prefix: "agent-").values.map(\.uid)) == Set(before.values.map(\.uid)))
    }

    @Test("kill -9 after the first image patch, then resume: the label the new template drops is removed from the remaining pods too (the live template is the new one by then)")
    func killThenResumeRemovesDroppedLabels() throws {
        let c = try Self.cluster()
        defer { c.stop() }
        let file = try c.writeManifest("web.yaml", Self.web(image: "nginx:1.27", version: "1.27", tier: false))
        let run = try c.start(["rollout", "-f", file, "--grace-period", "300ms"])
        defer { run.cleanUp() }
        #expect(Eventually.wait(20) { PodWrite.of(c.ourWrites).contains { $0.kind == .imagePatch && $0.entry.statusCode < 300 } })
        run.signal(SIGKILL)
        #expect(run.waitExit(timeout: 10) == 128 + SIGKILL)
        #expect(c.facts(prefix: "web-").values.contains { $0.labels["tier"] == "front" }, "killed before every pod was patched")
        let resume = try c.run(["resume", "deployment/web", "--grace-period", "100ms"], timeout: 60)
        #expect(resume.status == 0, "\(resume)")
        c.settle(thenWait: 0.3)
        for (name, pod) in c.facts(prefix: "web-") {
            #expect(pod.labels["tier"] == nil && pod.labels[Self.versionKey] == "1.27" && pod.images["app"] == "nginx:1.27", "\(name): \(pod.labels)")
        }
    }

    @Test("undo --to-revision 1 after an image upgrade and a metadata-only one: revision 1's labels and annotations are back, no container restarted by the undo; history lists them")
    func undoToRevisionRestoresLabels() throws {
        let c = try Self.cluster()
        defer { c.stop() }
        let first = try c.run(["rollout", "-f", try c.writeManifest("a.yaml", Self.web(image: "nginx:1.27", version: "1.27", build: "2")),
                               "--grace-period", "100ms"], timeout: 60)
        #expect(first.status == 0, "\(first)")
        let second = try c.run(["rollout", "-f", try c.writeManifest("b.yaml", Self.web(image: "nginx:1.27", version: "1.27-r2", build: "3"))],
                               timeout: 60)
        #expect(second.status == 0, "\(second)")
        c.settle(thenWait: 0.3)
        let before = c.facts(prefix: "web-")
        #expect(before.values.allSatisfy { $0.labels[Self.versionKey] == "1.27-r2" })
        let history = try c.run(["history", "deployment/web"])
        #expect(history.stdout.contains("labels/\(Self.versionKey)=1.27-r2") && history.stdout.contains("annotations/\(Self.buildKey)=3"), "\(history)")
        let undo = try c.run(["undo", "deployment/web", "--to-revision", "1"], timeout: 60)
        #expect(undo.status == 0, "\(undo)")
        c.settle(thenWait: 0.3)
        for (name, pod) in c.facts(prefix: "web-") {
            #expect(pod.labels[Self.versionKey] == "1.27" && pod.images["app"] == "nginx:1.27", "\(name): \(pod.labels)")
            #expect(pod.containerIDs == before[name]?.containerIDs, "\(name): only labels and annotations changed")
        }
        #expect(Self.annotations(c, prefix: "web-").values.allSatisfy { $0[Self.buildKey] == "2" })
    }

    @Test("a label change that takes the pods out of the Deployment's selector is blocked with that reason")
    func selectorBreakingIsBlocked() throws {
        let c = try Self.cluster(replicas: 2)
        defer { c.stop() }
        var desired = Self.web(replicas: 2, image: "nginx:1.27")
        desired[path: ["spec", "template", "metadata", "labels", "app"]] = "web-v2"
        let file = try c.writeManifest("web.yaml", desired)
        let (run, plan) = try c.planJSON(["-f", file, "--exit-code"])
        #expect(run.status == 2, "\(run)")
        for pod in plan.planPods {
            #expect(pod["action"] == "blocked")
            let reason = pod["reason"]?.string ?? ""
            #expect(reason.contains("metadata.labels[app]") && reason.contains("selector (app=web)"), "\(reason)")
        }
        let r = try c.run(["rollout", "-f", file], timeout: 30)
        #expect(r.status == 2 && c.ourWrites.isEmpty, "\(r)")
    }

    @Test("a checksum/config annotation change is blocked: the pods keep working, the user decides")
    func checksumAnnotationIsBlocked() throws {
        var web = Self.web(replicas: 2)
        web[path: ["spec", "template", "metadata", "annotations", "checksum/config"]] = "aaa"
        let c = try TestCluster(RolloutScenario.make([web]))
        defer { c.stop() }
        c.settle()
        var desired = Self.web(replicas: 2, image: "nginx:1.27", version: "1.27")
        desired[path: ["spec", "template", "metadata", "annotations", "checksum/config"]] = "bbb"
        let file = try c.writeManifest("web.yaml", desired)
        let (run, plan) = try c.planJSON(["-f", file, "--exit-code"])
        #expect(run.status == 2, "\(run)")
        #expect(plan.planPods.count == 2)
        for pod in plan.planPods {
            #expect(pod["action"] == "blocked")
            let reason = pod["reason"]?.string ?? ""
            #expect(reason.contains("metadata.annotations[checksum/config]") && reason.contains("restart"), "\(reason)")
        }
    }

    @Test("StatefulSet: the label goes on with the new controller-revision-hash; statefulset.kubernetes.io/pod-name kept")
    func statefulSetLabels() throws {
        var db = Workloads.statefulSet(replicas: 3)
        db[path: ["spec", "template", "metadata", "labels", Self.versionKey]] = "16.2"
        let c = try TestCluster(RolloutScenario.make([db]))
        defer { c.stop() }
        c.settle()
        let before = c.facts(prefix: "db-")
        var desired = Workloads.statefulSet(replicas: 3, image: "postgres:16.3")
        desired[path: ["spec", "template", "metadata", "labels", Self.versionKey]] = "16.3"
        let file = try c.writeManifest("db.yaml", desired)
        let r = try c.run(["rollout", "-f", file, "--grace-period", "100ms"], timeout: 60)
        #expect(r.status == 0, "\(r)")
        c.settle(thenWait: 0.3)
        let update = c.object(Resources.statefulSets, "db")?[path: ["status", "updateRevision"]]?.string
        for (name, pod) in c.facts(prefix: "db-") {
            #expect(pod.uid == before[name]?.uid)
            #expect(pod.labels[Self.versionKey] == "16.3")
            #expect(pod.labels["controller-revision-hash"] == update, "\(name): \(pod.labels)")
            #expect(pod.labels["statefulset.kubernetes.io/pod-name"] == name)
        }
    }
}
