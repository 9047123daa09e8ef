/// The resources the simulator serves, with the discovery facts kubectl reads (short names,
/// categories, subresources, verbs).
public enum Resources {
    static let namespacedVerbs = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    /// v1 pods.
    public static let pods = ResourceType(
        group: "", version: "v1", resource: "pods", kind: "Pod", shortNames: ["po"], subresources: ["status", "resize"], categories: ["all"])
    /// v1 namespaces.
    public static let namespaces = ResourceType(
        group: "", version: "v1", resource: "namespaces", kind: "Namespace", namespaced: false, shortNames: ["ns"],
        subresources: ["status"], verbs: ["create", "delete", "get", "list", "patch", "update", "watch"])
    /// v1 nodes.
    public static let nodes = ResourceType(
        group: "", version: "v1", resource: "nodes", kind: "Node", namespaced: false, shortNames: ["no"], subresources: ["status"])
    /// v1 services.
    public static let services = ResourceType(
        group: "", version: "v1", resource: "services", kind: "Service", shortNames: ["svc"], subresources: ["status"],
        categories: ["all"], verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"])
    /// v1 endpoints.
    public static let endpoints = ResourceType(
        group: "", version: "v1", resource: "endpoints", kind: "Endpoints", singular: "endpoints", shortNames: ["ep"])
    /// v1 serviceaccounts.
    public static let serviceAccounts = ResourceType(
        group: "", version: "v1", resource: "serviceaccounts", kind: "ServiceAccount", shortNames: ["sa"])
    /// v1 configmaps.
    public static let configMaps = ResourceType(group: "", version: "v1", resource: "configmaps", kind: "ConfigMap", shortNames: ["cm"])
    /// v1 secrets.
    public static let secrets = ResourceType(group: "", version: "v1", resource: "secrets", kind: "Secret")
    /// v1 events.
    public static let events = ResourceType(group: "", version: "v1", resource: "events", kind: "Event", shortNames: ["ev"])
    /// apps/v1 deployments.
    public static let deployments = ResourceType(
        group: "apps", version: "v1", resource: "deployments", kind: "Deployment", shortNames: ["deploy"],
        subresources: ["status", "scale"], categories: ["all"])
    /// apps/v1 replicasets.
    public static let replicaSets = ResourceType(
        group: "apps", version: "v1", resource: "replicasets", kind: "ReplicaSet", shortNames: ["rs"],
        subresources: ["status", "scale"], categories: ["all"])
    /// apps/v1 statefulsets.
    public static let statefulSets = ResourceType(
        group: "apps", version: "v1", resource: "statefulsets", kind: "StatefulSet", shortNames: ["sts"],
        subresources: ["status", "scale"], categories: ["all"])
    /// apps/v1 daemonsets.
    public static let daemonSets = ResourceType(
        group: "apps", version: "v1", resource: "daemonsets", kind: "DaemonSet", shortNames: ["ds"], subresources: ["status"],
        categories: ["all"])
    /// apps/v1 controllerrevisions.
    public static let controllerRevisions = ResourceType(
        group: "apps", version: "v1", resource: "controllerrevisions", kind: "ControllerRevision")
    /// discovery.k8s.io/v1 endpointslices.
    public static let endpointSlices = ResourceType(
        group: "discovery.k8s.io", version: "v1", resource: "endpointslices", kind: "EndpointSlice")
    /// policy/v1 poddisruptionbudgets.
    public static let podDisruptionBudgets = ResourceType(
        group: "policy", version: "v1", resource: "poddisruptionbudgets", kind: "PodDisruptionBudget", shortNames: ["pdb"],
        subresources: ["status"])
    /// coordination.k8s.io/v1 leases.
    public static let leases = ResourceType(group: "coordination.k8s.io", version: "v1", resource: "leases", kind: "Lease")

    /// authorization.k8s.io/v1 selfsubjectaccessreviews: the caller asks whether it may do something.
    public static let selfSubjectAccessReviews = ResourceType(
        group: "authorization.k8s.io", version: "v1", resource: "selfsubjectaccessreviews", kind: "SelfSubjectAccessReview",
        namespaced: false, verbs: ["create"])

    /// rbac.authorization.k8s.io/v1 clusterroles (enforced for token users by `RBACAuthorizer`).
    public static let clusterRoles = ResourceType(
        group: "rbac.authorization.k8s.io", version: "v1", resource: "clusterroles", kind: "ClusterRole", namespaced: false)
    /// rbac.authorization.k8s.io/v1 clusterrolebindings (enforced for token users).
    public static let clusterRoleBindings = ResourceType(
        group: "rbac.authorization.k8s.io", version: "v1", resource: "clusterrolebindings", kind: "ClusterRoleBinding",
        namespaced: false)
    /// rbac.authorization.k8s.io/v1 roles (enforced for token users).
    public static let roles = ResourceType(group: "rbac.authorization.k8s.io", version: "v1", resource: "roles", kind: "Role")
    /// rbac.authorization.k8s.io/v1 rolebindings (enforced for token users).
    public static let roleBindings = ResourceType(
        group: "rbac.authorization.k8s.io", version: "v1", resource: "rolebindings", kind: "RoleBinding")

    /// Every served resource, in discovery order.
    public static let all: [ResourceType] = [
        pods, namespaces, nodes, services, endpoints, serviceAccounts, configMaps, secrets, events,
        deployments, replicaSets, statefulSets, daemonSets, controllerRevisions, endpointSlices, leases,
        clusterRoles, clusterRoleBindings, roles, roleBindings, selfSubjectAccessReviews, podDisruptionBudgets,
    ]

    /// The API groups in discovery order ("" is the legacy core group).
    public static let groups: [(name: String, version: String)] = [
        ("apps", "v1"), ("discovery.k8s.io", "v1"), ("coordination.k8s.io", "v1"), ("rbac.authorization.k8s.io", "v1"),
        ("authorization.k8s.io", "v1"), ("policy", "v1"),
    ]

    /// The resource served at group/version/plural.
    public static func lookup(group: String, version: String, resource: String) -> ResourceType? {
        all.first { $0.group == group && $0.version == version && $0.resource == resource }
    }

    /// The resource of a kind in an apiVersion ("apps/v1", "Deployment").
    public static func forKind(apiVersion: String, kind: String) -> ResourceType? {
        all.first { $0.apiVersion == apiVersion && $0.kind == kind }
    }

    /// The resource of a kind, whatever its version.
    public static func forKind(_ kind: String) -> ResourceType? { all.first { $0.kind == kind } }
}
