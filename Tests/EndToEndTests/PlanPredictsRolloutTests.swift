import Foundation
import JSON
import KubeSim
import Testing

/// Issue 9 items 8 and 11 through the built binary: `plan` shows every reason `rollout` refuses for,
/// the same way, and both take a StatefulSet's own partition (the manifest's or the live one) as the
/// default, saying where the value came from.
@Suite("plan predicts rollout: refusals and the workload's own strategy")
struct PlanPredictsRolloutTests {
    @Test("9.8: a Deployment paused in the middle of a native rollout: plan refuses it (--exit-code 2) and rollout refuses the same way, writing nothing")
    func nativeRolloutMidway() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 4)], latencies: RolloutScenario.restartLatencies))
        defer { c.stop() }
        c.settle()
        _ = c.server.client.patch(Resources.deployments, namespace: "default", name: "web",
                                  patch: ["spec": ["template": ["spec": ["containers": [["name": "app", "image": "nginx:1.26-broken"]]]]]])
        let midway = Eventually.wait(10) {
            c.replicaSets(of: "web").values.filter { ($0[path: ["spec", "replicas"]]?.int ?? 0) > 0 }.count == 2
        }
        #expect(midway, "two ReplicaSets with pods: \(c.replicaSets(of: "web").mapValues { $0[path: ["spec", "replicas"]] ?? .null })")
        _ = c.server.client.patch(Resources.deployments, namespace: "default", name: "web", patch: ["spec": ["paused": true]])
        c.settle()
        c.server.requestLog.clear()

        let (run, plan) = try c.planJSON(["deployment/web", "app=nginx:1.27", "--exit-code"])
        #expect(run.status == 2, "\(run)")
        #expect(PlanSchema.violations(plan) == [])
        let refused = plan.planWorkloads.first?["refused"]?.array?.compactMap(\.string) ?? []
        #expect(refused.count == 1 && refused.first?.contains("in the middle of a native rollout") == true, "\(plan.serialized())")
        let text = try c.run(["plan", "deployment/web", "app=nginx:1.27"])
        #expect(text.status == 0, "without --exit-code a plan that can be shown exits 0: \(text)")
        #expect(text.stdout.contains("refused: \(refused.first ?? "?")"), "\(text.stdout)")

        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27"])
        #expect(r.status == 2, "\(r)")
        #expect(r.stderr.contains(refused.first ?? "?"), "the same reason: \(r.stderr)")
        #expect(c.server.requestLog.writes.isEmpty, "\(c.server.requestLog.writes.map { "\($0.method) \($0.path)" })")
    }

    @Test("9.8: a manifest's bad image reference blocks the pods in plan (--exit-code 2) with the reason rollout refuses with")
    func badImageReference() throws {
        let c = try TestCluster(Workloads.scenario([Workloads.deployment(replicas: 2)]))
        defer { c.stop() }
        let file = try c.writeManifest("web.yaml", Workloads.deployment(replicas: 2, image: "NGINX:1.27"))
        let (run, plan) = try c.planJSON(["-f", file, "--exit-code"])
        #expect(run.status == 2, "\(run)")
        #expect(PlanSchema.violations(plan) == [])
        #expect(plan.planPods.allSatisfy { $0["action"] == "blocked" && ($0["reason"]?.string ?? "").contains("must be lowercase") },
                "\(plan.serialized())")
        let r = try c.run(["rollout", "-f", file])
        #expect(r.status == 2 && r.stderr.contains("must be lowercase"), "\(r)")
        let reason = plan.planPods.first?["reason"]?.string ?? "?"
        #expect(r.stderr.contains(reason), "plan and rollout give the same reason: \(r.stderr)")
        #expect(c.server.requestLog.writes.isEmpty)
    }

    static func partitioned(_ partition: Int, image: String = "postgres:16.2") -> JSONValue {
        var db = Workloads.statefulSet(replicas: 5, image: image)
        db[path: ["spec", "updateStrategy"]] = ["type": "RollingUpdate", "rollingUpdate": ["partition": .int(partition)]]
        return db
    }

    @Test("9.11: the manifest's partition 3 holds db-0..db-2; rollout updates db-4 and db-3 only; plan says it came from the manifest")
    func manifestPartition() throws {
        let c = try TestCluster(RolloutScenario.make([Workloads.statefulSet(replicas: 5)]))
        defer { c.stop() }
        c.settle()
        let before = c.facts(prefix: "db-")
        let file = try c.writeManifest("db.yaml", Self.partitioned(3, image: "postgres:16.3"))
        let (_, plan) = try c.planJSON(["-f", file])
        #expect(plan.planPods.withAction("update").names == ["db-4", "db-3"], "\(plan.serialized())")
        #expect(plan.planPods.withAction("hold").names.sorted() == ["db-0", "db-1", "db-2"])
        #expect(plan.planWorkloads.first?[path: ["summary", "partition"]] == 3)
        #expect(plan.planWorkloads.first?[path: ["summary", "partitionFrom"]] == "manifest")
        let text = try c.run(["plan", "-f", file])
        #expect(text.stdout.contains("partition 3 (manifest)"), "\(text.stdout)")
        let flag = try c.run(["plan", "-f", file, "--partition", "0"])
        #expect(flag.stdout.contains("partition 0 (flag)") && flag.stdout.contains("5 to update"), "\(flag.stdout)")

        let r = try c.run(["rollout", "-f", file, "--grace-period", "0"], timeout: 60)
        #expect(r.status == 0, "\(r)")
        let after = c.facts(prefix: "db-")
        for (name, b) in before {
            let a = try #require(after[name])
            #expect(a.uid == b.uid)
            let updated = name == "db-3" || name == "db-4"
            #expect(a.images["postgres"] == (updated ? "postgres:16.3" : "postgres:16.2"), "\(a)")
            #expect(a.restartCounts == (updated ? b.restartCounts.mapValues { $0 + 1 } : b.restartCounts), "\(a)")
        }
        let db = try #require(c.object(Resources.statefulSets, "db"))
        #expect(db[path: ["spec", "updateStrategy"]] == ["type": "RollingUpdate", "rollingUpdate": ["partition": 3]], "\(db[path: ["spec", "updateStrategy"]] ?? .null)")
    }

    @Test("9.11: by TYPE/NAME the live StatefulSet's partition is the default, and plan says it came from the workload")
    func livePartition() throws {
        let c = try TestCluster(RolloutScenario.make([Self.partitioned(3)]))
        defer { c.stop() }
        c.settle()
        let (_, plan) = try c.planJSON(["sts/db", "postgres=postgres:16.3"])
        #expect(plan.planPods.withAction("update").names == ["db-4", "db-3"], "\(plan.serialized())")
        #expect(plan.planWorkloads.first?[path: ["summary", "partitionFrom"]] == "workload")
        let r = try c.run(["set", "image", "sts/db", "postgres=postgres:16.3", "--grace-period", "0"], timeout: 60)
        #expect(r.status == 0, "\(r)")
        let images = c.facts(prefix: "db-").mapValues { $0.images["postgres"] ?? "" }
        #expect(images == ["db-0": "postgres:16.2", "db-1": "postgres:16.2", "db-2": "postgres:16.2",
                           "db-3": "postgres:16.3", "db-4": "postgres:16.3"], "\(images)")
    }

    @Test("9.8: a rollout held by a live holder: plan shows the refusal rollout gives (--exit-code 2), rollout exits 5")
    func liveHolder() throws {
        let c = try TestCluster(Workloads.scenario([Workloads.deployment(replicas: 2)]))
        defer { c.stop() }
        let now = ISO8601DateFormatter().string(from: Date())
        let record: JSONValue = [
            "id": "r1", "phase": "running", "images": ["app": "nginx:1.26"], "previousImages": ["app": "nginx:1.25"], "options": [:],
            "startedAt": .string(now), "holder": "bob@other-host pid 1", "renewTime": .string(now), "previous": ["paused": false],
            "updated": 0, "total": 2, "message": "",
        ]
        _ = c.server.client.patch(Resources.deployments, namespace: "default", name: "web",
                                  patch: ["metadata": ["annotations": ["inplace.kubectl.io/rollout": .string(record.serialized())]]])
        let (run, plan) = try c.planJSON(["deployment/web", "app=nginx:1.27", "--exit-code"])
        #expect(run.status == 2, "\(run)")
        let refused = plan.planWorkloads.first?["refused"]?.array?.compactMap(\.string) ?? []
        #expect(refused.count == 1 && refused.first?.contains("bob@other-host pid 1") == true, "\(plan.serialized())")
        c.server.requestLog.clear()
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27"])
        #expect(r.status == 5, "\(r)")
        let reason = (refused.first ?? "?").components(separatedBy: " (renewed").first ?? "?"
        #expect(reason.hasSuffix("is being rolled out by bob@other-host pid 1 since \(now)") && r.stderr.contains(reason), "\(r.stderr)")
        #expect(c.server.requestLog.writes.isEmpty)
    }

    @Test("max-unavailable defaults to the Deployment's own (25% of 8 = 2), and plan says it came from the workload")
    func deploymentMaxUnavailableDefault() throws {
        let c = try TestCluster(Workloads.scenario([Workloads.deployment(replicas: 8)]))
        defer { c.stop() }
        let (_, plan) = try c.planJSON(["deployment/web", "app=nginx:1.27"])
        #expect(plan.planWorkloads.first?[path: ["summary", "maxUnavailable"]] == 2, "\(plan.serialized())")
        #expect(plan.planWorkloads.first?[path: ["summary", "maxUnavailableFrom"]] == "workload")
        #expect(plan.planPods.batches == [1, 1, 2, 2, 3, 3, 4, 4])
        let text = try c.run(["plan", "deployment/web", "app=nginx:1.27"])
        #expect(text.stdout.contains("max-unavailable 2 (25% of 8, workload)"), "\(text.stdout)")
    }
}
