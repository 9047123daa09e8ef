import Foundation
import JSON
import KubeSim
import Testing

/// Issue 9 items 4 and 7 through the built binary: unavailability is counted as the workload
/// controllers count it (desired replicas − Ready pods), once per pod, and pods that come or go
/// during the rollout are counted in the summary.
@Suite("rollout: the window counts unavailable pods as the controllers do")
struct RolloutWindowTests {
    @Test("9.4: 6 pods, one already on the new image but NotReady, --max-unavailable 2: the other 5 update, one at a time, and never more than 2 pods are NotReady")
    func notReadyKeptPodCountsOnce() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 6)], latencies: RolloutScenario.restartLatencies))
        defer { c.stop() }
        c.settle()
        let first = try #require(c.podNames(prefix: "web-").first)
        _ = c.server.client.patch(Resources.pods, namespace: "default", name: first,
                                  patch: ["spec": ["containers": [["name": "app", "image": "nginx:1.27"]]]])
        _ = c.server.client.patch(Resources.pods, namespace: "default", name: first, subresource: "status",
                                  patch: ["status": ["conditions": [["type": "InPlaceUpdateReady", "status": "False"]]]])
        #expect(Eventually.wait(10) {
            let p = c.facts(prefix: first).values.first
            return p?.ready == false && p?.restartCounts["app"] == 1
        }, "\(c.facts(prefix: first))")
        c.settle()

        let (_, plan) = try c.planJSON(["deployment/web", "app=nginx:1.27", "--max-unavailable", "2"])
        #expect(plan.planPods.withAction("update").count == 5)
        #expect(plan.planPods.withAction("update").batches == [1, 2, 3, 4, 5], "one at a time: the NotReady pod takes one of the two")
        #expect(plan.planWorkloads.first?[path: ["summary", "maxUnavailable"]] == 2)

        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27", "--max-unavailable", "2", "--grace-period", "0",
                           "--timeout", "20s"], timeout: 40)
        #expect(r.status == 0, "\(r)")
        let after = c.facts(prefix: "web-")
        #expect(after.count == 6)
        #expect(after.values.allSatisfy { $0.images["app"] == "nginx:1.27" }, "\(after.values)")
        #expect(after.values.filter { $0.name != first }.allSatisfy { $0.ready }, "\(after.values)")
        let notReady = c.server.cluster.transitions.maxNotReady(workload: "Deployment/web")
        #expect(notReady == 2, "the kept NotReady pod and one pod in flight: \(notReady)")
    }

    @Test("9.4: a NotReady pod to update starts beside a Ready one within --max-unavailable 2, and the rollout finishes")
    func notReadyPodToUpdate() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 4)], latencies: RolloutScenario.restartLatencies))
        defer { c.stop() }
        c.settle()
        let first = try #require(c.podNames(prefix: "web-").first)
        _ = c.server.client.patch(Resources.pods, namespace: "default", name: first, subresource: "status",
                                  patch: ["status": ["conditions": [["type": "InPlaceUpdateReady", "status": "False"]]]])
        #expect(Eventually.wait(10) { c.facts(prefix: first).values.first?.ready == false })
        c.settle()
        c.server.cluster.transitions.clear()
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27", "--max-unavailable", "2", "--grace-period", "0",
                           "--timeout", "20s"], timeout: 40)
        #expect(r.status == 0, "\(r)")
        #expect(c.facts(prefix: "web-").values.allSatisfy { $0.images["app"] == "nginx:1.27" && $0.ready })
        #expect(c.server.cluster.transitions.maxNotReady(workload: "Deployment/web") <= 2)
    }

    @Test("9.4, 9.7: a pending pod deleted mid-rollout counts until its replacement is Ready, then stops; the summary counts it as recreated")
    func deletedPodCountsUntilReplaced() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 4)], latencies: RolloutScenario.restartLatencies))
        defer { c.stop() }
        let keeper = TestGateKeeper(c.server)
        defer { keeper.stop() }
        c.settle()
        let before = c.facts(prefix: "web-")
        let run = try c.start(["set", "image", "deployment/web", "app=nginx:1.27", "--grace-period", "1s", "--timeout", "30s",
                               "-o", "json"])
        defer { run.cleanUp() }
        #expect(Eventually.wait(10) { run.stdout.contains("\"podDone\"") }, "\(run.stderr)")
        let seen = try JSONLines.parse(run.stdout)
        let touched = Set(seen.filter { $0["type"] == "podStep" || $0["type"] == "podDone" }.compactMap { $0["pod"]?.string })
        let victim = try #require(before.keys.sorted().last { !touched.contains($0) })
        _ = c.server.client.delete(Resources.pods, namespace: "default", name: victim)
        #expect(run.waitExit(timeout: 40) == 0, "\(run.stderr)\n\(run.stdout)")

        let after = c.facts(prefix: "web-")
        #expect(after.count == 4 && after[victim] == nil)
        #expect(after.values.allSatisfy { $0.images["app"] == "nginx:1.27" && $0.ready }, "\(after.values)")
        let events = try JSONLines.parse(run.stdout)
        let summary = try #require(events.last)
        #expect(summary["type"] == "summary")
        #expect(summary["updated"] == 3, "\(summary.serialized())")
        #expect(summary["recreated"] == 1, "\(summary.serialized())")
        #expect(c.server.cluster.transitions.deletedPods(workload: "Deployment/web").contains(victim))
    }

    @Test("9.4: --max-unavailable above the pod count is shown as the pod count, by plan and by rollout")
    func budgetAboveThePodCount() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 3)]))
        defer { c.stop() }
        c.settle()
        let (_, plan) = try c.planJSON(["deployment/web", "app=nginx:1.27", "--max-unavailable", "10"])
        #expect(plan.planWorkloads.first?[path: ["summary", "maxUnavailable"]] == 3, "\(plan.serialized())")
        #expect(plan.planPods.batches == [1, 1, 1])
        let text = try c.run(["plan", "deployment/web", "app=nginx:1.27", "--max-unavailable", "10"])
        #expect(text.stdout.contains("max-unavailable 3 (flag)"), "\(text.stdout)")
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27", "--max-unavailable", "10", "--grace-period", "0", "-o", "json"])
        #expect(r.status == 0, "\(r)")
        let started = try JSONLines.parse(r.stdout).first { $0["type"] == "started" }
        #expect(started?["maxUnavailable"] == 3, "\(r.stdout)")
        #expect(c.server.cluster.transitions.maxNotReady(workload: "Deployment/web") <= 3)
    }
}
