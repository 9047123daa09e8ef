/// How a whole invocation (`rollout`, `set image`, `resume`, `undo`) ended: each workload's
/// outcome, what was left undone, the exit code of the contract and what the user can do next.
public struct InvocationResult: Sendable, Equatable {
    /// One workload's rollout as it ended.
    public struct Entry: Sendable, Equatable {
        public var ref: WorkloadRef
        public var outcome: RolloutOutcome
        /// Pods of this rollout left out of service (gate False) when it ended.
        public var outOfService: [String]

        /// One workload's end.
        public init(ref: WorkloadRef, outcome: RolloutOutcome, outOfService: [String] = []) {
            self.ref = ref
            self.outcome = outcome
            self.outOfService = outOfService
        }
    }

    public var entries: [Entry]
    /// Workloads not started: an earlier one did not complete, or the deadline came first.
    public var notStarted: [WorkloadRef]
    /// True when the `--timeout` deadline passed before every workload had run.
    public var deadlineReached: Bool
    public var seconds: Double
    /// What to do next, one sentence each (empty when everything completed).
    public var nextSteps: [String]

    /// The result of an invocation (`nextSteps` is filled in by `RolloutInvocation`).
    public init(entries: [Entry], notStarted: [WorkloadRef] = [], deadlineReached: Bool = false, seconds: Double = 0,
                nextSteps: [String] = []) {
        self.entries = entries
        self.notStarted = notStarted
        self.deadlineReached = deadlineReached
        self.seconds = seconds
        self.nextSteps = nextSteps
    }

    /// The most severe result: conflict, then failed, timed out, paused, complete.
    public var result: RolloutOutcome.Result {
        let results = Set(entries.map(\.outcome.result) + (deadlineReached ? [.timedOut] : []))
        for r in [RolloutOutcome.Result.conflict, .failed, .timedOut, .paused] where results.contains(r) { return r }
        return .complete
    }

    /// The exit code of the contract for `result` (never 2: that is only for errors before the first write).
    public var exitCode: Int32 { Self.exitCode(result) }

    /// 0 complete, 1 failed, 3 timed out, 4 paused, 5 conflict.
    public static func exitCode(_ result: RolloutOutcome.Result) -> Int32 {
        switch result {
        case .complete: return 0
        case .failed: return 1
        case .timedOut: return 3
        case .paused: return 4
        case .conflict: return 5
        }
    }
}
