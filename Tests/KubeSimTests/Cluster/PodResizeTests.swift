import Foundation
import JSON
import Testing
@testable import KubeSim

/// KubeSim's in-place resize against the API server and kubelet (behaviour.md A3; KEP-1287 as of
/// 1.33): the subresource, its validation, and what the kubelet reports while it admits, defers,
/// refuses and applies a resize.
@Suite("KubeSim: pods/resize")
struct PodResizeTests {
    /// A pod `name` whose `app` container requests `cpu` with limit `cpuLimit`, memory 64Mi/128Mi,
    /// restarting for memory when `memoryRestarts`.
    static func pod(_ name: String = "p", cpu: String = "100m", cpuLimit: String = "200m", memoryRestarts: Bool = false,
                    sidecar: Bool = true) -> JSONValue {
        var pod = Sim.pod(name)
        var containers = pod[path: ["spec", "containers"]]?.array ?? []
        if !sidecar { containers.removeLast() }
        containers[0]["resources"] = ["requests": ["cpu": .string(cpu), "memory": "64Mi"], "limits": ["cpu": .string(cpuLimit), "memory": "128Mi"]]
        containers[0]["resizePolicy"] = [["resourceName": "cpu", "restartPolicy": "NotRequired"],
                                         ["resourceName": "memory", "restartPolicy": .string(memoryRestarts ? "RestartContainer" : "NotRequired")]]
        pod[path: ["spec", "containers"]] = .array(containers)
        return pod
    }

    static func server(version: String, latencies: Latencies = .zero, nodes: Int = 1) throws -> KubeSimServer {
        var scenario = Scenario(nodeCount: nodes)
        scenario.server.kubernetesVersion = version
        return try Sim.server(scenario, latencies: latencies)
    }

    static func ready(_ s: KubeSimServer, _ pod: JSONValue) throws {
        try Sim.create(s, pod)
        Sim.wait(s, "Ready") { Sim.isReady(Sim.get(s, pod.metaName)) }
    }

    static func resize(_ s: KubeSimServer, _ name: String, _ resources: JSONValue, image: String? = nil) -> Result<JSONValue, APIErrorStatus> {
        var container: JSONValue = ["name": "app", "resources": resources]
        if let image { container["image"] = .string(image) }
        return s.client.patch(Resources.pods, namespace: "default", name: name, subresource: "resize", patch: ["spec": ["containers": [container]]])
    }

    static func error(_ r: Result<JSONValue, APIErrorStatus>) -> APIErrorStatus? {
        if case .failure(let e) = r { return e }
        return nil
    }

    @Test("1.32 serves no pods/resize (404, not in discovery); 1.33 lists it")
    func versionSwitch() throws {
        let old = try Self.server(version: "v1.32.4")
        defer { old.stop() }
        try Self.ready(old, Self.pod())
        #expect(Self.error(Self.resize(old, "p", ["requests": ["cpu": "150m"]]))?.code == 404)
        let oldNames = (old.client.request("GET", "/api/v1").json?["resources"]?.array ?? []).compactMap { $0["name"]?.string }
        #expect(oldNames.contains("pods/status") && !oldNames.contains("pods/resize"))
        let new = try Self.server(version: "v1.33.1")
        defer { new.stop() }
        let newNames = (new.client.request("GET", "/api/v1").json?["resources"]?.array ?? []).compactMap { $0["name"]?.string }
        #expect(newNames.contains("pods/resize"))
    }

    @Test("A3: resize keeps only resources and resizePolicy, refuses a QoS change, a removed limit, other resources and (1.33) a NotRequired memory limit decrease")
    func validation() throws {
        let s = try Self.server(version: "v1.33.1")
        defer { s.stop() }
        try Self.ready(s, Self.pod(sidecar: false))
        let ok = try Self.resize(s, "p", ["requests": ["cpu": "150m"]], image: "nginx:1.27").get()
        #expect(Sim.containerStatus(["status": ok["status"] ?? .null], "app") != nil)
        let app = (ok[path: ["spec", "containers"]]?.array ?? []).first { $0["name"]?.string == "app" }
        #expect(app?[path: ["resources", "requests", "cpu"]] == "150m")
        #expect(app?["image"] == "nginx:1.25", "the image is not changed by a resize")
        let qos = Self.error(Self.resize(s, "p", ["requests": ["cpu": "200m", "memory": "128Mi"]]))
        #expect(qos?.code == 422 && (qos?.message ?? "").contains("Pod QOS Class may not change as a result of resizing"), "\(String(describing: qos))")
        let removed = Self.error(s.client.patch(Resources.pods, namespace: "default", name: "p", subresource: "resize",
            patch: ["spec": ["containers": [["name": "app", "resources": ["limits": ["cpu": .null]]]]]]))
        #expect(removed?.code == 422 && (removed?.message ?? "").contains("resource limits cannot be removed"), "\(String(describing: removed))")
        let other = Self.error(Self.resize(s, "p", ["requests": ["ephemeral-storage": "1Gi"]]))
        #expect(other?.code == 422 && (other?.message ?? "").contains("only cpu and memory resources are mutable"), "\(String(describing: other))")
        let lower = Self.error(Self.resize(s, "p", ["limits": ["memory": "96Mi"]]))
        #expect(lower?.code == 422 && (lower?.message ?? "").contains("memory limits cannot be decreased unless resizePolicy is RestartContainer"))
        let plain = Self.error(s.client.patch(Resources.pods, namespace: "default", name: "p",
            patch: ["spec": ["containers": [["name": "app", "resources": ["requests": ["cpu": "120m"]]]]]]))
        #expect(plain?.code == 422, "the pod itself still refuses a resources change")
        let newer = try Self.server(version: "v1.34.0")
        defer { newer.stop() }
        try Self.ready(newer, Self.pod())
        #expect(Self.error(Self.resize(newer, "p", ["limits": ["memory": "96Mi"]])) == nil, "1.34 lets a memory limit go down")
    }

    @Test("The kubelet applies a NotRequired resize after its sync, in place: PodResizeInProgress, then resources and allocatedResources, same container")
    func notRequired() throws {
        let s = try Self.server(version: "v1.33.1", latencies: Latencies(sync: 0.4))
        defer { s.stop() }
        try Self.ready(s, Self.pod())
        let before = try #require(Sim.containerStatus(Sim.get(s, "p"), "app"))
        #expect(before[path: ["resources", "requests", "cpu"]] == "100m" && before[path: ["allocatedResources", "cpu"]] == "100m")
        let rv = s.store.resourceVersion
        _ = try Self.resize(s, "p", ["requests": ["cpu": "150m"], "limits": ["cpu": "300m"]]).get()
        Thread.sleep(forTimeInterval: 0.15)
        #expect(Sim.containerStatus(Sim.get(s, "p"), "app")?[path: ["resources", "requests", "cpu"]] == "100m", "nothing before the sync")
        Sim.wait(s, "applied") { Sim.containerStatus(Sim.get(s, "p"), "app")?[path: ["resources", "limits", "cpu"]] == "300m" }
        let after = try #require(Sim.containerStatus(Sim.get(s, "p"), "app"))
        #expect(after["containerID"] == before["containerID"] && after["restartCount"] == before["restartCount"])
        #expect(after[path: ["allocatedResources", "cpu"]] == "150m")
        #expect(Sim.condition(Sim.get(s, "p"), "PodResizeInProgress") == nil && Sim.isReady(Sim.get(s, "p")))
        let sub = try s.store.subscribe(.init(resources: [Resources.pods], namespace: "default"), after: rv)
        defer { sub.cancel() }
        let seen = sub.drain().map(\.object).contains { Sim.condition($0, "PodResizeInProgress")?["status"] == "True" }
        #expect(seen, "PodResizeInProgress showed between admission and actuation")
    }

    @Test("A memory resize with RestartContainer restarts that container")
    func restartContainer() throws {
        let s = try Self.server(version: "v1.33.1")
        defer { s.stop() }
        try Self.ready(s, Self.pod(memoryRestarts: true))
        let before = try #require(Sim.containerStatus(Sim.get(s, "p"), "app"))
        _ = try Self.resize(s, "p", ["requests": ["memory": "96Mi"], "limits": ["memory": "192Mi"]]).get()
        Sim.wait(s, "restarted") {
            let st = Sim.containerStatus(Sim.get(s, "p"), "app")
            return st?["restartCount"]?.int == 1 && st?["ready"]?.bool == true
        }
        let after = try #require(Sim.containerStatus(Sim.get(s, "p"), "app"))
        #expect(after["containerID"] != before["containerID"] && after[path: ["resources", "limits", "memory"]] == "192Mi")
        #expect(Sim.containerStatus(Sim.get(s, "p"), "sidecar")?["restartCount"] == 0)
    }

    @Test("A new image and a RestartContainer resize in one sync restart the container once, with the new resources")
    func imageAndRestartingResizeTogether() throws {
        let s = try Self.server(version: "v1.33.1", latencies: Latencies(sync: 0.3))
        defer { s.stop() }
        try Self.ready(s, Self.pod(memoryRestarts: true))
        try Sim.setImage(s, pod: "p", container: "app", image: "nginx:1.27")
        _ = try Self.resize(s, "p", ["requests": ["memory": "96Mi"], "limits": ["memory": "192Mi"]]).get()
        Sim.wait(s, "restarted") {
            let st = Sim.containerStatus(Sim.get(s, "p"), "app")
            return st?["restartCount"]?.int == 1 && st?["ready"]?.bool == true && st?[path: ["resources", "limits", "memory"]] == "192Mi"
        }
        #expect(s.cluster.transitions.kills(container: "app", pod: "p") == 1)
        #expect(Sim.containerStatus(Sim.get(s, "p"), "app")?["image"]?.string?.hasSuffix("nginx:1.27") == true)
    }

    @Test("Above the node's allocatable: PodResizePending Infeasible with the kubelet's message; beside a full node: Deferred until room is freed")
    func infeasibleAndDeferred() throws {
        let s = try Self.server(version: "v1.33.1")
        defer { s.stop() }
        try Self.ready(s, Self.pod("big", cpu: "5", cpuLimit: "6"))
        try Self.ready(s, Self.pod("small", cpu: "1", cpuLimit: "6"))
        _ = try Self.resize(s, "small", ["requests": ["cpu": "20"], "limits": ["cpu": "40"]]).get()
        Sim.wait(s, "infeasible") { Sim.condition(Sim.get(s, "small"), "PodResizePending")?["reason"] == "Infeasible" }
        let infeasible = Sim.condition(Sim.get(s, "small"), "PodResizePending")
        #expect(infeasible?["message"] == "Node didn't have enough capacity: cpu, requested: 20000, capacity: 8000", "\(infeasible ?? .null)")
        #expect(Sim.containerStatus(Sim.get(s, "small"), "app")?[path: ["resources", "requests", "cpu"]] == "1")
        _ = try Self.resize(s, "small", ["requests": ["cpu": "4"]]).get()
        Sim.wait(s, "deferred") { Sim.condition(Sim.get(s, "small"), "PodResizePending")?["reason"] == "Deferred" }
        _ = try Self.resize(s, "big", ["requests": ["cpu": "1"]]).get()
        Sim.wait(s, "admitted once room was freed") {
            Sim.condition(Sim.get(s, "small"), "PodResizePending") == nil
                && Sim.containerStatus(Sim.get(s, "small"), "app")?[path: ["resources", "requests", "cpu"]] == "4"
        }
    }
}
