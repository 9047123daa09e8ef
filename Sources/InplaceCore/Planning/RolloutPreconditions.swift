import JSON

/// Every reason a rollout refuses to start, checked before its first write: `plan` shows them
/// (blocked pods, or a reason for the whole workload) and `rollout` refuses with them, from this
/// one place, so a CI gate on `plan` is never contradicted by `rollout`.
public enum RolloutPreconditions {
    /// Why one pod cannot be updated in place (empty: it can): fields a live pod cannot change, a
    /// missing readiness gate (unless allowed), an image reference the runtime would reject.
    public static func podReasons(_ pod: PodFacts, allowMissingGate: Bool) -> [String] {
        var checked: [String: String?] = [:]
        return podReasons(pod, allowMissingGate: allowMissingGate, checked: &checked)
    }

    /// `podReasons`, each image checked once and its problem remembered in `checked` (the pods of a
    /// workload go to a few images).
    static func podReasons(_ pod: PodFacts, allowMissingGate: Bool, checked: inout [String: String?]) -> [String] {
        let diff = pod.difference
        if !diff.blockedFields.isEmpty { return diff.blockedFields }
        guard diff.restartsContainers else { return [] }
        let images = diff.imageChanges.compactMap { change -> String? in
            let problem: String?
            if let known = checked[change.to] {
                problem = known
            } else {
                problem = ImageReference.problem(change.to)
                checked[change.to] = .some(problem)
            }
            return problem.map { "container \(change.container): image \"\(change.to)\": \($0)" }
        }
        if !images.isEmpty { return images }
        if !pod.hasGate && !allowMissingGate { return [missingGate] }
        return []
    }

    /// The reason a pod without the readiness gate is blocked.
    public static let missingGate = "readiness gate \(InPlace.gateConditionType) missing"

    /// Why the workload as a whole cannot be rolled out now (empty: it can), from the workload and,
    /// for a Deployment, the ReplicaSets in its namespace.
    public static func workloadReasons(_ workload: Workload, replicaSets: [JSONValue]) -> [String] {
        [nativeRollout(workload, replicaSets: replicaSets)].compactMap { $0 }
    }

    /// A Deployment in the middle of a native rollout (more than one of its ReplicaSets has pods):
    /// its controller would go on replacing pods under the in-place rollout.
    public static func nativeRollout(_ workload: Workload, replicaSets: [JSONValue]) -> String? {
        guard workload.kind == .deployment else { return nil }
        let active = replicaSets.filter { rs in
            let owned = (rs[path: ["metadata", "ownerReferences"]]?.array ?? []).contains {
                $0["uid"]?.string == workload.uid && $0["controller"]?.bool == true
            }
            return owned && (rs[path: ["spec", "replicas"]]?.int ?? 0) > 0
        }
        guard active.count > 1 else { return nil }
        let names = active.compactMap { $0[path: ["metadata", "name"]]?.string }.sorted().joined(separator: ", ")
        return "\(workload.ref) is in the middle of a native rollout (ReplicaSets \(names) have pods): wait for `kubectl rollout status \(workload.ref)` to finish, then retry"
    }

    /// Every problem of the plans that makes `rollout` refuse, one line each (empty: it may start).
    public static func problems(_ plans: [WorkloadPlan], program: String) -> [String] {
        var problems: [String] = []
        var missingGate: [String] = []
        for plan in plans {
            problems += plan.refusals
            for pod in plan.pods where pod.action == .blocked {
                if pod.reasons == [Self.missingGate] {
                    if !missingGate.contains(plan.ref.description) { missingGate.append(plan.ref.description) }
                } else {
                    problems.append("\(plan.ref) pod \(pod.name): cannot change in place: \(pod.reasons.joined(separator: "; "))")
                }
            }
        }
        if !missingGate.isEmpty {
            problems.append("pods of \(missingGate.joined(separator: ", ")) lack the readiness gate \(InPlace.gateConditionType), so they cannot leave service before restarting: run `\(program) prepare \(missingGate.joined(separator: " "))` once, or pass --allow-missing-gate to accept dropped requests")
        }
        return problems
    }
}
