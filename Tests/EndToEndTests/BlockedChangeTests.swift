import JSON
import KubeSim
import Testing

/// Acceptance item 2: a manifest that changes more than images (env, command, ports, the container
/// list) plans those pods as `blocked`, naming the field in `reason`.
@Suite("plan: changes that cannot be made in place are blocked")
struct BlockedChangeTests {
    /// A change to the Deployment manifest on top of the new `app` image, and what `reason` must say.
    struct Change: Sendable, CustomTestStringConvertible {
        let label: String
        let apply: @Sendable (inout JSONValue) -> Void
        let reasonParts: [String]
        var testDescription: String { label }
    }

    static let changes: [Change] = [
        Change(label: "env var", apply: { $0.setContainer("app", "env", [["name": "MODE", "value": "green"]]) },
               reasonParts: ["spec.containers[app].env"]),
        Change(label: "command", apply: { $0.setContainer("sidecar", "command", ["sh", "-c", "sleep 7200"]) },
               reasonParts: ["spec.containers[sidecar].command"]),
        Change(label: "port", apply: { $0.setContainer("app", "ports", [["name": "http", "containerPort": 8080]]) },
               reasonParts: ["spec.containers[app].ports"]),
        Change(label: "container added", apply: { $0.containers.append(["name": "extra", "image": "busybox:1.36"]) },
               reasonParts: ["spec.containers", "added extra"]),
        Change(label: "container removed", apply: { $0.containers.removeLast() },
               reasonParts: ["spec.containers", "removed sidecar"]),
        Change(label: "container renamed", apply: { $0.setContainer("sidecar", "name", "helper") },
               reasonParts: ["spec.containers", "added helper", "removed sidecar"]),
        Change(label: "containers reordered", apply: { $0.containers.reverse() },
               reasonParts: ["spec.containers", "reordered"]),
    ]

    @Test("Every pod is blocked with the field named in reason", arguments: changes)
    func blocked(change: Change) throws {
        let c = try TestCluster(Workloads.scenario([Workloads.deployment(replicas: 3)]))
        defer { c.stop() }
        var desired = Workloads.deployment(replicas: 3, image: "nginx:1.27")
        change.apply(&desired)
        let file = try c.writeManifest("web.yaml", desired)
        let (run, plan) = try c.planJSON(["-f", file, "--exit-code"])
        #expect(run.status == 2, "blocked pods make rollout refuse, so --exit-code says 2: \(run)")
        #expect(PlanSchema.violations(plan) == [])
        let pods = plan.planPods
        #expect(pods.names.sorted() == c.podNames(prefix: "web-"))
        for pod in pods {
            #expect(pod["action"] == "blocked", "\(pod)")
            #expect(pod["batch"] == nil)
            let reason = pod["reason"]?.string ?? ""
            for part in change.reasonParts { #expect(reason.contains(part), "reason \"\(reason)\" names \(part)") }
        }
    }

    @Test("Only the workload whose template changes beyond images is blocked; the other one updates")
    func onlyThosePods() throws {
        let c = try TestCluster(Workloads.scenario([Workloads.deployment(replicas: 2), Workloads.statefulSet(replicas: 2)]))
        defer { c.stop() }
        var web = Workloads.deployment(replicas: 2, image: "nginx:1.27")
        web.setContainer("app", "env", [["name": "MODE", "value": "green"], ["name": "EXTRA", "value": "1"]])
        let file = try c.writeManifest("app.yaml", web, Workloads.statefulSet(replicas: 2, image: "postgres:16.3"))
        let (run, plan) = try c.planJSON(["-f", file])
        #expect(run.status == 0, "\(run)")
        #expect(PlanSchema.violations(plan) == [])
        let byName = Dictionary(uniqueKeysWithValues: plan.planWorkloads.map { ($0["name"]?.string ?? "", $0["pods"]?.array ?? []) })
        #expect(byName.keys.sorted() == ["db", "web"])
        #expect(byName["web"]?.count == 2)
        #expect(byName["web"]?.allSatisfy { $0["action"] == "blocked" && ($0["reason"]?.string ?? "").contains("spec.containers[app].env") } == true)
        #expect(byName["db"]?.map { $0["action"]?.string ?? "" } == ["update", "update"])
        #expect(byName["db"]?.names == ["db-1", "db-0"])
    }
}
