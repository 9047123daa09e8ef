import InplaceCore
import JSON
import YAML

/// The objects that run `kubectl inplace controller` in a cluster: a ServiceAccount with the least
/// privilege the gate keeper needs, and a one-replica Deployment.
public enum ControllerManifest {
    /// The image `--print-manifest` names unless `--image` is given.
    public static let defaultImage = "ghcr.io/kubectl-inplace/kubectl-inplace:\(Version.current)"
    /// The namespace it is installed in unless `--install-namespace` is given.
    public static let defaultNamespace = "kubectl-inplace"
    /// The name of every object (ServiceAccount, roles, bindings, Deployment).
    public static let name = "kubectl-inplace-controller"
    /// The container port of `/healthz` and `/readyz`.
    public static let healthPort = 8080

    /// Pods: read and watch them cluster-wide, patch their status (the gate condition); workloads:
    /// list and watch them for the rollout records whose lease ran out. Nothing more.
    public static let clusterRules: JSONValue = [
        ["apiGroups": [""], "resources": ["pods"], "verbs": ["get", "list", "watch"]],
        ["apiGroups": [""], "resources": ["pods/status"], "verbs": ["patch"]],
        ["apiGroups": ["apps"], "resources": ["deployments", "statefulsets", "daemonsets"], "verbs": ["list", "watch"]],
    ]

    /// Leases in the install namespace: the leader election.
    public static let leaseRules: JSONValue = [
        ["apiGroups": ["coordination.k8s.io"], "resources": ["leases"], "verbs": ["get", "create", "update"]],
    ]

    /// The objects, in the order they are applied.
    public static func objects(image: String, namespace: String) -> [JSONValue] {
        let labels: JSONValue = [
            "app.kubernetes.io/name": .string(name), "app.kubernetes.io/part-of": "kubectl-inplace",
            "app.kubernetes.io/version": .string(Version.current),
        ]
        func meta(namespaced: Bool) -> JSONValue {
            var m: JSONObject = ["name": .string(name)]
            if namespaced { m["namespace"] = .string(namespace) }
            m["labels"] = labels
            return .object(m)
        }
        let subject: JSONValue = [["kind": "ServiceAccount", "name": .string(name), "namespace": .string(namespace)]]
        let selector: JSONValue = ["app.kubernetes.io/name": .string(name)]
        let probe = { (path: String) -> JSONValue in
            ["httpGet": ["path": .string(path), "port": "health"], "periodSeconds": 10, "timeoutSeconds": 2, "failureThreshold": 3]
        }
        let container: JSONValue = [
            "name": "controller",
            "image": .string(image),
            "args": ["controller", .string("--health-port=\(healthPort)"), "--lease-namespace=$(POD_NAMESPACE)"],
            "env": [
                ["name": "POD_NAME", "valueFrom": ["fieldRef": ["fieldPath": "metadata.name"]]],
                ["name": "POD_NAMESPACE", "valueFrom": ["fieldRef": ["fieldPath": "metadata.namespace"]]],
            ],
            "ports": [["name": "health", "containerPort": .int(healthPort), "protocol": "TCP"]],
            "livenessProbe": probe("/healthz"),
            "readinessProbe": probe("/readyz"),
            "resources": ["requests": ["cpu": "10m", "memory": "32Mi"], "limits": ["memory": "128Mi"]],
            "securityContext": [
                "allowPrivilegeEscalation": false, "readOnlyRootFilesystem": true, "runAsNonRoot": true,
                "capabilities": ["drop": ["ALL"]],
            ],
        ]
        return [
            ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(namespace), "labels": labels]],
            ["apiVersion": "v1", "kind": "ServiceAccount", "metadata": meta(namespaced: true)],
            ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRole", "metadata": meta(namespaced: false),
             "rules": clusterRules],
            ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "ClusterRoleBinding", "metadata": meta(namespaced: false),
             "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": .string(name)],
             "subjects": subject],
            ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "Role", "metadata": meta(namespaced: true),
             "rules": leaseRules],
            ["apiVersion": "rbac.authorization.k8s.io/v1", "kind": "RoleBinding", "metadata": meta(namespaced: true),
             "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": .string(name)],
             "subjects": subject],
            [
                "apiVersion": "apps/v1", "kind": "Deployment", "metadata": meta(namespaced: true),
                "spec": [
                    "replicas": 1,
                    "selector": ["matchLabels": selector],
                    "template": [
                        "metadata": ["labels": labels],
                        "spec": [
                            "serviceAccountName": .string(name),
                            "securityContext": [
                                "runAsNonRoot": true, "runAsUser": 65532, "runAsGroup": 65532,
                                "seccompProfile": ["type": "RuntimeDefault"],
                            ],
                            "containers": [container],
                        ],
                    ],
                ],
            ],
        ]
    }

    /// The multi-document YAML `controller --print-manifest` prints.
    public static func yaml(image: String, namespace: String) -> String {
        let header = "# kubectl-inplace \(Version.current): the gate keeper (`kubectl inplace controller`) and its least-privilege RBAC.\n"
            + "# Apply with: kubectl apply -f -\n"
        return header + objects(image: image, namespace: namespace).map { "---\n" + YAML.emit($0) }.joined()
    }
}
