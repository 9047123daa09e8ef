/// What happens to one pod.
public enum PodAction: String, Sendable, Codable {
    /// Updated in place.
    case update
    /// Already on the desired images.
    case keep
    /// Kept on the old images by the partition.
    case hold
    /// Cannot be updated in place.
    case blocked
}

/// The plan for one pod.
public struct PodPlan: Sendable, Equatable {
    public var name: String
    /// The pod's uid (to tell a pod from one recreated under its name).
    public var uid: String
    public var action: PodAction
    /// 1-based batch for `update` pods.
    public var batch: Int?
    /// Image changes for `update` (and `hold`, `blocked`: what would change).
    public var changes: [ImageChange]
    /// cpu and memory changes through `pods/resize` (for `update`; what would change otherwise).
    public var resources: [ResourceChange] = []
    /// Labels and annotations set or removed in place (for `update`; what would change otherwise).
    public var metadata: [MetadataChange] = []
    /// Why a pod is held or blocked.
    public var reasons: [String]
    /// Whether the pod is Ready now.
    public var ready: Bool
    /// StatefulSet ordinal, when there is one.
    public var ordinal: Int?
    /// What the priority rule compared (summed weight, or the ordered label's integer), for pods it ranks.
    public var priority: Int?
    /// The ordered label key that ranked the pod (`--priority-order`).
    public var priorityKey: String?
    /// The scatter group of the pod: the `KEY=VALUE` it carries, or its value of the scatter-by label.
    public var scatter: String?

    /// True when only labels and annotations change: no container restarts and the pod stays in service.
    public var metadataOnly: Bool { changes.isEmpty && resources.isEmpty && !metadata.isEmpty }

    public init(name: String, action: PodAction, batch: Int? = nil, changes: [ImageChange] = [],
                reasons: [String] = [], ready: Bool = true, ordinal: Int? = nil, uid: String = "") {
        self.name = name
        self.uid = uid
        self.action = action
        self.batch = batch
        self.changes = changes
        self.reasons = reasons
        self.ready = ready
        self.ordinal = ordinal
    }
}

/// The plan for one workload: its pods in the order they would be updated, then the rest.
public struct WorkloadPlan: Sendable, Equatable {
    public var ref: WorkloadRef
    public var pods: [PodPlan]
    /// Most pods of the workload unavailable at once (pods already unavailable included): at least
    /// 1, at most the number of pods.
    public var maxUnavailable: Int
    /// Pods kept on the old images (StatefulSet: ordinals below it).
    public var partition: Int
    /// What `maxUnavailable` and `partition` were resolved from, and where each came from.
    public var maxUnavailableSetting: PlanSetting
    public var partitionSetting: PlanSetting
    /// The replicas the workload should have: unavailable = desired − Ready pods (behaviour.md C2).
    public var desired: Int
    /// Controller uids whose pods are the workload's (its own, or its ReplicaSets'); empty: every
    /// pod the rollout watches.
    public var owners: Set<String>
    /// Why the workload as a whole cannot be rolled out now (the rollout refuses; `plan` shows it).
    public var refusals: [String]
    /// Things the user should know (missing gates, no gate keeper, no budget, ...).
    public var warnings: [String]
    /// Deployment pods added on the new template before any pod leaves service, removed at the end.
    public var surge: Int
    /// What `surge` was resolved from (nil: no surge).
    public var surgeSetting: PlanSetting?
    /// The PodDisruptionBudgets selecting the workload's pods (none with `--ignore-pdb`).
    public var budgets: [DisruptionBudget] = []
    /// The budget that allows fewer disruptions than the window would take, if any.
    public var limitingBudget: String?
    /// The priority and scatter rules that ordered the pods to update.
    public var order = UpdateOrder()

    public init(ref: WorkloadRef, pods: [PodPlan], maxUnavailable: Int, partition: Int = 0,
                maxUnavailableSetting: PlanSetting? = nil, partitionSetting: PlanSetting? = nil, desired: Int? = nil,
                owners: Set<String> = [], refusals: [String] = [], warnings: [String] = [], surge: Int = 0,
                surgeSetting: PlanSetting? = nil) {
        self.surge = surge
        self.surgeSetting = surgeSetting
        self.ref = ref
        self.pods = pods
        self.maxUnavailable = maxUnavailable
        self.partition = partition
        self.maxUnavailableSetting = maxUnavailableSetting ?? PlanSetting(.count(maxUnavailable), source: .flag)
        self.partitionSetting = partitionSetting ?? PlanSetting(.count(partition), source: .flag)
        self.desired = desired ?? pods.count
        self.owners = owners
        self.refusals = refusals
        self.warnings = warnings
    }

    /// Most pods in flight at once (kept for callers that knew it as the budget).
    public var budget: Int { maxUnavailable }

    /// Pods with this action.
    public func count(_ action: PodAction) -> Int {
        var n = 0
        for i in pods.indices where pods[i].action == action { n += 1 }
        return n
    }
    /// The number of batches.
    public var batchCount: Int { pods.compactMap(\.batch).max() ?? 0 }
}

/// A plan over every targeted workload.
public struct Plan: Sendable, Equatable {
    public var workloads: [WorkloadPlan]
    public init(workloads: [WorkloadPlan]) { self.workloads = workloads }

    /// True when any pod would be updated.
    public var hasUpdates: Bool { workloads.contains { $0.count(.update) > 0 } }
    /// True when any pod is blocked.
    public var hasBlocked: Bool { workloads.contains { $0.count(.blocked) > 0 } }
}
