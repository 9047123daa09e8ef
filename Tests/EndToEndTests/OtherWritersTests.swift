import Foundation
import JSON
import KubeSim
import Testing

/// Issue 9 item 10: other writers of a workload while a rollout holds it. A scale (an autoscaler,
/// `kubectl scale`) is followed; any other change of the spec (a GitOps tool, `kubectl patch`) stops
/// the rollout with exit 5 naming the writer, the record kept for `resume`.
@Suite("other writers: scale is followed, other spec changes stop the rollout")
struct OtherWritersTests {
    static let kubectlPath = "/usr/bin/kubectl"

    /// Runs the real kubectl against the test cluster.
    /// Starts `args` and waits until the first pod finished its update (the rollout is mid-way).
    func startAndWaitForFirstPod(_ c: TestCluster, _ args: [String]) throws -> BackgroundRun {
        let run = try c.start(args)
        let midway = Eventually.wait(20) {
            c.facts(prefix: "web-").values.contains { $0.images["app"] == "nginx:1.27" && $0.gate == "True" && $0.ready }
        }
        #expect(midway, "\(run.stderr)")
        return run
    }

    func cluster(replicas: Int) throws -> TestCluster {
        try #require(FileManager.default.isExecutableFile(atPath: Self.kubectlPath), "the real kubectl is needed")
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: replicas)], latencies: RolloutScenario.restartLatencies))
        c.settle()
        return c
    }

    @Test("kubectl scale 4 → 6 mid-rollout: the new pods are the rollout's, in service; it completes with exit 0")
    func scaleUpIsFollowed() throws {
        let c = try cluster(replicas: 4)
        defer { c.stop() }
        let run = try startAndWaitForFirstPod(c, ["set", "image", "deployment/web", "app=nginx:1.27", "--max-unavailable", "1",
                                                  "--grace-period", "1s"])
        defer { run.cleanUp() }
        let scale = try c.kubectl(["scale", "deployment/web", "--replicas=6"])
        #expect(scale.status == 0, "\(scale.output)")
        #expect(run.waitExit(timeout: 60) == 0, "\(run.stderr)")
        c.settle(thenWait: 0.3)
        let pods = c.facts(prefix: "web-")
        #expect(pods.count == 6)
        for p in pods.values {
            #expect(p.images["app"] == "nginx:1.27" && p.gate == "True" && p.ready, "\(p)")
        }
        let status = try #require(try c.statusJSON("deployment/web").first)
        #expect(status["updated"] == 6 && status["total"] == 6, "\(status.serialized())")
        #expect(c.object(Resources.deployments, "web")?[path: ["spec", "replicas"]] == 6)
    }

    @Test("kubectl scale 6 → 3 mid-rollout: the removed pods are not waited for; it completes with exit 0")
    func scaleDownIsFollowed() throws {
        let c = try cluster(replicas: 6)
        defer { c.stop() }
        let run = try startAndWaitForFirstPod(c, ["set", "image", "deployment/web", "app=nginx:1.27", "--max-unavailable", "2",
                                                  "--grace-period", "300ms"])
        defer { run.cleanUp() }
        let scale = try c.kubectl(["scale", "deployment/web", "--replicas=3"])
        #expect(scale.status == 0, "\(scale.output)")
        #expect(run.waitExit(timeout: 60) == 0, "\(run.stderr)")
        c.settle(thenWait: 0.3)
        let pods = c.facts(prefix: "web-")
        #expect(pods.count == 3)
        for p in pods.values {
            #expect(p.images["app"] == "nginx:1.27" && p.gate == "True" && p.ready, "\(p)")
        }
    }

    @Test("kubectl patch of the template mid-rollout: exit 5 naming kubectl-patch, no pod left out of service, the record kept; resume completes")
    func templatePatchStopsTheRollout() throws {
        let c = try cluster(replicas: 4)
        defer { c.stop() }
        let run = try startAndWaitForFirstPod(c, ["set", "image", "deployment/web", "app=nginx:1.27", "--max-unavailable", "1",
                                                  "--grace-period", "1s"])
        defer { run.cleanUp() }
        let before = try #require(c.record(Resources.deployments, "web"))
        let patch = try c.kubectl(["patch", "deployment", "web", "-p",
                                    #"{"spec":{"template":{"spec":{"containers":[{"name":"sidecar","image":"busybox:1.37"}]}}}}"#])
        #expect(patch.status == 0, "\(patch.output)")
        #expect(run.waitExit(timeout: 60) == 5, "\(run.stderr)")
        #expect(run.stderr.contains("kubectl-patch") && run.stderr.contains("spec.template.spec.containers[sidecar].image"), "\(run.stderr)")
        c.settle(thenWait: 0.3)
        #expect(c.facts(prefix: "web-").values.allSatisfy { $0.gate == "True" }, "the pods in flight finished")
        let record = try #require(c.record(Resources.deployments, "web"))
        #expect(record["id"] == before["id"])
        #expect(record["images"] == before["images"] && record["previousImages"] == before["previousImages"])
        #expect(record["previous"] == before["previous"])
        #expect(record["phase"] == "paused")
        #expect(record["message"]?.string?.contains("kubectl-patch") == true)
        let web = c.object(Resources.deployments, "web")
        #expect(web?[path: ["spec", "paused"]] == true, "left prepared for resume")

        let resume = try c.run(["resume", "deployment/web"], timeout: 60)
        #expect(resume.status == 0, "\(resume)")
        c.settle(thenWait: 0.3)
        for p in c.facts(prefix: "web-").values {
            #expect(p.images["app"] == "nginx:1.27" && p.images["sidecar"] == "busybox:1.37" && p.gate == "True" && p.ready, "\(p)")
        }
        #expect(c.object(Resources.deployments, "web")?[path: ["spec", "paused"]] != true)
    }

    @Test("kubectl scale of a StatefulSet 3 → 5 mid-rollout: the new ordinals are the rollout's; RollingUpdate restored; exit 0")
    func statefulSetScaleUpIsFollowed() throws {
        try #require(FileManager.default.isExecutableFile(atPath: Self.kubectlPath), "the real kubectl is needed")
        var db = Workloads.statefulSet(replicas: 3)
        db[path: ["spec", "updateStrategy"]] = ["type": "RollingUpdate", "rollingUpdate": ["partition": 0]]
        let c = try TestCluster(RolloutScenario.make([db], latencies: RolloutScenario.restartLatencies))
        defer { c.stop() }
        c.settle()
        let run = try c.start(["set", "image", "sts/db", "postgres=postgres:16.3", "--grace-period", "300ms"])
        defer { run.cleanUp() }
        #expect(Eventually.wait(20) {
            c.facts(prefix: "db-").values.contains { $0.images["postgres"] == "postgres:16.3" && $0.gate == "True" && $0.ready }
        }, "\(run.stderr)")
        let scale = try c.kubectl(["scale", "statefulset/db", "--replicas=5"])
        #expect(scale.status == 0, "\(scale.output)")
        #expect(run.waitExit(timeout: 60) == 0, "\(run.stderr)")
        c.settle(thenWait: 0.3)
        let pods = c.facts(prefix: "db-")
        #expect(pods.keys.sorted() == ["db-0", "db-1", "db-2", "db-3", "db-4"])
        for p in pods.values {
            #expect(p.images["postgres"] == "postgres:16.3" && p.gate == "True" && p.ready, "\(p)")
        }
        #expect(c.object(Resources.statefulSets, "db")?[path: ["spec", "updateStrategy", "type"]] == "RollingUpdate")
    }
}
