import JSON
import Testing
@testable import InplaceCore

/// Native sidecars (`initContainers[]` with `restartPolicy: Always`) in the core: their image change
/// is an update where the pod's kubelet restarts a running sidecar (1.32+, kubernetes PR #126525)
/// and blocked elsewhere; a classic init container's change is always blocked; the image patch
/// puts a sidecar's image under `initContainers`; its restart is read from `initContainerStatuses`.
@Suite struct SidecarPlanningTests {
    static let ref = WorkloadRef(kind: .deployment, namespace: "default", name: "web")

    /// `Fixtures.template` with a native sidecar `log-agent` at `image`.
    static func template(agent image: String) -> JSONValue {
        Fixtures.with(Fixtures.template, ["spec", "initContainers"],
                      [["name": "log-agent", "image": .string(image), "restartPolicy": "Always"]])
    }

    /// A live pod on `node` whose native sidecar `log-agent` runs busybox:1.36, and whose classic init
    /// container `setup` completed.
    static func livePod(node: String = "node-1", name: String = "web-7c9d-abcde") -> JSONValue {
        var pod = Fixtures.livePod(name: name)
        pod[path: ["spec", "nodeName"]] = .string(node)
        pod[path: ["spec", "initContainers"]] = [
            ["name": "log-agent", "image": "busybox:1.36", "restartPolicy": "Always", "imagePullPolicy": "IfNotPresent",
             "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File", "resources": [:]],
        ]
        pod[path: ["status", "initContainerStatuses"]] = [
            ["name": "log-agent", "image": "docker.io/library/busybox:1.36", "imageID": "docker.io/library/busybox@sha256:aaa",
             "containerID": "containerd://old", "restartCount": 0, "ready": true, "started": true,
             "state": ["running": ["startedAt": "2026-12-01T00:00:00Z"]]],
        ]
        return pod
    }

    static func plan(_ pods: [JSONValue], template: JSONValue, kubelets: [String: String]) -> WorkloadPlan {
        let facts = pods.map { PodFacts(pod: Pod($0), template: template, kind: .deployment) }
        return Planner.plan(ref: ref, replicas: pods.count, pods: facts, options: PlanOptions(),
                            sidecars: SidecarRestartSupport(kubeletVersions: kubelets))
    }

    @Test func aSidecarImageChangeIsAnImageChangeNotABlockedField() {
        let diff = PodSpecComparison.compare(template: Self.template(agent: "busybox:1.37"), pod: Self.livePod(), kind: .deployment)
        #expect(diff.blockedFields == [])
        #expect(diff.imageChanges == [ImageChange(container: "log-agent", from: "busybox:1.36", to: "busybox:1.37")])
        #expect(diff.sidecars == ["log-agent"])
        #expect(diff.restartsContainers)
    }

    @Test func theKubeletVersionOfEachPodsNodeDecides() {
        let plan = Self.plan([Self.livePod(node: "node-1", name: "web-a"), Self.livePod(node: "node-2", name: "web-b"),
                              Self.livePod(node: "node-3", name: "web-c")],
                             template: Self.template(agent: "busybox:1.37"),
                             kubelets: ["node-1": "v1.31.4", "node-2": "v1.32.0"])
        let byName = Dictionary(uniqueKeysWithValues: plan.pods.map { ($0.name, $0) })
        #expect(byName["web-b"]?.action == .update)
        #expect(byName["web-b"]?.changes == [ImageChange(container: "log-agent", from: "busybox:1.36", to: "busybox:1.37")])
        #expect(byName["web-a"]?.action == .blocked)
        #expect(byName["web-a"]?.reasons == [
            "native sidecar log-agent: node node-1 runs kubelet v1.31.4, which does not restart a running sidecar whose image changed; kubelet 1.32 or later does",
        ])
        #expect(byName["web-c"]?.action == .blocked, "a kubelet of unknown version blocks")
        #expect(byName["web-c"]?.reasons.first?.contains("unknown version") == true)
        #expect(SidecarRestartSupport(kubeletVersions: ["n": "v1.32.0-eks-1"]).reasons(["x"], node: "n") == [])
        #expect(SidecarRestartSupport(kubeletVersions: ["n": "v2.0.0"]).reasons(["x"], node: "n") == [])
        #expect(SidecarRestartSupport(kubeletVersions: ["n": "v1.29.9"]).reasons(["x"], node: "n").count == 1)
    }

    @Test func aClassicInitContainerImageChangeIsBlockedWhateverTheKubelet() {
        var pod = Self.livePod()
        pod[path: ["spec", "initContainers"]] = [["name": "setup", "image": "busybox:1.36", "imagePullPolicy": "IfNotPresent",
            "terminationMessagePath": "/dev/termination-log", "terminationMessagePolicy": "File", "resources": [:]]]
        let t = Fixtures.with(Fixtures.template, ["spec", "initContainers"], [["name": "setup", "image": "busybox:1.37"]])
        let plan = Self.plan([pod], template: t, kubelets: ["node-1": "v1.34.1"])
        #expect(plan.pods[0].action == .blocked)
        #expect(plan.pods[0].reasons == ["spec.initContainers[setup].image (init containers do not run again in place)"])
    }

    @Test func turningAnInitContainerIntoASidecarIsBlocked() {
        var pod = Self.livePod()
        var initContainers = pod[path: ["spec", "initContainers"]]!.array!
        initContainers[0]["restartPolicy"] = nil
        pod[path: ["spec", "initContainers"]] = .array(initContainers)
        let diff = PodSpecComparison.compare(template: Self.template(agent: "busybox:1.37"), pod: pod, kind: .deployment)
        #expect(diff.sidecars == [] && !diff.blockedFields.isEmpty)
    }

    @Test func theImagePatchPutsASidecarUnderInitContainers() {
        let pod = Pod(Self.livePod())
        let target = PodTarget(name: pod.name, changes: [ImageChange(container: "app", from: "nginx:1.25", to: "nginx:1.27"),
                                                         ImageChange(container: "log-agent", from: "busybox:1.36", to: "busybox:1.37")])
        let body = PodWrites.patch(pod: pod, target: target).body
        #expect(body[path: ["spec", "containers"]] == [["name": "app", "image": "nginx:1.27"]])
        #expect(body[path: ["spec", "initContainers"]] == [["name": "log-agent", "image": "busybox:1.37"]])
        let sidecarOnly = PodWrites.patch(pod: pod, target: PodTarget(name: pod.name, changes: [target.changes[1]])).body
        #expect(sidecarOnly[path: ["spec", "containers"]] == nil)
    }

    @Test func theSidecarsRestartIsReadFromInitContainerStatuses() {
        var pod = Self.livePod()
        let target = PodTarget(name: "web-7c9d-abcde", changes: [ImageChange(container: "log-agent", from: "busybox:1.36", to: "busybox:1.37")])
        let record = PodUpdateRecord(pod: Pod(pod), changes: target.changes, rolloutID: "r1", revision: "", now: "t")
        #expect(record.containers[0].containerID == "containerd://old", "the record holds the sidecar's running container")
        pod[path: ["metadata", "annotations"]] = ["inplace.kubectl.io/state": .string(record.json.serialized())]
        var initContainers = pod[path: ["spec", "initContainers"]]!.array!
        initContainers[0]["image"] = "busybox:1.37"
        pod[path: ["spec", "initContainers"]] = .array(initContainers)
        pod[path: ["status", "conditions"]] = [["type": "Ready", "status": "False"], ["type": "InPlaceUpdateReady", "status": "False"]]
        #expect(PodProgress.step(pod: Pod(pod), target: target, rolloutID: "r1") == .restart, "the old sidecar still runs")
        pod[path: ["status", "initContainerStatuses"]] = [
            ["name": "log-agent", "image": "docker.io/library/busybox:1.37", "imageID": "docker.io/library/busybox@sha256:bbb",
             "containerID": "containerd://new", "restartCount": 1, "ready": true, "started": true,
             "state": ["running": ["startedAt": "2026-12-01T00:01:00Z"]]],
        ]
        #expect(PodProgress.step(pod: Pod(pod), target: target, rolloutID: "r1") == .gateOn)
    }

    @Test func setImageNamesASidecarOrAnInitContainerAndStarLeavesThemAlone() throws {
        var live = Fixtures.with(Fixtures.template, ["spec", "initContainers"], [
            ["name": "setup", "image": "busybox:1.36"], ["name": "log-agent", "image": "busybox:1.36", "restartPolicy": "Always"],
        ])
        live = ["apiVersion": "apps/v1", "kind": "Deployment", "metadata": ["name": "web", "namespace": "default"],
                "spec": ["template": live]]
        let workload = Workload(kind: .deployment, object: live)
        let named = try PlanBuilder.desiredTemplate(
            for: DesiredWorkload(ref: Self.ref, source: .images([("log-agent", "busybox:1.37"), ("setup", "busybox:1.37")])), live: workload)
        #expect(named[path: ["spec", "initContainers"]]?.array?.map { $0["image"]?.string ?? "" } == ["busybox:1.37", "busybox:1.37"])
        let star = try PlanBuilder.desiredTemplate(for: DesiredWorkload(ref: Self.ref, source: .images([("*", "busybox:1.37")])), live: workload)
        #expect(star[path: ["spec", "initContainers"]]?.array?.map { $0["image"]?.string ?? "" } == ["busybox:1.36", "busybox:1.36"])
        let undo = try PlanBuilder.desiredTemplate(
            for: DesiredWorkload(ref: Self.ref, source: .previous(images: [("log-agent", "busybox:1.35")], resources: [])), live: workload)
        #expect(undo[path: ["spec", "initContainers"]]?.array?.map { $0["image"]?.string ?? "" } == ["busybox:1.36", "busybox:1.35"])
        #expect(throws: TargetError.self) {
            try PlanBuilder.desiredTemplate(for: DesiredWorkload(ref: Self.ref, source: .images([("nope", "x:1")])), live: workload)
        }
    }
}
