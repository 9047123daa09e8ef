/// What a gate keeper does for a pod that a rollout took out of service.
public enum AbandonedPodDecision: Sendable, Equatable {
    /// The rollout is abandoned and the pod already runs its target images, ready: set its gate
    /// True, the step `resume` would take.
    case restore
    /// The rollout's holder may still renew: decide again at this wall time (seconds since 1970).
    case recheck(at: Double)
    /// Left out of service (why): only `resume` or `undo` may move it on.
    case leave(String)
}

/// The gate keeper's rule for pods left out of service by a rollout whose holder stopped renewing
/// its lease: decided from the pod, the rollout record and the wall time alone.
public enum AbandonedRolloutRule {
    /// True for a live pod whose gate a rollout set False while updating it (it carries the update record).
    public static func isHeldByRollout(_ pod: Pod) -> Bool {
        pod.hasReadinessGate() && !pod.isTerminating
            && pod.condition(InPlace.gateConditionType)?["status"]?.string == "False"
            && pod.annotations[InPlace.podStateAnnotation] != nil
    }

    /// Decides for one held pod, given the record of the rollout it belongs to (nil when no watched
    /// workload records that rollout) at wall time `now`.
    public static func decide(_ pod: Pod, record: RolloutRecord?, now: Double) -> AbandonedPodDecision {
        guard isHeldByRollout(pod), let update = PodUpdateRecord(pod: pod) else { return .leave("not out of service for a rollout") }
        guard let record, record.id == update.rolloutID else {
            return .leave("its rollout \(update.rolloutID) is not the one recorded on its workload")
        }
        guard let leaseEnd = RolloutHolder.leaseEnd(record) else {
            return .leave("its rollout \(record.id) is \(record.phase.rawValue), not running")
        }
        if now < leaseEnd { return .recheck(at: leaseEnd) }
        let target = PodTarget(name: pod.name, changes: update.containers.map {
            ImageChange(container: $0.name, from: $0.from, to: $0.to)
        }, resources: update.resources)
        let step = PodProgress.step(pod: pod, target: target, rolloutID: update.rolloutID)
        return step == .gateOn ? .restore : .leave("its rollout \(record.id) stopped at \(step.label)")
    }
}
