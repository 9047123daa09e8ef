import JSON

extension Scenario {
    /// The sample app of `kube-sim --demo`: Deployment `web` (4 pods, containers `app` and `sidecar`,
    /// readiness gate `InPlaceUpdateReady` True on every pod) behind Service `web`, StatefulSet `db`
    /// (3 pods) behind headless Service `db`, and DaemonSet `agent` on 3 nodes; small realistic
    /// latencies (`Latencies.demo`) and 20 requests a second to Service `web`.
    public static var demo: Scenario {
        let web: JSONValue = [
            "apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": ["name": "web", "labels": ["app": "web"]],
            "spec": [
                "replicas": 4,
                "selector": ["matchLabels": ["app": "web"]],
                "template": [
                    "metadata": ["labels": ["app": "web"]],
                    "spec": [
                        "readinessGates": [["conditionType": "InPlaceUpdateReady"]],
                        "containers": [
                            [
                                "name": "app", "image": "nginx:1.25",
                                "ports": [["name": "http", "containerPort": 80]],
                                "readinessProbe": ["httpGet": ["path": "/", "port": 80], "periodSeconds": 5],
                                "resources": ["requests": ["cpu": "0.1", "memory": "64Mi"], "limits": ["memory": "128Mi"]],
                            ],
                            [
                                "name": "sidecar", "image": "busybox:1.36",
                                "command": ["sh", "-c", "while true; do sleep 3600; done"],
                                "resources": ["requests": ["cpu": "10m", "memory": "16Mi"]],
                            ],
                        ],
                    ],
                ],
            ],
        ]
        let db: JSONValue = [
            "apiVersion": "apps/v1", "kind": "StatefulSet",
            "metadata": ["name": "db", "labels": ["app": "db"]],
            "spec": [
                "replicas": 3, "serviceName": "db",
                "selector": ["matchLabels": ["app": "db"]],
                "template": [
                    "metadata": ["labels": ["app": "db"]],
                    "spec": [
                        "containers": [
                            [
                                "name": "postgres", "image": "postgres:16.2",
                                "ports": [["name": "pg", "containerPort": 5432]],
                                "env": [["name": "POSTGRES_PASSWORD", "value": "demo"]],
                            ]
                        ]
                    ],
                ],
            ],
        ]
        let agent: JSONValue = [
            "apiVersion": "apps/v1", "kind": "DaemonSet",
            "metadata": ["name": "agent", "labels": ["app": "agent"]],
            "spec": [
                "selector": ["matchLabels": ["app": "agent"]],
                "template": [
                    "metadata": ["labels": ["app": "agent"]],
                    "spec": ["containers": [["name": "agent", "image": "fluent/fluent-bit:3.0.4"]]],
                ],
            ],
        ]
        let webService: JSONValue = [
            "apiVersion": "v1", "kind": "Service", "metadata": ["name": "web"],
            "spec": ["selector": ["app": "web"], "ports": [["name": "http", "port": 80, "targetPort": "http"]]],
        ]
        let dbService: JSONValue = [
            "apiVersion": "v1", "kind": "Service", "metadata": ["name": "db"],
            "spec": ["clusterIP": "None", "selector": ["app": "db"], "ports": [["name": "pg", "port": 5432]]],
        ]
        return Scenario(
            namespace: "default", nodeCount: 3,
            workloads: [Workload(web, podConditions: ["InPlaceUpdateReady": "True"]), Workload(db), Workload(agent)],
            objects: [webService, dbService],
            imageDigests: [
                "nginx:1.25": "sha256:a484819eb60211f5299034ac80f6a681b06f89e65866ce91f356ed7c72af059c",
                "nginx:1.25.5": "sha256:a484819eb60211f5299034ac80f6a681b06f89e65866ce91f356ed7c72af059c",
                "nginx:1.26": "sha256:192e88a0053c178683ca139b9d9a2afb0ad986d171fae491949fe10970dd9da9",
                "nginx:1.27": "sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31",
                "busybox:1.36": "sha256:5eef5ed34e1e1ff0a4ae850395cbf665c4de6b4b83a32a0bc7bcb998e24e7bbb",
                "busybox:1.37": "sha256:db142d433cdde11f10ae479dbf92f3b13d693fd1c91053da9979728cceb1dc68",
                "postgres:16.2": "sha256:4aea012537edfad80f98d870a36e6b90b4c09b27be7f4b4759d72db863baeebb",
                "postgres:16.3": "sha256:1bf73ccae25238fa555100080042f0b2f9be08eb757e200fe6afc1fc413a1b3c",
                "fluent/fluent-bit:3.0.4": "sha256:5ac4be4a1fea8a6e2a9e1e5a3a9c1b5e0a2bb0f13c3b2e5c1d7aebd8e5a1f7a1",
            ],
            cluster: ClusterOptions(latencies: .demo, traffic: [TrafficSpec(service: "web", rate: 20, container: "app")]))
    }
}
