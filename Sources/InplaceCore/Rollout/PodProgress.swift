/// Derives a pod's next step from the live pod: the reconciler at the heart of the rollout.
public enum PodProgress {
    /// The next step for `pod` towards `target` within rollout `rolloutID`.
    ///
    /// - Parameter settled: the settle time after the image patch has passed, so a waiting reason
    ///   that neither the pod's observed generation nor its message ties to the current spec counts
    ///   as fresh (`StatusFreshness`).
    public static func step(pod: Pod, target: PodTarget, rolloutID: String, settled: Bool = true) -> PodStep {
        step(pod: pod, target: target, rolloutID: rolloutID, settled: settled, recorded: PodUpdateRecord(pod: pod))
    }

    /// The next step, given the update record the pod carries (`recorded`: read once by a caller
    /// that sees many versions of the pod with the same record).
    public static func step(pod: Pod, target: PodTarget, rolloutID: String, settled: Bool, recorded: PodUpdateRecord?) -> PodStep {
        let gated = pod.hasReadinessGate()
        let gate = pod.condition(InPlace.gateConditionType)
        let gateOff = gate?["status"]?.string == "False"
        let patched = target.isPatched(pod)
        // Labels and annotations alone: one patch, no record, the pod never leaves service.
        if target.metadataOnly { return patched ? .done : .patch }
        let resize = ResizeProgress.state(pod: pod, changes: target.resources)
        let record = recorded.flatMap { $0.rolloutID == rolloutID ? $0 : nil }

        guard patched, resize != .unwritten else {
            guard record != nil else { return .record }
            guard !target.inService else { return patched ? .resize : .patch }
            if gated && !gateOff { return .gateOff }
            return .drain
        }
        if let record {
            for container in record.containers {
                let freshness = StatusFreshness(pod: pod, container: container.name, settled: settled)
                switch ContainerRestartCheck.check(container, status: pod.containerStatus(container.name), freshness: freshness) {
                case .failed(let reason, let message): return .failed(reason: reason, message: message)
                case .pending, .restarted(ready: false): return .restart
                case .restarted(ready: true): continue
                }
            }
        }
        switch resize {
        case .refused(let reason, let message): return .failed(reason: reason, message: message)
        case .applying: return .resizing
        case .unwritten, .applied: break
        }
        if gated && (gateOff || gate == nil) && !(target.inService && gate == nil) { return .gateOn }
        return pod.isReady ? .done : .ready
    }

    /// True when `pod` shows what the write of `step` does (the watch delivered the write's effect,
    /// perhaps before its answer): the update record, the gate's status, the images, the resize.
    public static func shows(_ step: PodStep, pod: Pod, target: PodTarget, rolloutID: String) -> Bool {
        switch step {
        case .record: return PodUpdateRecord(pod: pod)?.rolloutID == rolloutID
        case .gateOff:
            return pod.condition(InPlace.gateConditionType)?["status"]?.string == "False"
                && PodUpdateRecord(pod: pod)?.rolloutID == rolloutID
        case .gateOn: return pod.condition(InPlace.gateConditionType)?["status"]?.string == "True"
        case .patch: return target.isPatched(pod)
        case .resize: return ResizeProgress.state(pod: pod, changes: target.resources) != .unwritten
        default: return false
        }
    }

    /// The write that follows a drained pod: the image patch, then the resize.
    public static func writeAfterDrain(pod: Pod, target: PodTarget) -> PodStep {
        target.isPatched(pod) ? .resize : .patch
    }
}
