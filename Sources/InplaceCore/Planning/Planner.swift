/// Turns a workload's pods and the desired template into a plan: pure logic, no I/O.
public enum Planner {
    /// Plans one workload.
    ///
    /// - Parameters:
    ///   - ref: the workload.
    ///   - replicas: its desired size (percentages resolve against it); nil means the pod count.
    ///   - pods: facts about its live pods (any order).
    ///   - options: max-unavailable, partition, missing-gate policy.
    public static func plan(ref: WorkloadRef, replicas: Int?, pods: [PodFacts], options: PlanOptions) -> WorkloadPlan {
        let live = pods.filter { !$0.terminating }
        let total = max(replicas ?? live.count, live.count)
        var warnings: [String] = []
        var plans: [String: PodPlan] = [:]
        var candidates: [PodFacts] = []

        for pod in live {
            let diff = pod.difference
            var plan = PodPlan(name: pod.name, action: .keep, changes: diff.imageChanges, ready: pod.ready, ordinal: pod.ordinal)
            if !diff.blockedFields.isEmpty {
                plan.action = .blocked
                plan.reasons = diff.blockedFields
            } else if diff.imageChanges.isEmpty {
                plan.action = .keep
            } else if !pod.hasGate && !options.allowMissingGate {
                plan.action = .blocked
                plan.reasons = ["readiness gate \(InPlace.gateConditionType) missing"]
            } else {
                candidates.append(pod)
                plan.action = .update
            }
            plans[pod.name] = plan
        }

        // Partition: StatefulSet ordinals below it stay; elsewhere that many not-updated pods stay.
        let partition = options.partition.resolve(total: total, roundUp: true)
        if partition > 0 {
            if ref.kind == .statefulSet {
                for pod in candidates where (pod.ordinal ?? Int.max) < partition {
                    plans[pod.name]?.action = .hold
                    plans[pod.name]?.reasons = ["partition"]
                }
            } else {
                let oldPods = live.filter { !$0.difference.isEmpty }.count
                let toUpdate = max(0, oldPods - partition)
                for pod in order(candidates, kind: ref.kind).dropFirst(toUpdate) {
                    plans[pod.name]?.action = .hold
                    plans[pod.name]?.reasons = ["partition"]
                }
            }
        }

        let updating = order(candidates.filter { plans[$0.name]?.action == .update }, kind: ref.kind)
        let updatingNames = Set(updating.map(\.name))
        let maxUnavailable = max(1, options.maxUnavailable.resolve(total: total, roundUp: false))
        let unavailableElsewhere = live.filter { !$0.ready && !updatingNames.contains($0.name) }.count
        var budget = maxUnavailable - unavailableElsewhere
        if budget <= 0 && !updating.isEmpty {
            warnings.append(
                "\(unavailableElsewhere) pod(s) not being updated are already unavailable (max-unavailable \(maxUnavailable)): the rollout will wait for them to become ready")
            budget = 0
        }
        let batchSize = max(1, budget)
        for (i, pod) in updating.enumerated() { plans[pod.name]?.batch = i / batchSize + 1 }

        let missingGate = live.filter { !$0.hasGate && !$0.difference.imageChanges.isEmpty }.count
        if missingGate > 0 {
            warnings.append(
                options.allowMissingGate
                    ? "\(missingGate) pod(s) lack the readiness gate \(InPlace.gateConditionType): they keep receiving traffic while their containers restart (--allow-missing-gate)"
                    : "\(missingGate) pod(s) lack the readiness gate \(InPlace.gateConditionType): run `kubectl inplace prepare \(ref)` once to add it (or accept traffic loss with --allow-missing-gate)")
        }
        let ungated = live.filter(\.gateConditionMissing).count
        if ungated > 0 {
            warnings.append(
                "\(ungated) pod(s) have the readiness gate but no \(InPlace.gateConditionType) condition, so they are not Ready: no gate keeper seems to run (install it with `kubectl inplace controller --print-manifest | kubectl apply -f -`)")
        }

        let rest = live.filter { !updatingNames.contains($0.name) }.sorted { byOrdinalThenName($0, $1, kind: ref.kind) }
        let ordered = (updating + rest).compactMap { plans[$0.name] }
        return WorkloadPlan(ref: ref, pods: ordered, budget: budget, warnings: warnings)
    }

    /// Update order: pods already not ready first, then StatefulSet highest ordinal first, then name.
    public static func order(_ pods: [PodFacts], kind: WorkloadKind) -> [PodFacts] {
        pods.sorted { a, b in
            if a.ready != b.ready { return !a.ready }
            return byOrdinalThenName(a, b, kind: kind)
        }
    }

    static func byOrdinalThenName(_ a: PodFacts, _ b: PodFacts, kind: WorkloadKind) -> Bool {
        if kind == .statefulSet, let x = a.ordinal, let y = b.ordinal, x != y { return x > y }
        return a.name < b.name
    }
}
