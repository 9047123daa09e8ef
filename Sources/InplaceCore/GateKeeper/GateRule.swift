/// Why a gate keeper leaves a pod alone, or that it sets the pod's `InPlaceUpdateReady` condition.
public enum GateDecision: Sendable, Equatable {
    /// The pod names the gate and has no such condition yet: set it True.
    case mark
    /// The pod's spec has no `InPlaceUpdateReady` readiness gate.
    case noGate
    /// The condition exists (True, or a False a rollout set): never touched.
    case hasCondition(status: String)
    /// The pod is being deleted.
    case terminating
    /// The pod has finished (phase Succeeded or Failed).
    case finished
    /// A rollout has marked the pod in flight (`inplace.kubectl.io/state`) and owns its condition.
    case inFlight
}

/// The gate keeper's rule: which pods need `InPlaceUpdateReady=True` set for them.
public enum GateRule {
    /// Decides for one pod: only a live, gated pod with no condition at all that no rollout is handling.
    public static func decide(_ pod: Pod) -> GateDecision {
        guard pod.hasReadinessGate() else { return .noGate }
        if let condition = pod.condition(InPlace.gateConditionType) {
            return .hasCondition(status: condition["status"]?.string ?? "")
        }
        if pod.isTerminating { return .terminating }
        if pod.phase == "Succeeded" || pod.phase == "Failed" { return .finished }
        if pod.annotations[InPlace.podStateAnnotation] != nil { return .inFlight }
        return .mark
    }
}
