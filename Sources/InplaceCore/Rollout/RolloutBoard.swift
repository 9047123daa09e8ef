import Synchronization

/// What an invocation knows of its workloads while they roll at once: which run (with their stop
/// controls), how each ended, which were not started, and whether new work may still start.
final class RolloutBoard: Sendable {
    private struct State {
        var outcomes: [RolloutOutcome?]
        var running: [WorkloadRef: RolloutControl] = [:]
        var notStarted: [Int] = []
        var deadlineReached = false
        /// A workload did not complete: no other starts.
        var stopStarting = false
        /// What a workload stopped by another's failure records.
        var failure: String?
    }

    private let state: Mutex<State>

    init(count: Int) { state = Mutex(State(outcomes: Array(repeating: nil, count: count))) }

    /// Whether a workload not started yet may start.
    var mayStart: Bool { state.withLock { !$0.stopStarting } }

    /// The workload `ref` runs under `control`.
    func running(_ ref: WorkloadRef, control: RolloutControl) {
        let stopped = state.withLock { s -> Bool in
            s.running[ref] = control
            return s.stopStarting
        }
        // A failure that came between the decision to start and now stops it too.
        if stopped, let reason = state.withLock({ $0.failure }) { control.requestStop(.paused(reason)) }
    }

    /// A pod of `ref` failed (or its rollout did): no workload starts any more, and the running ones
    /// start no new pod (`message` is what their records say).
    func failed(_ ref: WorkloadRef, message: String) {
        let others = state.withLock { s -> [RolloutControl] in
            s.stopStarting = true
            if s.failure == nil { s.failure = message }
            return s.running.filter { $0.key != ref }.map(\.value)
        }
        for control in others { control.requestStop(.paused(message)) }
    }

    /// Workload `i` (`ref`) ended with `outcome`.
    func ended(_ i: Int, ref: WorkloadRef, outcome: RolloutOutcome) {
        state.withLock { s in
            s.outcomes[i] = outcome
            s.running[ref] = nil
            if outcome.result != .complete { s.stopStarting = true }
        }
    }

    /// Workload `i` was not started (`deadline`: the deadline had passed).
    func notStarted(_ i: Int, deadline: Bool) {
        state.withLock { s in
            s.notStarted.append(i)
            if deadline { s.deadlineReached = true }
        }
    }

    /// How each workload ended (nil: not started).
    var outcomes: [RolloutOutcome?] { state.withLock { $0.outcomes } }
    /// The workloads not started, in order.
    var notStartedIndices: [Int] { state.withLock { $0.notStarted.sorted() } }
    var deadlineReached: Bool { state.withLock { $0.deadlineReached } }
}
