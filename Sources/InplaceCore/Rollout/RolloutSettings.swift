/// How a rollout runs: the plan's knobs plus timing and failure handling.
public struct RolloutSettings: Sendable, Equatable {
    public var plan: PlanOptions
    /// Least seconds between a pod leaving service and its restart.
    public var gracePeriod: Double
    /// Seconds for the whole rollout.
    public var timeout: Double
    /// Seconds for one pod, from its image patch to Ready.
    public var podTimeout: Double
    /// Longest wait, after the grace period, for EndpointSlices to drop a pod before going on anyway.
    public var drainCap: Double
    /// Restore updated pods to their old images when one fails.
    public var rollbackOnFailure: Bool
    /// Why the rollout is run, kept in the workload's history (`--cause`; empty: none given).
    public var cause = ""

    public init(plan: PlanOptions = PlanOptions(), gracePeriod: Double = 5, timeout: Double = 600, podTimeout: Double = 300,
                drainCap: Double = 30, rollbackOnFailure: Bool = false) {
        self.plan = plan
        self.gracePeriod = gracePeriod
        self.timeout = timeout
        self.podTimeout = podTimeout
        self.drainCap = drainCap
        self.rollbackOnFailure = rollbackOnFailure
    }
}
