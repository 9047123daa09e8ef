import Foundation
import JSON
import KubeSim
import Testing

/// Issue 9 item 2 against a kubelet that acts at its next sync and keeps showing the last
/// container and the last failure until then (behaviour.md K1–K5, the harness's sync delay on).
@Suite("stale kubelet status: rollback and fast pull failures with the kubelet's sync delay")
struct StaleKubeletStatusTests {
    @Test("--on-failure rollback after a broken image returns every touched pod to the old image, Ready, exit 1 (with and without pod generation)",
          arguments: [false, true])
    func rollbackAfterBrokenImage(podGeneration: Bool) throws {
        // ErrImagePull shows 600 ms before it turns into ImagePullBackOff: the turn comes after the
        // rollback recorded the failed pods and before the kubelet acted on the rollback's patch.
        var latencies = RolloutScenario.restartLatencies
        latencies.errImagePullHold = 0.6
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 4)], latencies: latencies, podGeneration: podGeneration))
        defer { c.stop() }
        c.settle()
        #expect(c.server.cluster.options.latencies.sync > 0, "the harness runs the kubelet with its sync delay")
        let before = c.facts(prefix: "web-")
        let template = c.object(Resources.deployments, "web")?[path: ["spec", "template"]]
        let replicaSets = Set(c.replicaSets(of: "web").keys)
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:broken-9", "--max-unavailable", "2", "--grace-period", "1s",
                           "--on-failure", "rollback", "--timeout", "60s"])
        #expect(r.status == 1, "\(r)")
        #expect(r.stderr.contains("rolled back"), "\(r.stderr)")
        let touched = Set(PodWrite.of(c.ourWrites).filter { $0.kind == .imagePatch }.map(\.pod))
        #expect(touched.count >= 2, "the first window was patched: \(touched)")
        let after = c.facts(prefix: "web-")
        #expect(Set(after.values.map(\.uid)) == Set(before.values.map(\.uid)))
        #expect(after.values.allSatisfy { $0.images["app"] == "nginx:1.25" && $0.ready && $0.gate == "True" }, "\(after.values)")
        for name in touched {
            let app = (c.object(Resources.pods, name)?[path: ["status", "containerStatuses"]]?.array ?? []).first { $0["name"] == "app" }
            #expect(app?[path: ["state", "running"]] != nil && app?["image"] == "docker.io/library/nginx:1.25", "\(name): \(app?.serialized() ?? "-")")
        }
        #expect(!c.server.cluster.transitions.wasAnyPodDeleted())
        let deployment = c.object(Resources.deployments, "web")
        #expect(deployment?[path: ["spec", "template", "spec", "containers"]]?[0]?["image"] == template?[path: ["spec", "containers"]]?[0]?["image"])
        #expect(deployment?[path: ["spec", "paused"]]?.bool != true, "unpaused: \(deployment?[path: ["spec"]]?.serialized() ?? "")")
        #expect(Set(c.replicaSets(of: "web").keys) == replicaSets, "no new ReplicaSet")

        // The next thing a user does: undo. It must not bring the broken image back.
        let writesBefore = c.ourWrites.count
        let undo = try c.run(["undo", "deployment/web", "--grace-period", "0"], timeout: 60)
        #expect(undo.status == 0, "\(undo)")
        let podSpecWrites = c.ourWrites.dropFirst(writesBefore).filter { $0.path.contains("/pods/") && $0.bodyJSON?[path: ["spec"]] != nil }
        #expect(!podSpecWrites.contains { $0.bodyText.contains("nginx:broken-9") },
                "undo patched a pod to the broken image: \(podSpecWrites.map(\.bodyText))")
        #expect(c.facts(prefix: "web-").values.allSatisfy { $0.images["app"] == "nginx:1.25" && $0.ready })
        #expect(c.object(Resources.deployments, "web")?[path: ["spec", "paused"]]?.bool != true)
    }

    @Test("a pull failure of a new image fails the pod within seconds, the kubelet still showing the old container's image")
    func pullFailureFailsFast() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 2)], latencies: RolloutScenario.restartLatencies))
        defer { c.stop() }
        c.settle()
        let rollout = try c.start(["set", "image", "deployment/web", "app=nginx:broken-9", "--max-unavailable", "1", "--grace-period", "100ms"])
        defer { rollout.cleanUp() }
        #expect(Eventually.wait(20) { PodWrite.of(c.ourWrites).contains { $0.kind == .imagePatch } }, "\(rollout.stderr)")
        let patched = Date()
        let code = rollout.waitExit(timeout: 20)
        let took = Date().timeIntervalSince(patched)
        #expect(code == 1, "\(rollout.stderr)")
        #expect(took < 4, "failed \(took) s after the image patch")
        #expect(rollout.stderr.contains("ErrImagePull") || rollout.stderr.contains("ImagePullBackOff"), "\(rollout.stderr)")
        let pod = try #require(PodWrite.of(c.ourWrites).first { $0.kind == .imagePatch }?.pod)
        let app = (c.object(Resources.pods, pod)?[path: ["status", "containerStatuses"]]?.array ?? []).first { $0["name"] == "app" }
        #expect(app?["image"] == "docker.io/library/nginx:1.25", "K4: the status keeps the old container's image: \(app?.serialized() ?? "-")")
    }
}
