/// The names kubectl-inplace shares with the cluster: the readiness gate, annotations and reasons.
public enum InPlace {
    /// The pod condition type (and readiness gate) that takes a pod out of service during its update.
    public static let gateConditionType = "InPlaceUpdateReady"
    /// Pod annotation recording the in-flight update of one pod (old images, container state).
    public static let podStateAnnotation = "inplace.kubectl.io/state"
    /// Workload annotation recording the rollout (target images, options, phase, holder).
    public static let rolloutAnnotation = "inplace.kubectl.io/rollout"
    /// The ReplicaSet controller removes pods with a lower cost first (after unready ones).
    public static let deletionCostAnnotation = "controller.kubernetes.io/pod-deletion-cost"
    /// The cost a surge pod carries: the lowest there is, so lowering the replicas removes it.
    public static let surgeDeletionCost = String(Int32.min)
    /// Condition reason while a pod is being updated.
    public static let reasonUpdating = "InPlaceUpdateStarted"
    /// Condition reason once a pod has been updated.
    public static let reasonUpdated = "InPlaceUpdateDone"
}
