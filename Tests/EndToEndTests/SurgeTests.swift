import Foundation
import JSON
import KubeSim
import Testing

/// Issue 11 items 1 and 5 through the built binary: a Deployment surges on its new template before
/// any original pod leaves service, its original pods are updated in place, and the surge is taken
/// off again; the workload's own maxUnavailable is the default window.
@Suite("rollout: maxSurge and the workload's own strategy")
struct SurgeTests {
    /// The state a surge rollout must end in: the original pods (same uids) on the new image and
    /// Ready, replicas back, not paused, the same ReplicaSets, no surge left in the record.
    static func expectSurgeUndone(_ c: TestCluster, before: [String: PodFacts], replicas: Int, replicaSets: Set<String>,
                                  sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(c.facts(prefix: "web-").count == replicas, "the surge pods are going when the command ends: \(c.facts(prefix: "web-").values)",
                sourceLocation: sourceLocation)
        let after = c.facts(prefix: "web-")
        #expect(Set(after.values.map(\.uid)) == Set(before.values.map(\.uid)), "the original pods: \(after.values)", sourceLocation: sourceLocation)
        #expect(after.values.allSatisfy { $0.images["app"] == "nginx:1.27" && $0.ready }, "\(after.values)", sourceLocation: sourceLocation)
        let d = c.object(Resources.deployments, "web")
        #expect(d?[path: ["spec", "replicas"]] == .int(replicas), sourceLocation: sourceLocation)
        #expect(d?[path: ["spec", "paused"]]?.bool != true, sourceLocation: sourceLocation)
        #expect(Set(c.replicaSets(of: "web").keys) == replicaSets, "no new ReplicaSet", sourceLocation: sourceLocation)
        #expect(c.record(Resources.deployments, "web")?[path: ["previous", "surge"]] == nil, sourceLocation: sourceLocation)
    }

    @Test("11.1: --max-surge 2 --max-unavailable 0 on 6 pods: 8 pods during, Ready never below 6, the original six updated in place, replicas back to 6")
    func surgeTwoOfSix() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 6)], latencies: RolloutScenario.restartLatencies))
        defer { c.stop() }
        c.settle()
        let before = c.facts(prefix: "web-")
        let replicaSets = Set(c.replicaSets(of: "web").keys)
        let (_, plan) = try c.planJSON(["deployment/web", "app=nginx:1.27", "--max-surge", "2", "--max-unavailable", "0"])
        #expect(plan.planWorkloads.first?[path: ["summary", "maxSurge"]] == 2, "\(plan.serialized())")
        #expect(plan.planPods.withAction("update").batches == [1, 1, 2, 2, 3, 3], "\(plan.serialized())")
        let mark = c.server.cluster.transitions.entries.count

        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27", "--max-surge", "2", "--max-unavailable", "0",
                           "--grace-period", "0", "--timeout", "30s", "-o", "json"], timeout: 60)
        #expect(r.status == 0, "\(r)")
        Self.expectSurgeUndone(c, before: before, replicas: 6, replicaSets: replicaSets)
        let log = c.server.cluster.transitions
        let counts = log.podCounts(workload: "Deployment/web", from: mark)
        #expect(counts.maxPods == 8 && counts.minReady >= 6, "\(counts)")
        #expect(log.createdPods(workload: "Deployment/web").count == 2)
        #expect(Eventually.wait(10) { Set(log.deletedPods(workload: "Deployment/web")) == Set(log.createdPods(workload: "Deployment/web")) },
                "only the surge pods go: \(log.deletedPods(workload: "Deployment/web"))")
        let summary = try #require(try JSONLines.parse(r.stdout).last)
        #expect(summary["surged"] == 2 && summary["recreated"] == 0 && summary["updated"] == 6, "\(summary.serialized())")
        // The surge pods were Ready before any original pod left service.
        let writes = PodWrite.of(c.ourWrites)
        let firstToOriginal = try #require(writes.firstIndex { before[$0.pod] != nil })
        let lastToOriginal = try #require(writes.lastIndex { before[$0.pod] != nil })
        let surgeReady = writes.indices.filter { before[writes[$0].pod] == nil && writes[$0].kind == .gateOn }
        let surgeOut = writes.indices.filter { before[writes[$0].pod] == nil && writes[$0].kind == .gateOff }
        #expect(surgeReady.count == 2 && surgeReady.allSatisfy { $0 < firstToOriginal }, "surge pods Ready first: \(writes)")
        #expect(surgeOut.count == 2 && surgeOut.allSatisfy { $0 > lastToOriginal }, "taken out of service before they go: \(writes)")
    }

    @Test("11.1: kill -9 mid-rollout with a surge, then resume: the same end, surge undone")
    func surgeKillResume() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 6)], latencies: RolloutScenario.restartLatencies))
        defer { c.stop() }
        c.settle()
        let before = c.facts(prefix: "web-")
        let replicaSets = Set(c.replicaSets(of: "web").keys)
        let mark = c.server.cluster.transitions.entries.count
        let run = try c.start(["set", "image", "deployment/web", "app=nginx:1.27", "--max-surge", "2", "--max-unavailable", "0",
                               "--grace-period", "100ms", "--timeout", "30s"])
        defer { run.cleanUp() }
        #expect(Eventually.wait(20) { PodWrite.of(c.ourWrites).contains { $0.kind == .imagePatch } }, "\(run.stderr)")
        run.signal(SIGKILL)
        #expect(run.waitExit(timeout: 10) == 128 + SIGKILL)
        #expect(c.object(Resources.deployments, "web")?[path: ["spec", "replicas"]] == 8, "the surge is in place at the kill")
        #expect(c.record(Resources.deployments, "web")?[path: ["previous", "surge"]] == 2)

        let resume = try c.run(["resume", "deployment/web"], timeout: 60)
        #expect(resume.status == 0, "\(resume)")
        Self.expectSurgeUndone(c, before: before, replicas: 6, replicaSets: replicaSets)
        let log = c.server.cluster.transitions
        let counts = log.podCounts(workload: "Deployment/web", from: mark)
        #expect(counts.maxPods == 8 && counts.minReady >= 6, "\(counts)")
        #expect(log.createdPods(workload: "Deployment/web").count == 2, "the resume adds no second surge")
    }

    @Test("11.1: a 1-replica Deployment with the default strategy and no flags: one surge pod, the original updated in place, Ready never below 1")
    func singleReplicaSurgesByDefault() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 1)], latencies: RolloutScenario.restartLatencies))
        defer { c.stop() }
        c.settle()
        let before = c.facts(prefix: "web-")
        let replicaSets = Set(c.replicaSets(of: "web").keys)
        let text = try c.run(["plan", "deployment/web", "app=nginx:1.27"])
        #expect(text.stdout.contains("max-surge 1"), "\(text.stdout)")
        let mark = c.server.cluster.transitions.entries.count
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27", "--grace-period", "0", "--timeout", "30s"], timeout: 60)
        #expect(r.status == 0, "\(r)")
        Self.expectSurgeUndone(c, before: before, replicas: 1, replicaSets: replicaSets)
        let log = c.server.cluster.transitions
        let counts = log.podCounts(workload: "Deployment/web", from: mark)
        #expect(counts.maxPods == 2 && counts.minReady >= 1, "\(counts)")
        #expect(log.createdPods(workload: "Deployment/web").count == 1)
    }

    @Test("11.1: --max-surge on a StatefulSet is a usage error (exit 2) before any write")
    func surgeRefusedForStatefulSet() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.statefulSet(replicas: 3)]))
        defer { c.stop() }
        c.settle()
        let r = try c.run(["set", "image", "sts/db", "postgres=postgres:16.3", "--max-surge", "1"])
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains("--max-surge"), "\(r.stderr)")
        #expect(c.ourWrites.isEmpty)
    }

    @Test("11.1: no surge when nothing needs updating")
    func noSurgeWithoutUpdates() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 2)]))
        defer { c.stop() }
        c.settle()
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.25", "--max-surge", "2"])
        #expect(r.status == 0, "\(r)")
        #expect(c.server.cluster.transitions.createdPods(workload: "Deployment/web").isEmpty)
        #expect(c.object(Resources.deployments, "web")?[path: ["spec", "replicas"]] == 2)
    }

    @Test("11.5: a manifest with maxUnavailable 50% of 8 pods and no flags has 4 pods out at a time")
    func manifestHalfOfEight() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 8)], latencies: RolloutScenario.restartLatencies))
        defer { c.stop() }
        c.settle()
        var manifest = Workloads.deployment(replicas: 8, image: "nginx:1.27")
        manifest[path: ["spec", "strategy"]] = ["type": "RollingUpdate", "rollingUpdate": ["maxUnavailable": "50%", "maxSurge": 0]]
        let file = try c.writeManifest("web.yaml", manifest)
        let (_, plan) = try c.planJSON(["-f", file])
        #expect(plan.planWorkloads.first?[path: ["summary", "maxUnavailable"]] == 4, "\(plan.serialized())")
        #expect(plan.planWorkloads.first?[path: ["summary", "maxUnavailableFrom"]] == "manifest")
        #expect(plan.planPods.withAction("update").batches == [1, 1, 1, 1, 2, 2, 2, 2])
        c.server.cluster.transitions.clear()
        let r = try c.run(["rollout", "-f", file, "--grace-period", "200ms", "--timeout", "30s"], timeout: 60)
        #expect(r.status == 0, "\(r)")
        #expect(c.facts(prefix: "web-").values.allSatisfy { $0.images["app"] == "nginx:1.27" && $0.ready })
        #expect(c.server.cluster.transitions.maxNotReady(workload: "Deployment/web") == 4)
    }

    @Test("11.1: a surge pod that never becomes Ready fails the rollout before any original pod is touched, and the surge is undone")
    func surgeFailureTouchesNoOriginal() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 4)], latencies: RolloutScenario.restartLatencies))
        defer { c.stop() }
        c.settle()
        let before = c.facts(prefix: "web-")
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:broken", "--max-surge", "1", "--pod-timeout", "2s",
                           "--grace-period", "0", "--timeout", "30s"], timeout: 60)
        #expect(r.status == 1, "\(r)")
        #expect(r.stderr.contains("SurgeNotReady"), "\(r.stderr)")
        #expect(PodWrite.of(c.ourWrites).allSatisfy { before[$0.pod] == nil }, "no write to an original pod")
        #expect(Eventually.wait(10) { c.facts(prefix: "web-").count == 4 })
        #expect(Set(c.facts(prefix: "web-").values.map(\.uid)) == Set(before.values.map(\.uid)), "the surge pod went, the originals stay")
        #expect(c.object(Resources.deployments, "web")?[path: ["spec", "replicas"]] == 4)
        #expect(c.record(Resources.deployments, "web")?[path: ["previous", "surge"]] == nil)
    }

    @Test("11.1: pause during a surge rollout takes the surge off; resume surges again and completes with it undone")
    func surgePauseResume() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 6)], latencies: RolloutScenario.restartLatencies))
        defer { c.stop() }
        c.settle()
        let before = c.facts(prefix: "web-")
        let replicaSets = Set(c.replicaSets(of: "web").keys)
        let run = try c.start(["set", "image", "deployment/web", "app=nginx:1.27", "--max-surge", "1", "--max-unavailable", "0",
                               "--grace-period", "1s", "--timeout", "30s"])
        defer { run.cleanUp() }
        #expect(Eventually.wait(20) { PodWrite.of(c.ourWrites).contains { $0.kind == .gateOff } }, "\(run.stderr)")
        let pause = try c.run(["pause", "deployment/web"])
        #expect(pause.status == 0, "\(pause)")
        #expect(run.waitExit(timeout: 15) == 4, "\(run.stderr)")
        #expect(Eventually.wait(10) { c.facts(prefix: "web-").count == 6 }, "the surge pod went at the pause")
        #expect(Set(c.facts(prefix: "web-").values.map(\.uid)) == Set(before.values.map(\.uid)))
        #expect(c.object(Resources.deployments, "web")?[path: ["spec", "replicas"]] == 6)
        let resume = try c.run(["resume", "deployment/web", "--grace-period", "0"], timeout: 60)
        #expect(resume.status == 0, "\(resume)")
        Self.expectSurgeUndone(c, before: before, replicas: 6, replicaSets: replicaSets)
    }

    @Test("11.1: --on-failure rollback with a surge whose pod fails: exit 1, the surge removed, replicas back, the Deployment handed back")
    func surgeFailureWithRollback() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 4)], latencies: RolloutScenario.restartLatencies))
        defer { c.stop() }
        c.settle()
        let before = c.facts(prefix: "web-")
        let replicaSets = Set(c.replicaSets(of: "web").keys)
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:broken", "--max-surge", "1", "--on-failure", "rollback",
                           "--grace-period", "0", "--timeout", "30s"], timeout: 60)
        #expect(r.status == 1, "\(r)")
        #expect(PodWrite.of(c.ourWrites).allSatisfy { before[$0.pod] == nil }, "no write to an original pod")
        #expect(c.facts(prefix: "web-").count == 4)
        #expect(Set(c.facts(prefix: "web-").values.map(\.uid)) == Set(before.values.map(\.uid)))
        let d = c.object(Resources.deployments, "web")
        #expect(d?[path: ["spec", "replicas"]] == 4)
        #expect(d?[path: ["spec", "paused"]]?.bool != true, "\(r.stderr)")
        #expect(d?[path: ["spec", "template", "spec", "containers"]]?[0]?["image"] == "nginx:1.25", "\(r.stderr)")
        c.settle(thenWait: 0.5)
        #expect(Set(c.replicaSets(of: "web").keys) == replicaSets)
        #expect(Set(c.facts(prefix: "web-").values.map(\.uid)) == Set(before.values.map(\.uid)), "the controller replaced nothing")
    }
}
