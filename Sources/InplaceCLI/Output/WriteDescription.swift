import InplaceCore

/// Describes, for `--dry-run=client`, every write a rollout would make and the waits between them.
enum WriteDescription {
    static func describe(_ p: PlanBuilder.Planned, options: RolloutOptions) -> String {
        let ref = p.workload.ref
        let updates = p.plan.pods.filter { $0.action == .update }
        var steps: [String] = []
        switch ref.kind {
        case .deployment:
            steps.append("PATCH \(ref): pause it, set its pod template, record the rollout")
            steps.append("PATCH its current ReplicaSet: set the same pod template (keeping pod-template-hash)")
        case .statefulSet, .daemonSet:
            steps.append("PATCH \(ref): set its pod template and updateStrategy OnDelete, record the rollout")
            steps.append("wait for the controller to observe it; read the new revision")
        case .pod:
            break
        }
        let changes = updates.first?.changes.map { "\($0.container)=\($0.to)" }.joined(separator: ", ") ?? ""
        let resources = updates.first?.resources.map { "\($0.container) \($0.key)=\($0.to)" }.joined(separator: ", ") ?? ""
        let metadata = updates.first?.metadata.map(\.description).joined(separator: ", ") ?? ""
        let inService = updates.allSatisfy { PodTarget(name: $0.name, changes: $0.changes, resources: $0.resources, metadata: $0.metadata).inService }
        if !updates.isEmpty, updates.allSatisfy(\.metadataOnly) {
            steps.append("for each of \(updates.count) pod(s), in service (metadata only, no restart: not counted against max-unavailable):")
            steps.append("  PATCH pod: \(metadata)")
        } else if inService {
            steps.append("for each of \(updates.count) pod(s), in service (resize policy NotRequired: not counted against max-unavailable):")
            steps.append("  PATCH pod: annotation \(InPlace.podStateAnnotation) with the old resources")
            if !metadata.isEmpty { steps.append("  PATCH pod: \(metadata)") }
            steps.append("  PATCH pod/resize: \(resources)")
            steps.append("  wait until the kubelet applied them (PodResizePending Infeasible fails the pod; at most \(DurationText.format(options.podTimeout)))")
        } else {
            steps.append("for each of \(updates.count) pod(s), at most \(max(1, p.plan.budget)) at a time:")
            steps.append("  PATCH pod: annotation \(InPlace.podStateAnnotation) with the old images and container IDs")
            steps.append("  PATCH pod/status: condition \(InPlace.gateConditionType)=False (leaves the endpoints)")
            steps.append("  wait \(DurationText.format(options.gracePeriod)) and until no EndpointSlice lists the pod as ready")
            let patch = (changes.isEmpty ? [] : ["image \(changes)"]) + (metadata.isEmpty ? [] : [metadata])
            if !patch.isEmpty { steps.append("  PATCH pod: \(patch.joined(separator: "; "))") }
            if !resources.isEmpty { steps.append("  PATCH pod/resize: \(resources); wait until the kubelet applied them") }
            steps.append("  wait until the changed containers restarted and are ready (at most \(DurationText.format(options.podTimeout)))")
            steps.append("  PATCH pod/status: condition \(InPlace.gateConditionType)=True; wait for Ready")
        }
        switch ref.kind {
        case .deployment:
            steps.append(p.plan.count(.hold) > 0 ? "PATCH \(ref): record the rollout (it stays paused: pods are held)" : "PATCH \(ref): unpause, record the rollout complete")
        case .statefulSet, .daemonSet:
            steps.append("PATCH \(ref): restore its updateStrategy, record the rollout complete")
        case .pod:
            break
        }
        return "\(ref) would be rolled out with these writes:\n" + steps.enumerated().map { "  \($0.offset + 1). \($0.element)" }.joined(separator: "\n") + "\n"
    }
}
