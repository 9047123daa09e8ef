import InplaceCore
import JSON
import YAML

/// The RBAC objects of a use, built from the core's one table (`ClusterUse`): what `rbac` prints and
/// what `controller --print-manifest` installs.
public enum RBACManifest {
    /// The API version of the RBAC objects.
    static let apiVersion: JSONValue = "rbac.authorization.k8s.io/v1"

    /// RBAC `rules` granting `permissions`.
    public static func rules(_ permissions: [ClusterPermission]) -> JSONValue {
        .array(ClusterUse.rules(permissions).map { r in
            ["apiGroups": [.string(r.group)], "resources": .array(r.resources.map { .string($0) }), "verbs": .array(r.verbs.map { .string($0) })]
        })
    }

    /// A Role (or, with `clusterWide`, a ClusterRole) named `name` granting `permissions`, and its
    /// binding (named `bindingName`, default `name`) to `subjects`.
    public static func roleAndBinding(_ permissions: [ClusterPermission], name: String, bindingName: String? = nil, namespace: String,
                                      clusterWide: Bool, labels: JSONValue, subjects: JSONValue) -> [JSONValue] {
        var meta: JSONObject = ["name": .string(name)]
        if !clusterWide { meta["namespace"] = .string(namespace) }
        meta["labels"] = labels
        var bindingMeta = meta
        bindingMeta["name"] = .string(bindingName ?? name)
        let kind = clusterWide ? "ClusterRole" : "Role"
        return [
            ["apiVersion": apiVersion, "kind": .string(kind), "metadata": .object(meta), "rules": rules(permissions)],
            ["apiVersion": apiVersion, "kind": .string(kind + "Binding"), "metadata": .object(bindingMeta),
             "roleRef": ["apiGroup": "rbac.authorization.k8s.io", "kind": .string(kind), "name": .string(name)],
             "subjects": subjects],
        ]
    }

    /// The ClusterRole that reads nodes (shared by plan and rollout).
    public static let nodeReaderName = "kubectl-inplace-read-nodes"

    /// The objects `rbac --for USE` prints, bound to `serviceAccount` of `namespace`: a Role and
    /// RoleBinding, and (with `nodeReads`, for plan and rollout) a ClusterRole reading nodes and its
    /// ClusterRoleBinding; with `allNamespaces`, one ClusterRole holding both and a ClusterRoleBinding.
    /// For the controller, its ClusterRole, Role and their bindings, as its manifest installs them.
    /// Cluster-scoped bindings are named after the namespace and account, so that binding another
    /// account does not replace this one's subject.
    public static func objects(for use: ClusterUse, namespace: String, serviceAccount: String, nodeReads: Bool = true,
                               allNamespaces: Bool = false) -> [JSONValue] {
        let name = use == .controller ? ControllerManifest.name : "kubectl-inplace-\(use.rawValue)"
        let labels: JSONValue = ["app.kubernetes.io/name": .string(name), "app.kubernetes.io/part-of": "kubectl-inplace"]
        let subjects: JSONValue = [["kind": "ServiceAccount", "name": .string(serviceAccount), "namespace": .string(namespace)]]
        if use == .controller {
            return roleAndBinding(use.permissions(), name: name, namespace: namespace, clusterWide: true, labels: labels, subjects: subjects)
                + roleAndBinding(use.leasePermissions, name: name, namespace: namespace, clusterWide: false, labels: labels, subjects: subjects)
        }
        let cluster = nodeReads ? use.clusterPermissions : []
        if allNamespaces {
            return roleAndBinding(use.permissions() + cluster, name: name, bindingName: "\(name)-\(namespace)-\(serviceAccount)",
                                  namespace: namespace, clusterWide: true, labels: labels, subjects: subjects)
        }
        var objects = roleAndBinding(use.permissions(), name: name, namespace: namespace, clusterWide: false, labels: labels, subjects: subjects)
        if !cluster.isEmpty {
            let nodeLabels: JSONValue = ["app.kubernetes.io/name": .string(nodeReaderName), "app.kubernetes.io/part-of": "kubectl-inplace"]
            objects += roleAndBinding(cluster, name: nodeReaderName, bindingName: "\(nodeReaderName)-\(namespace)-\(serviceAccount)",
                                      namespace: namespace, clusterWide: true, labels: nodeLabels, subjects: subjects)
        }
        return objects
    }
}
