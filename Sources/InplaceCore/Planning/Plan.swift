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
    public var action: PodAction
    /// 1-based batch for `update` pods.
    public var batch: Int?
    /// Image changes for `update` (and `hold`, `blocked`: what would change).
    public var changes: [ImageChange]
    /// Why a pod is held or blocked.
    public var reasons: [String]
    /// Whether the pod is Ready now.
    public var ready: Bool
    /// StatefulSet ordinal, when there is one.
    public var ordinal: Int?

    public init(name: String, action: PodAction, batch: Int? = nil, changes: [ImageChange] = [],
                reasons: [String] = [], ready: Bool = true, ordinal: Int? = nil) {
        self.name = name
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
    /// Pods allowed out of service at once, after pods already unavailable took their share.
    public var budget: Int
    /// Things the user should know (missing gates, no gate keeper, no budget, ...).
    public var warnings: [String]

    public init(ref: WorkloadRef, pods: [PodPlan], budget: Int, warnings: [String] = []) {
        self.ref = ref
        self.pods = pods
        self.budget = budget
        self.warnings = warnings
    }

    /// Pods with this action.
    public func count(_ action: PodAction) -> Int { pods.lazy.filter { $0.action == action }.count }
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
