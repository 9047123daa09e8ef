/// A value that shapes the plan (max-unavailable, partition) and where it came from, so `plan` can
/// say why a pod is held or how many go at once.
public struct PlanSetting: Sendable, Equatable {
    /// Where a value came from, in the order they are looked for.
    public enum Source: String, Sendable, Equatable {
        /// The command-line flag (or the recorded option of the rollout being resumed).
        case flag
        /// The `-f` manifest's strategy.
        case manifest
        /// The live workload's strategy (or the one a rollout recorded before it switched the
        /// workload to OnDelete).
        case workload
        /// The workload states none: 1 for max-unavailable, 0 for the partition.
        case `default`
    }

    public var value: IntOrPercent
    public var source: Source

    public init(_ value: IntOrPercent, source: Source) {
        self.value = value
        self.source = source
    }

    /// The first of the flag, then the workload's own value, then the default.
    public static func choose(flag: IntOrPercent?, own: PlanSetting?, default value: IntOrPercent) -> PlanSetting {
        if let flag { return PlanSetting(flag, source: .flag) }
        return own ?? PlanSetting(value, source: .default)
    }

}
