/// The knobs that shape a plan (and the rollout that follows it).
public struct PlanOptions: Sendable, Equatable, Codable {
    /// Most pods out of service at once; a percentage of the workload's replicas, rounded down, at
    /// least 1. Nil: the workload's own (its strategy's maxUnavailable), else 1.
    public var maxUnavailable: IntOrPercent?
    /// Pods kept on the old images; a percentage rounds up, as OpenKruise does. Nil: the workload's
    /// own (a StatefulSet's `rollingUpdate.partition`), else 0.
    public var partition: IntOrPercent?
    /// Deployment only: pods added on the new template before any pod leaves service, removed again
    /// at the end. Nil: none, unless the workload allows no unavailable pod (then its own maxSurge).
    public var maxSurge: IntOrPercent?
    /// Take pods out of service whatever the PodDisruptionBudgets selecting them say.
    public var ignorePdb = false
    /// Update pods that lack the readiness gate, accepting that they get traffic while restarting.
    public var allowMissingGate = false
    /// Which pods go first (`--priority-weight`, `--priority-order`). Nil: the workload's annotation, else none.
    public var priority: UpdatePriority?
    /// How pods are spread over the update order (`--scatter`, `--scatter-by`). Nil: the workload's annotation, else none.
    public var scatter: UpdateScatter?

    public init(maxUnavailable: IntOrPercent? = nil, partition: IntOrPercent? = nil, allowMissingGate: Bool = false,
                maxSurge: IntOrPercent? = nil) {
        self.maxUnavailable = maxUnavailable
        self.maxSurge = maxSurge
        self.partition = partition
        self.allowMissingGate = allowMissingGate
    }
}
