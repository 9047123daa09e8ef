/// What a rollout reports as it goes, for the live view, plain log lines and `-o json`.
public enum RolloutEvent: Sendable {
    /// A workload's rollout starts: how many pods will be updated, kept and held.
    case started(WorkloadRef, update: Int, keep: Int, hold: Int, maxUnavailable: Int)
    /// A write to the workload or its ReplicaSet/ControllerRevision.
    case workloadWrite(WorkloadRef, String)
    /// A pod moved to a step.
    case podStep(WorkloadRef, pod: String, step: PodStep, elapsed: Double)
    /// A pod finished its update.
    case podDone(WorkloadRef, pod: String, seconds: Double)
    /// A pod failed.
    case podFailed(WorkloadRef, pod: String, reason: String, message: String)
    /// Something the user should know.
    case warning(WorkloadRef?, String)
    /// A workload's rollout ended.
    case finished(WorkloadRef, RolloutOutcome)
}

/// Receives rollout events (the CLI's renderers); called from the rollout's thread.
public protocol RolloutObserver: Sendable {
    func handle(_ event: RolloutEvent)
    /// Called by a rollout's loop when it has handled what woke it and is about to wait: what an
    /// observer held back from this pass (output lines) goes out now.
    func settle()
}

extension RolloutObserver {
    /// Nothing held back.
    public func settle() {}
}

/// How a workload's rollout ended.
public struct RolloutOutcome: Sendable, Equatable {
    /// The result class, mapped to the contract's exit codes by the CLI.
    public enum Result: String, Sendable, Equatable {
        case complete, failed, timedOut, paused, conflict
    }

    public var result: Result
    public var updated: Int
    public var kept: Int
    public var held: Int
    public var failed: [String]
    public var seconds: Double
    public var message: String?
    /// Writes sent to pods (the sequence costs at most four per pod).
    public var podWrites = 0
    /// Pods of the workload that disappeared or appeared (by uid) while the rollout ran; a pod and
    /// the one that took its place count once.
    public var recreated = 0
    /// Pods a Deployment's surge added for the rollout (removed again at its end; never counted as recreated).
    public var surged = 0

    public init(result: Result, updated: Int = 0, kept: Int = 0, held: Int = 0, failed: [String] = [],
                seconds: Double = 0, message: String? = nil) {
        self.result = result
        self.updated = updated
        self.kept = kept
        self.held = held
        self.failed = failed
        self.seconds = seconds
        self.message = message
    }
}
