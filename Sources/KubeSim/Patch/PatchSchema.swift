/// The strategic-merge facts of the built-in types (the `patchStrategy`/`patchMergeKey` struct tags
/// of k8s.io/api core/v1, apps/v1 and meta/v1): which lists merge, and by which key. Lists not
/// named here are atomic and replaced whole (tolerations, readinessGates, containerStatuses, ...).
public enum PatchSchema {
    /// How a list field merges.
    public enum ListStrategy: Equatable, Sendable {
        /// Replaced whole.
        case atomic
        /// Elements are maps matched by this key.
        case mergeByKey(String)
        /// Elements are scalars; the union is kept.
        case mergePrimitives
    }

    static let objectMeta: [String: ListStrategy] = [
        "ownerReferences": .mergeByKey("uid"),
        "finalizers": .mergePrimitives,
    ]

    static let podSpec: [String: ListStrategy] = [
        "containers": .mergeByKey("name"),
        "initContainers": .mergeByKey("name"),
        "ephemeralContainers": .mergeByKey("name"),
        "volumes": .mergeByKey("name"),
        "imagePullSecrets": .mergeByKey("name"),
        "hostAliases": .mergeByKey("ip"),
        "topologySpreadConstraints": .mergeByKey("topologyKey"),
        "schedulingGates": .mergeByKey("name"),
        "resourceClaims": .mergeByKey("name"),
    ]

    static let container: [String: ListStrategy] = [
        "ports": .mergeByKey("containerPort"),
        "env": .mergeByKey("name"),
        "volumeMounts": .mergeByKey("mountPath"),
        "volumeDevices": .mergeByKey("devicePath"),
    ]

    static let podStatus: [String: ListStrategy] = [
        "conditions": .mergeByKey("type"),
        "podIPs": .mergeByKey("ip"),
        "hostIPs": .mergeByKey("ip"),
        "resourceClaimStatuses": .mergeByKey("name"),
    ]

    /// The strategy of the list at `path` (object keys from the root, list levels not counted) in
    /// an object of `resource`.
    public static func strategy(for resource: ResourceType, path: [String]) -> ListStrategy {
        if let s = metaStrategy(path) { return s }
        let podSpecRoots: [[String]]
        switch resource.resource {
        case "pods": podSpecRoots = [["spec"]]
        case "deployments", "replicasets", "statefulsets", "daemonsets": podSpecRoots = [["spec", "template", "spec"]]
        default: podSpecRoots = []
        }
        if path.count >= 3, Array(path.prefix(3)) == ["spec", "template", "metadata"], !podSpecRoots.isEmpty,
            let s = objectMeta[path.dropFirst(3).joined(separator: ".")]
        {
            return s
        }
        for root in podSpecRoots where path.count > root.count && Array(path.prefix(root.count)) == root {
            let rel = Array(path.dropFirst(root.count))
            if rel.count == 1, let s = podSpec[rel[0]] { return s }
            if rel.count == 2, ["containers", "initContainers", "ephemeralContainers"].contains(rel[0]), let s = container[rel[1]] {
                return s
            }
            return .atomic
        }
        switch (resource.resource, path) {
        case ("pods", let p) where p.count == 2 && p[0] == "status":
            return podStatus[p[1]] ?? .atomic
        case (_, ["status", "conditions"]):
            return ["deployments", "replicasets", "statefulsets", "daemonsets", "namespaces", "nodes", "services"]
                .contains(resource.resource) ? .mergeByKey("type") : .atomic
        case ("services", ["spec", "ports"]): return .mergeByKey("port")
        case ("nodes", ["status", "addresses"]): return .mergeByKey("type")
        case ("nodes", ["spec", "podCIDRs"]): return .mergePrimitives
        case ("serviceaccounts", ["secrets"]): return .mergeByKey("name")
        default: return .atomic
        }
    }

    private static func metaStrategy(_ path: [String]) -> ListStrategy? {
        guard path.count == 2, path[0] == "metadata" else { return nil }
        return objectMeta[path[1]]
    }
}
