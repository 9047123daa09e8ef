import JSON
import Testing
@testable import InplaceCore

/// Issue 13 in the core: cpu and memory differences become `pods/resize` changes where the server
/// and the pod's kubelet allow it, are blocked with the reason where not, and a pod's resize is
/// followed from what the pod shows.
@Suite struct ResizePlanningTests {
    static func template(limits: JSONValue) -> JSONValue {
        Fixtures.setContainerField(Fixtures.template, container: 0, field: "resources", ["limits": limits])
    }

    static let v133 = ResizeSupport(serverVersion: "v1.33.1", servesResize: true, kubeletVersions: ["node-1": "v1.33.1"])

    static func plan(_ template: JSONValue, support: ResizeSupport?, pod: JSONValue = Fixtures.livePod()) -> PodPlan {
        let facts = PodFacts(pod: Pod(pod), template: template, kind: .deployment)
        return Planner.plan(ref: WorkloadRef(kind: .deployment, namespace: "default", name: "web"), replicas: 1, pods: [facts],
                            options: PlanOptions(), resize: support).pods[0]
    }

    @Test func cpuChangesAreResourceChangesNotBlockedFields() {
        let diff = PodSpecComparison.compare(template: Self.template(limits: ["cpu": "1", "memory": "128Mi"]), pod: Fixtures.livePod(), kind: .deployment)
        #expect(diff.blockedFields == [])
        #expect(diff.resourceChanges == [
            ResourceChange(container: "app", kind: "requests", resource: "cpu", from: "500m", to: "1"),
            ResourceChange(container: "app", kind: "limits", resource: "cpu", from: "500m", to: "1"),
        ])
        #expect(!diff.restartsContainers)
    }

    @Test func addingOrRemovingAResourceNameOrAnotherResourceIsBlocked() {
        let removed = PodSpecComparison.compare(template: Self.template(limits: ["cpu": "1"]), pod: Fixtures.livePod(), kind: .deployment)
        #expect(removed.blockedFields.contains { $0.hasPrefix("spec.containers[app].resources.limits.memory (removed") })
        let other = PodSpecComparison.compare(template: Self.template(limits: ["cpu": "500m", "memory": "128Mi", "nvidia.com/gpu": "1"]),
                                              pod: Fixtures.livePod(), kind: .deployment)
        #expect(other.blockedFields.contains { $0.contains("nvidia.com/gpu") && $0.contains("only cpu and memory") })
    }

    @Test func aQoSClassChangeIsBlocked() {
        var pod = Fixtures.livePod()
        var containers = pod[path: ["spec", "containers"]]!.array!
        containers.removeLast()
        pod[path: ["spec", "containers"]] = .array(containers)
        var t = Fixtures.template
        var tc = t[path: ["spec", "containers"]]!.array!
        tc.removeLast()
        tc[0]["resources"] = ["limits": ["cpu": "1", "memory": "128Mi"], "requests": ["cpu": "500m", "memory": "128Mi"]]
        t[path: ["spec", "containers"]] = .array(tc)
        let diff = PodSpecComparison.compare(template: t, pod: pod, kind: .deployment)
        #expect(diff.blockedFields == ["QoS class Guaranteed → Burstable (pods/resize cannot change it)"])
    }

    @Test func theServerAndTheKubeletMustServeResize() {
        let t = Self.template(limits: ["cpu": "1", "memory": "128Mi"])
        let old = Self.plan(t, support: ResizeSupport(serverVersion: "v1.32.4", servesResize: false))
        #expect(old.action == .blocked)
        #expect(old.reasons == ["resource changes need the pods/resize subresource of Kubernetes 1.33 or later; the server is v1.32.4"])
        let oldKubelet = Self.plan(t, support: ResizeSupport(serverVersion: "v1.33.1", servesResize: true, kubeletVersions: ["node-1": "v1.32.9"]))
        #expect(oldKubelet.action == .blocked && oldKubelet.reasons.first?.contains("node node-1 runs kubelet v1.32.9") == true)
        #expect(Self.plan(t, support: nil).action == .blocked, "unknown support blocks")
        let ok = Self.plan(t, support: Self.v133)
        #expect(ok.action == .update && ok.resources.count == 2 && ok.batch == 1)
    }

    @Test func anInServiceResizeNeedsNoGateButARestartingOneDoes() {
        let t = Fixtures.with(Self.template(limits: ["cpu": "1", "memory": "128Mi"]), ["spec", "readinessGates"], nil)
        let ungated = Fixtures.livePod(gate: false, gateCondition: nil)
        #expect(Self.plan(t, support: Self.v133, pod: ungated).action == .update)
        var restarting = ungated
        var containers = restarting[path: ["spec", "containers"]]!.array!
        containers[0]["resizePolicy"] = [["resourceName": "cpu", "restartPolicy": "RestartContainer"]]
        restarting[path: ["spec", "containers"]] = .array(containers)
        let t2 = Fixtures.setContainerField(t, container: 0, field: "resizePolicy", [["resourceName": "cpu", "restartPolicy": "RestartContainer"]])
        let p = Self.plan(t2, support: Self.v133, pod: restarting)
        #expect(p.action == .blocked && p.reasons == [RolloutPreconditions.missingGate])
    }

    @Test func aNotRequiredMemoryLimitDecreaseIsBlockedBefore134() {
        let t = Self.template(limits: ["cpu": "500m", "memory": "96Mi"])
        let p = Self.plan(t, support: Self.v133)
        #expect(p.action == .blocked && p.reasons.first?.contains("memory limit 128Mi → 96Mi") == true, "\(p.reasons)")
        var later = Self.v133
        later.serverVersion = "v1.34.0"
        #expect(Self.plan(t, support: later).action == .update)
        var pod = Fixtures.livePod()
        var containers = pod[path: ["spec", "containers"]]!.array!
        containers[0]["resizePolicy"] = [["resourceName": "memory", "restartPolicy": "RestartContainer"]]
        pod[path: ["spec", "containers"]] = .array(containers)
        var t2 = t
        t2 = Fixtures.setContainerField(t2, container: 0, field: "resizePolicy", [["resourceName": "memory", "restartPolicy": "RestartContainer"]])
        let restarting = Self.plan(t2, support: Self.v133, pod: pod)
        #expect(restarting.action == .update && restarting.resources.allSatisfy { $0.resource != "memory" || $0.restarts })
    }

    @Test func anInServiceResizeIsFollowedFromThePod() {
        let change = ResourceChange(container: "app", kind: "limits", resource: "cpu", from: "500m", to: "1")
        let target = PodTarget(name: "web-7c9d-abcde", changes: [], resources: [change])
        #expect(target.inService)
        var pod = Fixtures.livePod()
        #expect(PodProgress.step(pod: Pod(pod), target: target, rolloutID: "r1") == .record)
        let record = PodWrites.record(pod: Pod(pod), target: target, rolloutID: "r1", now: "2026-01-01T00:00:00Z")
        pod[path: ["metadata", "annotations"]] = record.body[path: ["metadata", "annotations"]]
        #expect(PodProgress.step(pod: Pod(pod), target: target, rolloutID: "r1") == .resize, "no gate for an in-service resize")
        let write = PodWrites.resize(pod: Pod(pod), target: target)
        #expect(write.path.hasSuffix("/pods/web-7c9d-abcde/resize"))
        #expect(write.body == ["spec": ["containers": [["name": "app", "resources": ["limits": ["cpu": "1"]]]]]])
        var containers = pod[path: ["spec", "containers"]]!.array!
        containers[0][path: ["resources", "limits", "cpu"]] = "1"
        pod[path: ["spec", "containers"]] = .array(containers)
        pod[path: ["status", "containerStatuses"]] = [["name": "app", "resources": ["limits": ["cpu": "500m"]]]]
        #expect(PodProgress.step(pod: Pod(pod), target: target, rolloutID: "r1") == .resizing)
        var conditions = pod[path: ["status", "conditions"]]!.array!
        conditions.append(["type": "PodResizePending", "status": "True", "reason": "Infeasible",
                           "message": "Node didn't have enough capacity: cpu, requested: 999000, capacity: 8000"])
        var stale = pod
        stale[path: ["status", "conditions"]] = .array(conditions)
        #expect(PodProgress.step(pod: Pod(stale), target: target, rolloutID: "r1") == .resizing, "a refusal of other values is stale")
        var deferred = pod
        deferred[path: ["status", "conditions"]] = .array(pod[path: ["status", "conditions"]]!.array! + [[
            "type": "PodResizePending", "status": "True", "reason": "Deferred", "message": "Node didn't have enough resource: cpu"]])
        #expect(PodProgress.step(pod: Pod(deferred), target: target, rolloutID: "r1") == .resizing)
        #expect(ResizeProgress.state(pod: Pod(deferred), changes: target.resources) == .applying(deferred: "Node didn't have enough resource: cpu"))
        conditions[conditions.count - 1]["message"] = "Node didn't have enough capacity: cpu, requested: 500, capacity: 8000"
        stale[path: ["status", "conditions"]] = .array(conditions)
        #expect(PodProgress.step(pod: Pod(stale), target: target, rolloutID: "r1")
            == .failed(reason: "Infeasible", message: "Node didn't have enough capacity: cpu, requested: 500, capacity: 8000"))
        pod[path: ["status", "containerStatuses"]] = [["name": "app", "resources": ["limits": ["cpu": "1"]]]]
        #expect(PodProgress.step(pod: Pod(pod), target: target, rolloutID: "r1") == .done)
    }

    @Test func statusCountsAResizedPodAsUpdated() {
        let record = RolloutRecord(id: "r1", phase: .complete, images: [:], previousImages: [:], options: [:], startedAt: "",
                                   holder: "", renewTime: "", resources: ["app/limits.cpu": "1"], previousResources: ["app/limits.cpu": "500m"])
        var resized = Fixtures.livePod(name: "a")
        var containers = resized[path: ["spec", "containers"]]!.array!
        containers[0][path: ["resources", "limits", "cpu"]] = "1"
        resized[path: ["spec", "containers"]] = .array(containers)
        resized[path: ["status", "containerStatuses"]] = [["name": "app", "resources": ["limits": ["cpu": "1"]]]]
        let status = RolloutStatus(ref: WorkloadRef(kind: .deployment, namespace: "default", name: "web"), record: record,
                                   pods: [Pod(resized), Pod(Fixtures.livePod(name: "b"))], holderLive: false)
        #expect(status.updated == 1 && status.held == 1)
    }

    @Test func inServiceResizesDoNotCountAgainstMaxUnavailable() {
        var window = RolloutWindow(maxUnavailable: 1, desired: 3)
        window.sync(["a", "b", "c"].map { RolloutWindow.Member(name: $0, uid: $0, ready: true) })
        let change = ResourceChange(container: "app", kind: "requests", resource: "cpu", from: "1", to: "2")
        window.enqueue([PodTarget(name: "a", changes: [], resources: [change]),
                        PodTarget(name: "b", changes: [], resources: [change]),
                        PodTarget(name: "c", changes: [ImageChange(container: "app", from: "x:1", to: "x:2")])])
        let turn = window.start(now: 0)
        #expect(turn.started.map(\.name) == ["a", "b", "c"])
        #expect(window.unavailable == 1)
        window.finish("a")
        #expect(window.unavailable == 1)
    }
}
