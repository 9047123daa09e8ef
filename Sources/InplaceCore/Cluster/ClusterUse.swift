/// The one table of what each use of the tool calls on the cluster. `kubectl inplace rbac` and the
/// gate keeper's manifest print roles from it, the pre-flight check asks the server about it, and
/// the writes and watches of the core build their paths from the same entries.
public enum ClusterUse: String, Sendable, CaseIterable {
    /// `plan`: reads only.
    case plan
    /// `rollout`, `set image`, `resume`, `undo`, `pause`, `status`, `history`.
    case rollout
    /// `prepare`: the template's readiness gate, then following the workload's own rollout.
    case prepare
    /// `controller`: the gate keeper, cluster-wide, with its leader-election Lease.
    case controller

    /// Reading a workload and finding its pods.
    static func reads(_ kind: WorkloadKind) -> [ClusterPermission] {
        var p = [ClusterPermission("get", .of(kind)), ClusterPermission("list", .pods)]
        if kind == .deployment { p.append(ClusterPermission("list", .replicaSets)) }
        return p
    }

    /// The writes of the in-place sequence on a pod: the record (pods), the gate condition
    /// (pods/status), the images (pods).
    public static let patchPod = ClusterPermission("patch", .pods)
    /// The gate condition.
    public static let patchPodStatus = ClusterPermission("patch", .pods, subresource: "status")
    /// The Events a rollout records on its workload and pods (best effort).
    public static let createEvent = ClusterPermission("create", .events)
    /// cpu and memory, in place (the kubelet versions of the nodes are read too: see `nodeReads`).
    public static let patchPodResize = ClusterPermission("patch", .pods, subresource: "resize")
    /// The cluster-scoped reads of `plan` and `rollout`: a node's kubelet version decides whether a
    /// native sidecar's image or a resize can be changed in place, and `--scatter-by` reads node labels.
    /// No Role can grant them (nodes are not namespaced): `rbac` prints a ClusterRole for them. Without
    /// them those pods are blocked (and scatter-by uses the pods' labels); nothing else needs them.
    public static let nodeReads = [ClusterPermission("get", .nodes), ClusterPermission("list", .nodes)]
    /// The PodDisruptionBudgets that may hold the window.
    public static let listDisruptionBudgets = ClusterPermission("list", .podDisruptionBudgets)
    /// The rollout follows them while it runs (a budget created, changed or deleted counts at once).
    public static let watchDisruptionBudgets = ClusterPermission("watch", .podDisruptionBudgets)

    /// The namespaced permissions of this use over workloads of `kinds` (with `resizes`, also what
    /// changing cpu and memory in place needs).
    public func permissions(kinds: Set<WorkloadKind> = Set(WorkloadKind.allCases), resizes: Bool = true) -> [ClusterPermission] {
        var p: Set<ClusterPermission> = []
        let workloadKinds = kinds.filter { $0 != .pod }
        switch self {
        case .plan:
            for k in kinds { p.formUnion(Self.reads(k)) }
            for k in workloadKinds { p.insert(ClusterPermission("list", .of(k))) }
            p.insert(Self.listDisruptionBudgets)
        case .rollout:
            for k in kinds { p.formUnion(Self.reads(k)) }
            p.insert(Self.listDisruptionBudgets)
            p.insert(Self.watchDisruptionBudgets)
            for k in workloadKinds {
                for verb in ["get", "list", "watch", "patch"] { p.insert(ClusterPermission(verb, .of(k))) }
            }
            for verb in ["get", "list", "watch"] { p.insert(ClusterPermission(verb, .pods)) }
            p.insert(Self.patchPod)
            p.insert(Self.patchPodStatus)
            if resizes { p.insert(Self.patchPodResize) }
            p.insert(Self.createEvent)
            p.insert(ClusterPermission("list", .endpointSlices))
            p.insert(ClusterPermission("watch", .endpointSlices))
            if kinds.contains(.deployment) { p.insert(ClusterPermission("patch", .replicaSets)) }
            if kinds.contains(.daemonSet) { p.insert(ClusterPermission("list", .controllerRevisions)) }
        case .prepare:
            for k in workloadKinds {
                for verb in ["get", "list", "watch", "patch"] { p.insert(ClusterPermission(verb, .of(k))) }
            }
            for verb in ["get", "list", "watch"] { p.insert(ClusterPermission(verb, .pods)) }
            p.insert(Self.patchPodStatus)
        case .controller:
            for verb in ["get", "list", "watch"] { p.insert(ClusterPermission(verb, .pods)) }
            p.insert(Self.patchPodStatus)
            for k in workloadKinds {
                for verb in ["list", "watch"] { p.insert(ClusterPermission(verb, .of(k))) }
            }
        }
        return p.sorted()
    }

    /// The cluster-scoped permissions of this use (granted by a ClusterRole, checked by no pre-flight:
    /// only some plans need them, and those say so on the pods they block).
    public var clusterPermissions: [ClusterPermission] {
        self == .plan || self == .rollout ? Self.nodeReads : []
    }

    /// Permissions in the gate keeper's own namespace: its leader-election Lease.
    public var leasePermissions: [ClusterPermission] {
        self == .controller ? ["get", "create", "update"].map { ClusterPermission($0, .leases) } : []
    }

    /// RBAC rules granting `permissions`: one rule per group and verb set, resources sorted.
    public static func rules(_ permissions: [ClusterPermission]) -> [RBACRule] {
        var verbsByResource: [String: (group: String, verbs: Set<String>)] = [:]
        for p in permissions {
            let key = "\(p.resource.group)\u{0}\(p.resourceName)"
            verbsByResource[key, default: (p.resource.group, [])].verbs.insert(p.verb)
        }
        var byGroupAndVerbs: [String: RBACRule] = [:]
        for (key, value) in verbsByResource {
            let resource = String(key.split(separator: "\u{0}", omittingEmptySubsequences: false)[1])
            let verbs = Self.verbOrder.filter { value.verbs.contains($0) }
            let k = "\(value.group)\u{0}\(verbs.joined(separator: ","))"
            byGroupAndVerbs[k, default: RBACRule(group: value.group, resources: [], verbs: verbs)].resources.append(resource)
        }
        return byGroupAndVerbs.values.map { r in var r = r; r.resources.sort(); return r }
            .sorted { ($0.group, $0.resources.first ?? "") < ($1.group, $1.resources.first ?? "") }
    }

    /// Verbs in the order kubectl prints them.
    static let verbOrder = ["get", "list", "watch", "create", "update", "patch", "delete"]
}

/// One RBAC policy rule: verbs on resources of one API group.
public struct RBACRule: Sendable, Equatable {
    /// The API group ("" for the core group).
    public var group: String
    /// Resources, `resource/subresource` for subresources.
    public var resources: [String]
    /// Verbs.
    public var verbs: [String]
}
