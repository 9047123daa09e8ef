import Foundation
import JSON
@testable import KubeSim

/// Manifests and helpers shared by the tests.
enum Fixtures {
    static func pod(_ name: String, namespace: String = "default", image: String = "nginx:1.25", labels: [String: String] = ["app": "x"]) -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Pod",
            "metadata": ["name": .string(name), "namespace": .string(namespace), "labels": .object(JSONObject(labels.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))],
            "spec": [
                "containers": [
                    ["name": "app", "image": .string(image), "ports": [["containerPort": 80]], "env": [["name": "A", "value": "1"]]],
                    ["name": "sidecar", "image": "busybox:1.36", "command": ["sleep", "3600"]],
                ],
                "readinessGates": [["conditionType": "InPlaceUpdateReady"]],
            ],
        ]
    }

    static func deployment(_ name: String, replicas: Int = 2, image: String = "nginx:1.25") -> JSONValue {
        [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": .string(name)],
            "spec": [
                "replicas": .int(replicas), "selector": ["matchLabels": ["app": .string(name)]],
                "template": [
                    "metadata": ["labels": ["app": .string(name)]],
                    "spec": ["containers": [["name": "app", "image": .string(image)]]],
                ],
            ],
        ]
    }

    /// A bare API server (no kubelet or controllers unless `cluster` says so) with default
    /// options (plus changes), stopped by the caller.
    static func server(_ options: ServerOptions? = nil, scenario: Scenario? = nil, cluster: ClusterOptions = .disabled) throws -> KubeSimServer {
        try KubeSimServer(options: options, scenario: scenario, cluster: cluster)
    }

    static let podsPath = "/api/v1/namespaces/default/pods"

    /// The path of the kubectl binary, if present.
    static var kubectl: String? {
        for p in ["/usr/bin/kubectl", "/usr/local/bin/kubectl"] where FileManager.default.isExecutableFile(atPath: p) { return p }
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let p = "\(dir)/kubectl"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }
}
