import JSON
import KubeSim

/// Workload manifests for the simulated cluster and for `-f` files: every pod template carries the
/// `InPlaceUpdateReady` readiness gate, and the fields a blocked change touches (env, command, ports).
enum Workloads {
    /// The readiness gate the planner requires.
    static let gate: JSONValue = [["conditionType": "InPlaceUpdateReady"]]

    /// Deployment `name`: containers `app` (port 80, env MODE=blue) and `sidecar` (a command).
    static func deployment(_ name: String = "web", replicas: Int = 4, image: String = "nginx:1.25",
                           sidecarImage: String = "busybox:1.36", namespace: String? = nil) -> JSONValue {
        let labels: JSONValue = ["app": .string(name)]
        var metadata: JSONObject = ["name": .string(name), "labels": labels]
        if let namespace { metadata["namespace"] = .string(namespace) }
        return [
            "apiVersion": "apps/v1", "kind": "Deployment", "metadata": .object(metadata),
            "spec": [
                "replicas": .int(replicas),
                "selector": ["matchLabels": labels],
                "template": [
                    "metadata": ["labels": labels],
                    "spec": [
                        "readinessGates": gate,
                        "containers": [
                            [
                                "name": "app", "image": .string(image),
                                "ports": [["name": "http", "containerPort": 80]],
                                "env": [["name": "MODE", "value": "blue"]],
                                "readinessProbe": ["httpGet": ["path": "/", "port": 80]],
                                "resources": ["requests": ["cpu": "100m", "memory": "64Mi"]],
                            ],
                            [
                                "name": "sidecar", "image": .string(sidecarImage),
                                "command": ["sh", "-c", "sleep 3600"],
                            ],
                        ],
                    ],
                ],
            ],
        ]
    }

    /// StatefulSet `name` with one container `postgres`.
    static func statefulSet(_ name: String = "db", replicas: Int = 5, image: String = "postgres:16.2") -> JSONValue {
        let labels: JSONValue = ["app": .string(name)]
        return [
            "apiVersion": "apps/v1", "kind": "StatefulSet", "metadata": ["name": .string(name), "labels": labels],
            "spec": [
                "replicas": .int(replicas), "serviceName": .string(name),
                "selector": ["matchLabels": labels],
                "template": [
                    "metadata": ["labels": labels],
                    "spec": [
                        "readinessGates": gate,
                        "containers": [["name": "postgres", "image": .string(image), "ports": [["name": "pg", "containerPort": 5432]]]],
                    ],
                ],
            ],
        ]
    }

    /// DaemonSet `name` with one container `agent` (one pod per node).
    static func daemonSet(_ name: String = "agent", image: String = "fluent/fluent-bit:3.0.4") -> JSONValue {
        let labels: JSONValue = ["app": .string(name)]
        return [
            "apiVersion": "apps/v1", "kind": "DaemonSet", "metadata": ["name": .string(name), "labels": labels],
            "spec": [
                "selector": ["matchLabels": labels],
                "template": [
                    "metadata": ["labels": labels],
                    "spec": ["readinessGates": gate, "containers": [["name": "agent", "image": .string(image)]]],
                ],
            ],
        ]
    }

    /// A bare Pod `name` with one container `c`.
    static func pod(_ name: String = "x", image: String = "nginx:1.25") -> JSONValue {
        [
            "apiVersion": "v1", "kind": "Pod", "metadata": ["name": .string(name), "labels": ["run": .string(name)]],
            "spec": ["readinessGates": gate, "containers": [["name": "c", "image": .string(image)]]],
        ]
    }

    /// A scenario whose workloads' pods all have `InPlaceUpdateReady=True` (and are Ready).
    static func scenario(_ manifests: [JSONValue], nodeCount: Int = 3, podOverrides: [Scenario.PodOverride] = [],
                         server: ServerOptions = ServerOptions()) -> Scenario {
        Scenario(
            namespace: "default", nodeCount: nodeCount,
            workloads: manifests.map { Scenario.Workload($0, podConditions: ["InPlaceUpdateReady": "True"]) },
            podOverrides: podOverrides, server: server)
    }
}

extension JSONValue {
    /// The pod template's containers of a workload manifest (a Pod's own containers).
    var containers: [JSONValue] {
        get { (self["kind"]?.string == "Pod" ? self[path: ["spec", "containers"]] : self[path: ["spec", "template", "spec", "containers"]])?.array ?? [] }
        set {
            let path = self["kind"]?.string == "Pod" ? ["spec", "containers"] : ["spec", "template", "spec", "containers"]
            self[path: path] = .array(newValue)
        }
    }

    /// Changes one member of the container `name` of a workload manifest.
    mutating func setContainer(_ name: String, _ key: String, _ value: JSONValue) {
        var list = containers
        guard let i = list.firstIndex(where: { $0["name"]?.string == name }) else { preconditionFailure("no container \(name)") }
        list[i][key] = value
        containers = list
    }
}
