/// The exit codes of the contract.
public enum ExitCode: Int32, Sendable {
    /// Done (for `plan`: planned; with `--exit-code`: nothing to do).
    case ok = 0
    /// The rollout failed (a pod did not come back); `plan --exit-code`: updates pending.
    case failed = 1
    /// Usage, input or configuration error; nothing was written.
    case usage = 2
    /// Timed out (`--timeout`).
    case timeout = 3
    /// Paused by `pause` or a signal.
    case paused = 4
    /// Someone else is rolling this workload, or it changed so the plan is void.
    case conflict = 5
}
