import Foundation
import JSON
import Testing
@testable import KubeSim

/// Helpers for tests of the behaving cluster (kubelet, controllers, endpoints, traffic).
enum Sim {
    /// A server running `scenario` with the cluster enabled and these latencies (zero by default).
    static func server(_ scenario: Scenario = Scenario(), latencies: Latencies = .zero, images: ImageBehaviour = ImageBehaviour(),
                       configure: (inout ClusterOptions) -> Void = { _ in }) throws -> KubeSimServer {
        var s = scenario
        s.cluster.enabled = true
        s.cluster.latencies = latencies
        s.cluster.images = images
        s.cluster.traffic = scenario.cluster.traffic
        configure(&s.cluster)
        return try KubeSimServer(scenario: s)
    }

    /// A pod with containers `app` (image) and `sidecar`, optionally with the InPlaceUpdateReady gate.
    static func pod(_ name: String, image: String = "nginx:1.25", gate: Bool = false, labels: [String: String] = ["app": "x"]) -> JSONValue {
        var spec: JSONValue = [
            "containers": [
                ["name": "app", "image": .string(image), "ports": [["name": "http", "containerPort": 80]]],
                ["name": "sidecar", "image": "busybox:1.36", "command": ["sleep", "3600"]],
            ]
        ]
        if gate { spec["readinessGates"] = [["conditionType": "InPlaceUpdateReady"]] }
        return [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": .string(name), "namespace": "default", "labels": JSONValue.stringObject(labels)],
            "spec": spec,
        ]
    }

    /// Creates a pod through the in-process client and returns it as stored.
    @discardableResult
    static func create(_ s: KubeSimServer, _ pod: JSONValue) throws -> JSONValue {
        try s.client.create(Resources.pods, pod).get()
    }

    static func get(_ s: KubeSimServer, _ name: String, namespace: String = "default") -> JSONValue? {
        s.store.get(Resources.pods, namespace: namespace, name: name)
    }

    static func containerStatus(_ pod: JSONValue?, _ name: String) -> JSONValue? {
        (pod?[path: ["status", "containerStatuses"]]?.array ?? []).first { $0["name"]?.string == name }
    }

    static func condition(_ pod: JSONValue?, _ type: String) -> JSONValue? {
        (pod?[path: ["status", "conditions"]]?.array ?? []).first { $0["type"]?.string == type }
    }

    static func isReady(_ pod: JSONValue?) -> Bool { condition(pod, "Ready")?["status"]?.string == "True" }

    /// Waits until `body` holds (re-checked after every simulation step), then until the
    /// simulation has caught up with every change (so its logs are complete); records an issue on timeout.
    @discardableResult
    static func wait(_ s: KubeSimServer, timeout: Double = 5, _ what: String = "condition", settle: Bool = true,
                     sourceLocation: SourceLocation = #_sourceLocation, until body: () -> Bool) -> Bool {
        let ok = s.cluster.wait(timeout: timeout, until: body)
        if !ok { Issue.record("timed out waiting for \(what)", sourceLocation: sourceLocation) }
        if ok && settle { s.cluster.waitUntilIdle(timeout: timeout) }
        return ok
    }

    /// Strategic-merge patches a pod's container image.
    static func setImage(_ s: KubeSimServer, pod: String, container: String, image: String) throws {
        _ = try s.client.patch(Resources.pods, namespace: "default", name: pod, patch: ["spec": ["containers": [["name": .string(container), "image": .string(image)]]]]).get()
    }

    /// Sets a pod condition through the status subresource (strategic merge, keyed by type).
    static func setCondition(_ s: KubeSimServer, pod: String, type: String, status: String) throws {
        let cond: JSONValue = ["type": .string(type), "status": .string(status), "lastTransitionTime": .string(Timestamp.now())]
        _ = try s.client.patch(Resources.pods, namespace: "default", name: pod, subresource: "status", patch: ["status": ["conditions": [cond]]]).get()
    }

    /// The pods whose name starts with `prefix`.
    static func pods(_ s: KubeSimServer, prefix: String, namespace: String = "default") -> [JSONValue] {
        s.store.list(Resources.pods, namespace: namespace).items.filter { $0.metaName.hasPrefix(prefix) }
    }

    static func deployment(_ name: String, replicas: Int, image: String = "nginx:1.25", strategy: JSONValue? = nil, gate: Bool = false) -> JSONValue {
        var spec: JSONValue = ["containers": [["name": "app", "image": .string(image)], ["name": "sidecar", "image": "busybox:1.36"]]]
        if gate { spec["readinessGates"] = [["conditionType": "InPlaceUpdateReady"]] }
        var d: JSONValue = [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": .string(name), "namespace": "default"],
            "spec": [
                "replicas": .int(replicas), "selector": ["matchLabels": ["app": .string(name)]],
                "template": ["metadata": ["labels": ["app": .string(name)]], "spec": spec],
            ],
        ]
        if let strategy { d[path: ["spec", "strategy"]] = strategy }
        return d
    }
}
