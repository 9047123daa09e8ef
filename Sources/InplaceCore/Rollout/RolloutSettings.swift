import KubeFormats
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

extension RolloutSettings {
    /// The options a rollout record keeps, by the keys `resume` reads back (the CLI's option table
    /// names the same keys): max-unavailable and partition as `plan` resolved them, so a resume keeps
    /// them whatever the workload shows then (so are the priority and scatter rules, from a flag or an
    /// annotation; an empty text where the kind is not used); never `--timeout`, which bounds one command only.
    public func recordedOptions(plan: WorkloadPlan, over resumed: [String: String] = [:]) -> [String: String] {
        var o = resumed
        o["maxUnavailable"] = plan.maxUnavailableSetting.value.description
        o["partition"] = plan.partitionSetting.value.description
        o["gracePeriod"] = GoDuration.format(gracePeriod)
        o["timeout"] = nil
        o["podTimeout"] = GoDuration.format(podTimeout)
        o["onFailure"] = rollbackOnFailure ? "rollback" : "pause"
        o["allowMissingGate"] = self.plan.allowMissingGate ? "true" : "false"
        o["maxSurge"] = (plan.surge > 0 ? plan.surgeSetting?.value : nil)?.description ?? "0"
        o["ignorePdb"] = self.plan.ignorePdb ? "true" : "false"
        let priority = plan.order.priority, scatter = plan.order.scatter
        if case .weights? = priority { o["priorityWeight"] = priority?.text } else { o["priorityWeight"] = "" }
        if case .orderKeys? = priority { o["priorityOrder"] = priority?.text } else { o["priorityOrder"] = "" }
        if case .terms? = scatter { o["scatter"] = scatter?.text } else { o["scatter"] = "" }
        if case .by? = scatter { o["scatterBy"] = scatter?.text } else { o["scatterBy"] = "" }
        return o
    }
}
