import Foundation
import JSON
import KubeSim
import Testing

/// Issue 4's acceptance: pause, SIGINT, one rollout at a time, undo, rollback on failure, and
/// `status` (-o json, -w) through all of them, with the state in the cluster.
@Suite("durable rollouts: pause, resume, signals, undo, rollback, status")
struct DurableRolloutTests {
    /// Pods of `prefix` running `image` in container `app`, Ready, with the gate True.
    static func updated(_ c: TestCluster, _ prefix: String = "web-", image: String = "nginx:1.27") -> Int {
        c.facts(prefix: prefix).values.filter { $0.images["app"] == image && $0.ready && $0.gate == "True" }.count
    }

    /// Waits until the rollout record exists on Deployment `web`, then follows it with `status -w`.
    static func followStatus(_ c: TestCluster, json: Bool = false) throws -> BackgroundRun {
        #expect(Eventually.wait(10) { c.record(Resources.deployments, "web") != nil }, "the rollout recorded itself")
        return try c.start(["status", "deployment/web", "-w"] + (json ? ["-o", "json"] : []))
    }

    @Test("1 and 7: pause during a rollout of 8 (max-unavailable 1, grace 1s) exits 4 after the pod in flight; resume completes; status -w exits like the rollout")
    func pauseAndResume() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 8)]))
        defer { c.stop() }
        c.settle()
        let before = c.facts(prefix: "web-")
        let rollout = try c.start(["set", "image", "deployment/web", "app=nginx:1.27", "--max-unavailable", "1", "--grace-period", "1s"])
        defer { rollout.cleanUp() }
        let follower = try Self.followStatus(c, json: true)
        defer { follower.cleanUp() }
        #expect(Eventually.wait(20) { Self.updated(c) >= 2 }, "\(rollout.stderr)")

        let pause = try c.run(["pause", "deployment/web"])
        #expect(pause.status == 0, "\(pause)")
        #expect(pause.stderr.contains("pause requested"), "\(pause.stderr)")
        let paused = Date()
        let code = rollout.waitExit(timeout: 10)
        #expect(code == 4, "\(rollout.stderr)")
        #expect(Date().timeIntervalSince(paused) < 3, "seen within a second, then the pod in flight (grace 1s) finished")
        #expect(rollout.stderr.contains("resume deployment/web"), "prints the resume command: \(rollout.stderr)")
        #expect(follower.waitExit(timeout: 10) == 4, "status -w exits with the rollout's code: \(follower.stdout)")
        let lines = try JSONLines.parse(follower.stdout)
        #expect(lines.last?["phase"] == "paused" && lines.last?["exitCode"] == 4, "\(follower.stdout)")

        let stopped = c.facts(prefix: "web-")
        let done = Self.updated(c)
        #expect(done >= 2 && done < 8, "\(done) updated")
        #expect(stopped.values.filter { $0.images["app"] == "nginx:1.25" }.count == 8 - done, "the others are on the old image")
        #expect(stopped.values.allSatisfy { $0.gate == "True" && $0.ready }, "no pod left out of service: \(stopped.values)")
        let status = try c.statusJSON("deployment/web")
        #expect(status.first?["phase"] == "paused" && status.first?["exitCode"] == 4 && status.first?["updated"]?.int == done,
                "\(status.first?.serialized() ?? "none")")
        let again = try c.run(["pause", "deployment/web"])
        #expect(again.status == 0 && again.stderr.contains("already paused"), "\(again)")

        let resume = try c.start(["resume", "deployment/web", "--grace-period", "100ms"])
        defer { resume.cleanUp() }
        #expect(Eventually.wait(10) { c.record(Resources.deployments, "web")?["phase"] == "running" }, "\(resume.stderr)")
        let follower2 = try c.start(["status", "deployment/web", "-w"])
        defer { follower2.cleanUp() }
        #expect(resume.waitExit(timeout: 60) == 0, "\(resume.stderr)")
        #expect(follower2.waitExit(timeout: 10) == 0, "\(follower2.stdout)\(follower2.stderr)")
        #expect(follower2.stdout.contains("complete"), "\(follower2.stdout)")
        let after = c.facts(prefix: "web-")
        #expect(Self.updated(c) == 8)
        #expect(Set(after.values.map(\.uid)) == Set(before.values.map(\.uid)))
        for name in before.keys { #expect(c.server.cluster.transitions.kills(container: "app", pod: name) == 1, "\(name)") }
        let final = try c.statusJSON("deployment/web")
        #expect(final.first?["phase"] == "complete" && final.first?["updated"] == 8 && final.first?["exitCode"] == 0)
        #expect(final.first?["options"]?["gracePeriod"] == "100ms", "the override is recorded: \(final.first?.serialized() ?? "")")
        #expect(c.object(Resources.deployments, "web")?[path: ["spec", "paused"]]?.bool != true)
    }

    @Test("2: SIGINT mid-rollout exits 4 with no pod out of service; resume completes")
    func sigint() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 6)]))
        defer { c.stop() }
        c.settle()
        let rollout = try c.start(["set", "image", "deployment/web", "app=nginx:1.27", "--grace-period", "300ms"])
        defer { rollout.cleanUp() }
        #expect(Eventually.wait(20) { Self.updated(c) >= 1 && c.facts(prefix: "web-").values.contains { $0.gate == "False" } },
                "\(rollout.stderr)")
        rollout.signal(SIGINT)
        #expect(rollout.waitExit(timeout: 10) == 4, "\(rollout.stderr)")
        #expect(rollout.stderr.contains("resume deployment/web"), "\(rollout.stderr)")
        let stopped = c.facts(prefix: "web-")
        #expect(stopped.values.allSatisfy { $0.gate == "True" && $0.ready }, "\(stopped.values)")
        #expect(Self.updated(c) < 6)
        let status = try c.statusJSON("deployment/web")
        #expect(status.first?["phase"] == "paused" && status.first?["exitCode"] == 4, "\(status)")

        let resume = try c.run(["resume", "deployment/web", "--grace-period", "0"], timeout: 60)
        #expect(resume.status == 0, "\(resume)")
        #expect(Self.updated(c) == 6)
        #expect(!c.server.cluster.transitions.wasAnyPodDeleted())
    }

    @Test("2: a second SIGINT exits at once, leaving a pod out of service; resume repairs it and completes")
    func doubleSigint() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 3)]))
        defer { c.stop() }
        c.settle()
        let rollout = try c.start(["set", "image", "deployment/web", "app=nginx:1.27", "--grace-period", "2s"])
        defer { rollout.cleanUp() }
        #expect(Eventually.wait(20) { c.facts(prefix: "web-").values.contains { $0.gate == "False" } }, "\(rollout.stderr)")
        rollout.signal(SIGINT)
        usleep(50_000)
        rollout.signal(SIGINT)
        let interrupted = Date()
        #expect(rollout.waitExit(timeout: 10) == 4, "\(rollout.stderr)")
        #expect(Date().timeIntervalSince(interrupted) < 1, "at once, not after the grace period")
        #expect(rollout.stderr.contains("resume deployment/web"), "\(rollout.stderr)")
        let left = c.facts(prefix: "web-").values.filter { $0.gate == "False" }
        #expect(left.count == 1 && left.allSatisfy { $0.images["app"] == "nginx:1.25" }, "left mid-sequence: \(left)")

        let resume = try c.run(["resume", "deployment/web", "--grace-period", "0"], timeout: 60)
        #expect(resume.status == 0, "\(resume)")
        #expect(Self.updated(c) == 3)
        for name in c.facts(prefix: "web-").keys { #expect(c.server.cluster.transitions.kills(container: "app", pod: name) == 1, "\(name)") }
    }

    @Test("2: SIGINT mid-rollout of a StatefulSet, then resume: revision labels right, RollingUpdate restored, nothing recreated")
    func sigintStatefulSet() throws {
        var db = Workloads.statefulSet(replicas: 4)
        db[path: ["spec", "updateStrategy"]] = ["type": "RollingUpdate", "rollingUpdate": ["partition": 0, "maxUnavailable": 1]]
        let c = try TestCluster(RolloutScenario.make([db]))
        defer { c.stop() }
        c.settle()
        let strategy = c.object(Resources.statefulSets, "db")?[path: ["spec", "updateStrategy"]]
        let before = c.facts(prefix: "db-")
        let rollout = try c.start(["set", "image", "sts/db", "postgres=postgres:16.3", "--grace-period", "300ms"])
        defer { rollout.cleanUp() }
        #expect(Eventually.wait(20) { c.facts(prefix: "db-").values.contains { $0.images["postgres"] == "postgres:16.3" && $0.ready } },
                "\(rollout.stderr)")
        rollout.signal(SIGINT)
        #expect(rollout.waitExit(timeout: 10) == 4, "\(rollout.stderr)")
        #expect(c.object(Resources.statefulSets, "db")?[path: ["spec", "updateStrategy", "type"]] == "OnDelete", "held off while paused")
        let resume = try c.run(["resume", "sts/db", "--grace-period", "0"], timeout: 60)
        #expect(resume.status == 0, "\(resume)")
        let sts = c.object(Resources.statefulSets, "db")
        #expect(sts?[path: ["spec", "updateStrategy"]] == strategy, "the original strategy is back: \(sts?[path: ["spec", "updateStrategy"]]?.serialized() ?? "-")")
        let revision = sts?[path: ["status", "updateRevision"]]?.string
        c.settle(thenWait: 1)
        let after = c.facts(prefix: "db-")
        #expect(Set(after.values.map(\.uid)) == Set(before.values.map(\.uid)), "nothing recreated")
        #expect(after.values.allSatisfy { $0.images["postgres"] == "postgres:16.3" && $0.ready && $0.labels["controller-revision-hash"] == revision },
                "\(after.values)")
    }

    @Test("4: two concurrent rollouts of one Deployment: exactly one proceeds, the other exits 5 without writing to a pod",
          arguments: [0, 20_000, 60_000])
    func concurrentRollouts(offsetMicroseconds: Int) throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 3)]))
        defer { c.stop() }
        c.settle()
        c.server.requestLog.clear()
        let a = try c.start(["set", "image", "deployment/web", "app=nginx:1.27", "--grace-period", "200ms", "--max-unavailable", "1"])
        usleep(UInt32(offsetMicroseconds))
        let b = try c.start(["set", "image", "deployment/web", "app=nginx:1.27", "--grace-period", "200ms", "--max-unavailable", "1"])
        defer { a.cleanUp(); b.cleanUp() }
        let codes = [a.waitExit(timeout: 30), b.waitExit(timeout: 30)]
        #expect(codes.compactMap { $0 }.sorted() == [0, 5], "\(codes)\n--- a\n\(a.stderr)\n--- b\n\(b.stderr)")
        let loser = codes[0] == 5 ? a : b
        #expect(loser.stderr.contains("is being rolled out by") || loser.stderr.contains("changed since it was read"), "\(loser.stderr)")
        let podWrites = PodWrite.of(c.ourWrites)
        #expect(RolloutDeploymentTests.oneSequenceEach(podWrites, pods: c.podNames(prefix: "web-")), "one sequence per pod, from one process: \(podWrites)")
        let id = c.record(Resources.deployments, "web")?["id"]?.string
        for pod in c.livePods(prefix: "web-") {
            let state = pod[path: ["metadata", "annotations", "inplace.kubectl.io/state"]]?.string.flatMap { try? JSONValue(parsing: $0) }
            #expect(state?["rollout"]?.string == id)
        }
        #expect(Self.updated(c) == 3)
    }

    @Test("4: a rollout started while another runs is refused with exit 5 naming the holder")
    func refusedWhileRunning() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 4)]))
        defer { c.stop() }
        c.settle()
        let first = try c.start(["set", "image", "deployment/web", "app=nginx:1.27", "--grace-period", "300ms"])
        defer { first.cleanUp() }
        #expect(Eventually.wait(10) { c.record(Resources.deployments, "web") != nil })
        let second = try c.run(["set", "image", "deployment/web", "app=nginx:1.26", "--grace-period", "0"])
        #expect(second.status == 5, "\(second)")
        #expect(second.stderr.contains("pid \(first.process.processIdentifier)"), "names the holder: \(second.stderr)")
        #expect(first.waitExit(timeout: 30) == 0, "\(first.stderr)")
        #expect(RolloutDeploymentTests.oneSequenceEach(PodWrite.of(c.ourWrites), pods: c.podNames(prefix: "web-")),
                "only the first rollout wrote to pods: \(PodWrite.of(c.ourWrites))")
        #expect(c.facts(prefix: "web-").values.allSatisfy { $0.images["app"] == "nginx:1.27" })
    }

    @Test("5: undo after a complete rollout: the pods are back on the old images, in place")
    func undoComplete() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 3)]))
        defer { c.stop() }
        c.settle()
        let before = c.facts(prefix: "web-")
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27", "--grace-period", "0"])
        #expect(r.status == 0, "\(r)")
        let undo = try c.run(["undo", "deployment/web", "--grace-period", "0"])
        #expect(undo.status == 0, "\(undo)")
        let after = c.facts(prefix: "web-")
        #expect(Set(after.values.map(\.uid)) == Set(before.values.map(\.uid)))
        #expect(after.values.allSatisfy { $0.images == ["app": "nginx:1.25", "sidecar": "busybox:1.36"] && $0.ready && $0.gate == "True" },
                "\(after.values)")
        #expect(Set(c.server.cluster.transitions.deletedPods(workload: "Deployment/web")).isDisjoint(with: before.keys),
                "no original pod deleted (3 pods at 25%: the rollouts surge by 1)")
        let d = c.object(Resources.deployments, "web")
        #expect(d?[path: ["spec", "template", "spec", "containers"]]?[0]?["image"] == "nginx:1.25")
        #expect(d?[path: ["spec", "paused"]]?.bool != true)
        c.settle(thenWait: 1)
        #expect(Set(c.facts(prefix: "web-").values.map(\.uid)) == Set(before.values.map(\.uid)), "the controller replaced nothing")
        #expect(c.replicaSets(of: "web").count == 1)
    }

    @Test("5: undo after a failed rollout: the failed pod is back on the old image and Ready, in place")
    func undoFailed() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 3)]))
        defer { c.stop() }
        c.settle()
        let before = c.facts(prefix: "web-")
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27-broken", "--grace-period", "0", "--max-unavailable", "1"])
        #expect(r.status == 1, "\(r)")
        let undo = try c.run(["undo", "deployment/web", "--grace-period", "0"])
        #expect(undo.status == 0, "\(undo)")
        let after = c.facts(prefix: "web-")
        #expect(Set(after.values.map(\.uid)) == Set(before.values.map(\.uid)))
        #expect(after.values.allSatisfy { $0.images["app"] == "nginx:1.25" && $0.ready && $0.gate == "True" }, "\(after.values)")
        #expect(Set(c.server.cluster.transitions.deletedPods(workload: "Deployment/web")).isDisjoint(with: before.keys),
                "no original pod deleted (3 pods at 25%: the rollouts surge by 1)")
        #expect(c.object(Resources.deployments, "web")?[path: ["spec", "template", "spec", "containers"]]?[0]?["image"] == "nginx:1.25")
    }

    @Test("6 and 7: --on-failure rollback: the failed pod and the updated ones go back to the old image, Ready; exit 1; status says failed")
    func rollbackOnFailure() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 4)]))
        defer { c.stop() }
        c.settle()
        let before = c.facts(prefix: "web-")
        let rollout = try c.start(["set", "image", "deployment/web", "app=nginx:1.27", "--grace-period", "300ms", "--on-failure", "rollback"])
        defer { rollout.cleanUp() }
        let follower = try Self.followStatus(c)
        defer { follower.cleanUp() }
        #expect(Eventually.wait(20) { Self.updated(c) >= 2 }, "\(rollout.stderr)")
        c.server.cluster.setImageBehaviour(ImageBehaviour(missing: ["nginx:1.27"]))
        let code = rollout.waitExit(timeout: 30)
        #expect(code == 1, "\(rollout.stderr)")
        #expect(rollout.stderr.contains("rolled back"), "\(rollout.stderr)")
        let after = c.facts(prefix: "web-")
        #expect(Set(after.values.map(\.uid)) == Set(before.values.map(\.uid)))
        #expect(after.values.allSatisfy { $0.images["app"] == "nginx:1.25" && $0.ready && $0.gate == "True" }, "\(after.values)")
        #expect(Set(c.server.cluster.transitions.deletedPods(workload: "Deployment/web")).isDisjoint(with: before.keys),
                "no original pod deleted (3 pods at 25%: the rollouts surge by 1)")
        #expect(follower.waitExit(timeout: 10) == 1, "status -w exits like the rollout: \(follower.stdout)\(follower.stderr)")
        let status = try c.statusJSON("deployment/web")
        #expect(status.first?["exitCode"] == 1, "\(status.first?.serialized() ?? "none")")
    }
}
