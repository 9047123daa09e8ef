import JSON
import Testing
@testable import InplaceCore

/// Issue 9 item 10: while a rollout holds a workload, a scale is followed and any other change of
/// its spec stops the rollout, naming the writer from managedFields.
@Suite struct WorkloadChangeGuardTests {
    static let sidecarImage = ["f:spec", "f:template", "f:spec", "f:containers", #"k:{"name":"sidecar"}"#, "f:image"]

    func deployment(replicas: Int = 4, paused: Bool = true, sidecar: String = "busybox:1.36", managers: [JSONValue] = []) -> JSONValue {
        var o: JSONValue = [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": "web", "namespace": "default", "uid": "d-1", "resourceVersion": "10",
                         "annotations": ["inplace.kubectl.io/rollout": "{}"]],
            "spec": ["replicas": .int(replicas), "paused": .bool(paused), "selector": ["matchLabels": ["app": "web"]],
                     "template": ["metadata": ["labels": ["app": "web"]], "spec": ["containers": [
                         ["name": "app", "image": "nginx:1.27"], ["name": "sidecar", "image": .string(sidecar)],
                     ]]]],
        ]
        if !managers.isEmpty { o[path: ["metadata", "managedFields"]] = .array(managers) }
        return o
    }

    func entry(_ manager: String, time: String, owns path: [String]) -> JSONValue {
        var fields: JSONValue = .emptyObject
        for p in path.reversed() { fields = .object(JSONObject([(p, fields)])) }
        return ["manager": .string(manager), "operation": "Update", "time": .string(time), "fieldsType": "FieldsV1", "fieldsV1": fields]
    }

    func guardFor(_ object: JSONValue) -> WorkloadChangeGuard {
        let w = Workload(kind: .deployment, object: object)
        return WorkloadChangeGuard(workload: w, prepared: PreparedWorkload(object: object, record: RolloutRecord(
            id: "r1", phase: .running, images: ["app": "nginx:1.27"], previousImages: ["app": "nginx:1.25"], options: [:],
            startedAt: "", holder: "", renewTime: ""), replicaSetNames: ["web-7c9d"]))
    }

    @Test func recordWritesAndStatusAreNotChanges() {
        var g = guardFor(deployment())
        var renewed = deployment()
        renewed[path: ["metadata", "annotations", "inplace.kubectl.io/rollout"]] = "{\"renewTime\":\"later\"}"
        renewed[path: ["status", "observedGeneration"]] = 7
        #expect(g.judge(renewed) == .unchanged)
    }

    @Test func replicasAreFollowed() {
        var g = guardFor(deployment())
        #expect(g.judge(deployment(replicas: 6)) == .scaled(from: 4, to: 6))
        #expect(!g.scaledDown)
        #expect(g.judge(deployment(replicas: 2)) == .scaled(from: 6, to: 2))
        #expect(g.scaledDown)
        #expect(g.stopReason(for: deployment(replicas: 3)) == nil)
    }

    @Test func anotherWriterOfTheTemplateOrPausedStopsTheRolloutByName() {
        var g = guardFor(deployment())
        let gitops = deployment(sidecar: "busybox:1.37", managers: [
            entry("kubectl-inplace", time: "2026-11-29T03:00:05Z", owns: ["f:metadata", "f:annotations"]),
            entry("argocd-controller", time: "2026-11-29T03:00:01Z", owns: Self.sidecarImage),
        ])
        #expect(g.judge(gitops) == .changed(fields: ["spec.template.spec.containers[sidecar].image"], by: "argocd-controller"))
        let stop = g.stopReason(for: gitops)
        guard case .changedBy(let writer, let message)? = stop else {
            Issue.record("no stop: \(String(describing: stop))")
            return
        }
        #expect(writer == "argocd-controller")
        #expect(message.contains("deployment/web") && message.contains("argocd-controller") && message.contains("resume"))

        var h = guardFor(deployment())
        let unpaused = deployment(replicas: 5, paused: false, managers: [entry("kubectl-client-side-apply", time: "2026-11-29T03:00:02Z", owns: ["f:spec", "f:paused"])])
        #expect(h.judge(unpaused) == .changed(fields: ["spec.paused"], by: "kubectl-client-side-apply"))
    }

    @Test func podsAScaleUpAddedJoinTowardsTheTarget() {
        var g = guardFor(deployment())
        func pod(_ name: String, rs: String = "web-7c9d") -> Pod {
            var p = Fixtures.livePod(name: name, appImage: "nginx:1.27", ready: false, gateCondition: nil)
            p[path: ["metadata", "ownerReferences"]] = [["kind": "ReplicaSet", "name": .string(rs), "uid": "rs", "controller": true]]
            return Pod(p)
        }
        let pods = ["web-a": pod("web-a"), "web-new": pod("web-new"), "other": pod("other", rs: "api-1")]
        #expect(g.newcomers(in: pods, planned: ["web-a"], images: ["app": "nginx:1.27"]).isEmpty, "no scale yet: nothing joins")
        _ = g.judge(deployment(replicas: 5))
        let joined = g.newcomers(in: pods, planned: ["web-a"], images: ["app": "nginx:1.27"])
        #expect(joined.map(\.name) == ["web-new"])
        #expect(joined.first?.changes == [ImageChange(container: "app", from: "nginx:1.27", to: "nginx:1.27")])
        #expect(g.newcomers(in: pods, planned: ["web-a"], images: ["app": "nginx:1.27"]).isEmpty, "once")
    }

    @Test func aScaleUpIsWaitedForUntilItsPodsExistOrPatienceRunsOut() {
        func pod(_ name: String) -> Pod {
            var p = Fixtures.livePod(name: name)
            p[path: ["metadata", "ownerReferences"]] = [["kind": "ReplicaSet", "name": "web-7c9d", "uid": "rs", "controller": true]]
            return Pod(p)
        }
        var g = guardFor(deployment(replicas: 2))
        let two = ["a": pod("a"), "b": pod("b")]
        #expect(!g.awaitsPods(in: two, now: 100, patience: 60), "no scale")
        _ = g.judge(deployment(replicas: 3), now: 100)
        #expect(g.awaitsPods(in: two, now: 110, patience: 60))
        #expect(!g.awaitsPods(in: two.merging(["c": pod("c")]) { a, _ in a }, now: 110, patience: 60))
        #expect(!g.awaitsPods(in: two, now: 161, patience: 60), "bounded")
        var down = guardFor(deployment(replicas: 4))
        _ = down.judge(deployment(replicas: 3), now: 100)
        #expect(!down.awaitsPods(in: two, now: 101, patience: 60), "a scale-down is not waited for")
    }
}
