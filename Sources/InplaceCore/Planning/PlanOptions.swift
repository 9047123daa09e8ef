/// The knobs that shape a plan (and the rollout that follows it).
public struct PlanOptions: Sendable, Equatable, Codable {
    /// Most pods out of service at once (default 1); a percentage of the workload's replicas, rounded down, at least 1.
    public var maxUnavailable: IntOrPercent = .count(1)
    /// Pods kept on the old images (default 0); a percentage rounds up, as OpenKruise does.
    public var partition: IntOrPercent = .count(0)
    /// Update pods that lack the readiness gate, accepting that they get traffic while restarting.
    public var allowMissingGate = false

    public init(maxUnavailable: IntOrPercent = .count(1), partition: IntOrPercent = .count(0), allowMissingGate: Bool = false) {
        self.maxUnavailable = maxUnavailable
        self.partition = partition
        self.allowMissingGate = allowMissingGate
    }
}
