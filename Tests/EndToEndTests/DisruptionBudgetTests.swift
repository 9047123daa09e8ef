import Foundation
import JSON
import KubeSim
import Testing

/// Issue 11 item 3 through the built binary: PodDisruptionBudgets bound the window; `--ignore-pdb`
/// opts out; a budget that can never allow a disruption stops the rollout before any write.
@Suite("rollout: PodDisruptionBudgets")
struct DisruptionBudgetTests {
    static func budget(_ name: String = "web", minAvailable: Int) -> JSONValue {
        [
            "apiVersion": "policy/v1", "kind": "PodDisruptionBudget", "metadata": ["name": .string(name), "namespace": "default"],
            "spec": ["minAvailable": .int(minAvailable), "selector": ["matchLabels": ["app": "web"]]],
        ]
    }

    static func cluster(minAvailable: Int) throws -> TestCluster {
        let c = try TestCluster(RolloutScenario.make([Workloads.deployment(replicas: 6)], latencies: RolloutScenario.restartLatencies))
        c.settle()
        _ = c.server.client.create(Resources.podDisruptionBudgets, namespace: "default", budget(minAvailable: minAvailable))
        c.settle()
        return c
    }

    @Test("11.3: KubeSim keeps the budget's status from pod readiness")
    func simulatorStatus() throws {
        let c = try Self.cluster(minAvailable: 5)
        defer { c.stop() }
        #expect(Eventually.wait(5) { c.object(Resources.podDisruptionBudgets, "web")?[path: ["status", "disruptionsAllowed"]] == 1 })
        let status = c.object(Resources.podDisruptionBudgets, "web")?["status"]
        #expect(status?["currentHealthy"] == 6 && status?["desiredHealthy"] == 5 && status?["expectedPods"] == 6, "\(status?.serialized() ?? "-")")
        let first = try #require(c.podNames(prefix: "web-").first)
        _ = c.server.client.patch(Resources.pods, namespace: "default", name: first, subresource: "status",
                                  patch: ["status": ["conditions": [["type": "InPlaceUpdateReady", "status": "False"]]]])
        #expect(Eventually.wait(5) {
            let s = c.object(Resources.podDisruptionBudgets, "web")?["status"]
            return s?["currentHealthy"] == 5 && s?["disruptionsAllowed"] == 0
        }, "\(c.object(Resources.podDisruptionBudgets, "web")?["status"]?.serialized() ?? "-")")
    }

    @Test("11.3: minAvailable 5 over 6 pods with --max-unavailable 3: Ready pods never below 5, the rollout completes; plan shows the budget")
    func budgetBoundsTheWindow() throws {
        let c = try Self.cluster(minAvailable: 5)
        defer { c.stop() }
        let (_, plan) = try c.planJSON(["deployment/web", "app=nginx:1.27", "--max-unavailable", "3"])
        #expect(plan.planWorkloads.first?[path: ["summary", "limitingBudget"]] == "web", "\(plan.serialized())")
        #expect(plan.planPods.withAction("update").batches == [1, 2, 3, 4, 5, 6])
        let mark = c.server.cluster.transitions.entries.count
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27", "--max-unavailable", "3", "--grace-period", "0",
                           "--timeout", "30s"], timeout: 60)
        #expect(r.status == 0, "\(r)")
        #expect(c.facts(prefix: "web-").values.allSatisfy { $0.images["app"] == "nginx:1.27" && $0.ready })
        let counts = c.server.cluster.transitions.podCounts(workload: "Deployment/web", from: mark)
        #expect(counts.minReady >= 5, "\(counts)")
        #expect(c.server.cluster.transitions.maxNotReady(workload: "Deployment/web") == 1)
    }

    @Test("11.3: --ignore-pdb uses the window of 3")
    func ignorePdb() throws {
        let c = try Self.cluster(minAvailable: 5)
        defer { c.stop() }
        c.server.cluster.transitions.clear()
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27", "--max-unavailable", "3", "--ignore-pdb",
                           "--grace-period", "200ms", "--timeout", "30s"], timeout: 60)
        #expect(r.status == 0, "\(r)")
        #expect(c.server.cluster.transitions.maxNotReady(workload: "Deployment/web") == 3)
    }

    @Test("11.3: a budget that can never allow a disruption stops plan and rollout before any write, unless --ignore-pdb")
    func neverAllowed() throws {
        let c = try Self.cluster(minAvailable: 6)
        defer { c.stop() }
        let (_, plan) = try c.planJSON(["deployment/web", "app=nginx:1.27", "--max-unavailable", "1"])
        #expect((plan.planWorkloads.first?["refused"]?.array ?? []).contains { $0.string?.contains("PodDisruptionBudget web") == true },
                "\(plan.serialized())")
        let r = try c.run(["set", "image", "deployment/web", "app=nginx:1.27", "--max-unavailable", "1", "--grace-period", "0"])
        #expect(r.status != 0 && r.stderr.contains("PodDisruptionBudget web"), "\(r)")
        #expect(c.ourWrites.isEmpty, "\(c.ourWrites.map(\.path))")
        let forced = try c.run(["set", "image", "deployment/web", "app=nginx:1.27", "--max-unavailable", "1", "--ignore-pdb",
                                "--grace-period", "0", "--timeout", "30s"], timeout: 60)
        #expect(forced.status == 0, "\(forced)")
    }
}
