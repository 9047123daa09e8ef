/// Turns a workload's pods and the desired template into a plan: pure logic, no I/O.
public enum Planner {
    /// Plans one workload.
    ///
    /// - Parameters:
    ///   - ref: the workload.
    ///   - replicas: its desired size (percentages resolve against it); nil means the pod count.
    ///   - pods: facts about its live pods (any order).
    ///   - options: max-unavailable, partition, missing-gate policy (nil values: the workload's own).
    ///   - strategy: the workload's own max-unavailable and partition.
    ///   - owners: controller uids whose pods are the workload's (for the rollout's window).
    ///   - refusals: why the workload as a whole cannot be rolled out now (`RolloutPreconditions`).
    ///   - surgeApplied: pods an unfinished rollout already added (its record's surge): not the workload's own.
    ///   - budgets: the PodDisruptionBudgets selecting the workload's pods (ignored with `--ignore-pdb`).
    ///   - ordering: the priority and scatter rules (`UpdateOrder.resolve`); nil: the options' own.
    ///   - sidecars: the kubelet versions that decide whether a native sidecar's new image is applied.
    public static func plan(ref: WorkloadRef, replicas: Int?, pods: [PodFacts], options: PlanOptions,
                            strategy: WorkloadStrategy = WorkloadStrategy(), owners: Set<String> = [],
                            refusals: [String] = [], resize: ResizeSupport? = nil, surgeApplied: Int = 0,
                            budgets: [DisruptionBudget] = [], ordering: UpdateOrder? = nil,
                            sidecars: SidecarRestartSupport = SidecarRestartSupport()) -> WorkloadPlan {
        let ordering = ordering ?? UpdateOrder(priority: options.priority, scatter: options.scatter)
        let budgets = options.ignorePdb ? [] : budgets
        var refusals = refusals
        let live = pods.contains(where: \.terminating) ? pods.filter { !$0.terminating } : pods
        let total = max((replicas ?? live.count) - surgeApplied, live.count - surgeApplied)
        var warnings: [String] = []
        // What is decided for each pod, by its place in `live`; its `PodPlan` is made once the order
        // is known. `slot` finds a pod's place by name (a repeated name: the last pod's, whose
        // decisions count for the name).
        var actions: [PodAction] = []
        actions.reserveCapacity(live.count)
        var reasons: [[String]] = []
        reasons.reserveCapacity(live.count)
        var slot: [String: Int] = [:]
        slot.reserveCapacity(live.count)
        var candidates: [Int] = []  // places of the pods with something to update
        var imageProblems: [String: String?] = [:]

        for (place, pod) in live.enumerated() {
            let diff = pod.difference
            var action = PodAction.keep
            var why = RolloutPreconditions.podReasons(pod, allowMissingGate: options.allowMissingGate, checked: &imageProblems)
            if why.isEmpty, !diff.resourceChanges.isEmpty {
                why = (resize ?? ResizeSupport(serverVersion: nil, servesResize: false)).reasons(diff.resourceChanges, node: pod.node)
            }
            if why.isEmpty { why = sidecars.reasons(diff.sidecars, node: pod.node) }
            if !why.isEmpty {
                action = .blocked
            } else if diff.hasUpdates {
                candidates.append(place)
                action = .update
            }
            actions.append(action)
            reasons.append(why)
            slot[pod.name] = place
        }
        func hold(_ name: String) {
            guard let i = slot[name] else { return }
            actions[i] = .hold
            reasons[i] = ["partition"]
        }

        // Partition: StatefulSet ordinals below it stay; elsewhere that many not-updated pods stay.
        let partitionSetting = PlanSetting.choose(flag: options.partition, own: strategy.partition, default: .count(0))
        let partition = partitionSetting.value.resolve(total: total, roundUp: true)
        if partition > 0 {
            if ref.kind == .statefulSet {
                for place in candidates where (live[place].ordinal ?? Int.max) < partition { hold(live[place].name) }
            } else {
                let oldPods = live.lazy.filter { !$0.difference.isEmpty }.count
                let toUpdate = max(0, oldPods - partition)
                for pod in ordering.sorted(candidates.map { live[$0] }, kind: ref.kind).dropFirst(toUpdate) { hold(pod.name) }
            }
        }

        let updatingPlaces = placesInOrder(candidates.filter { slot[live[$0].name].map { actions[$0] } == .update }, of: live,
                                           ordering: ordering, kind: ref.kind)
        let updating = updatingPlaces.lazy.map { live[$0] }
        // Where the order rules placed each pod to update (shown only when there are rules).
        var ranks: [Int: (priority: Int?, key: String?, scatter: String?)] = [:]
        if !ordering.isDefault {
            for place in candidates {
                guard let i = slot[live[place].name] else { continue }
                let pod = live[place]
                ranks[i] = (ordering.priorityValue(pod), ordering.priorityKey(pod), ordering.scatterValue(pod))
            }
        }
        let maxUnavailableSetting = PlanSetting.choose(flag: options.maxUnavailable, own: strategy.maxUnavailable, default: .count(1))
        var resolved = maxUnavailableSetting.value.resolve(total: total, roundUp: false)
        // Pods whose update keeps them in service (labels and annotations, NotRequired resizes) need no surge.
        let leaving = updating.lazy.filter { $0.difference.restartsContainers }.count
        let surgeChoice = surge(kind: ref.kind, total: total, maxUnavailable: resolved, setting: maxUnavailableSetting,
                                options: options, strategy: strategy, applied: surgeApplied, updating: leaving,
                                notes: &warnings)
        let surgeCount = surgeChoice?.count ?? 0
        if resolved == 0 && surgeCount == 0 {
            if maxUnavailableSetting.source != .flag && leaving > 0 {
                warnings.append(
                    "the \(ref.kind.rawValue) allows no unavailable pod (maxUnavailable \(maxUnavailableSetting.value)) and cannot surge: its pods are taken out of service one at a time, as its controller would (give --max-unavailable to choose)")
            }
            resolved = 1
        }
        if maxUnavailableSetting.source == .default, let type = strategy.type, type != "RollingUpdate" {
            warnings.append(
                "the \(ref.kind.rawValue)'s strategy is \(type), which states no maxUnavailable: its pods go one at a time (the default; give --max-unavailable to choose)")
        }
        let maxUnavailable = surgeCount > 0 ? min(resolved, total) : min(resolved, max(1, total))
        var limiting: String?
        if !updating.isEmpty {
            for budget in budgets {
                let counted = live.lazy.filter { budget.counts($0.name) }.count + (budget.selectsAll ? surgeCount : 0)
                let best = budget.allowed(healthy: counted)
                if best < 1 {
                    refusals.append(
                        "PodDisruptionBudget \(budget.name) (\(budget.rule)) can never allow a pod out of service: \(budget.desiredHealthy) of \(budget.otherHealthy + counted) pods must stay healthy (give --ignore-pdb to update anyway)")
                } else if best < maxUnavailable + surgeCount, limiting == nil {
                    limiting = budget.name
                    warnings.append(
                        "PodDisruptionBudget \(budget.name) (\(budget.rule)) limits the window to \(best) pod(s) out of service at once: \(budget.desiredHealthy) must stay healthy")
                }
            }
        }
        var batchOf = [Int](repeating: 0, count: live.count)
        batches(updating, live: live, desired: total, maxUnavailable: maxUnavailable, surge: surgeCount, budgets: budgets,
                warnings: &warnings) { pod, batch in
            if let i = slot[pod] { batchOf[i] = batch }
        }

        let missingGate = live.lazy.filter { !$0.hasGate && $0.difference.restartsContainers }.count
        if missingGate > 0 {
            warnings.append(
                options.allowMissingGate
                    ? "\(missingGate) pod(s) lack the readiness gate \(InPlace.gateConditionType): they keep receiving traffic while their containers restart (--allow-missing-gate)"
                    : "\(missingGate) pod(s) lack the readiness gate \(InPlace.gateConditionType): run `kubectl inplace prepare \(ref)` once to add it (or accept traffic loss with --allow-missing-gate)")
        }
        let ungated = live.lazy.filter(\.gateConditionMissing).count
        if ungated > 0 {
            warnings.append(
                "\(ungated) pod(s) have the readiness gate but no \(InPlace.gateConditionType) condition, so they are not Ready: no gate keeper seems to run (install it with `kubectl inplace controller --print-manifest | kubectl apply -f -`)")
        }

        let updatingNames = Set(updating.map(\.name))
        let rest = live.filter { !updatingNames.contains($0.name) }.sorted { byOrdinalThenName($0, $1, kind: ref.kind) }
        var plans: [PodPlan] = []
        plans.reserveCapacity(updating.count + rest.count)
        func add(_ name: String) {
            guard let i = slot[name] else { return }
            let pod = live[i], diff = pod.difference
            var plan = PodPlan(name: pod.name, action: actions[i], batch: batchOf[i] > 0 ? batchOf[i] : nil, changes: diff.imageChanges,
                               reasons: reasons[i], ready: pod.ready, ordinal: pod.ordinal, uid: pod.uid)
            plan.resources = diff.resourceChanges
            plan.metadata = diff.metadataChanges
            if let rank = ranks[i] { (plan.priority, plan.priorityKey, plan.scatter) = rank }
            plans.append(plan)
        }
        for pod in updating { add(pod.name) }
        for pod in rest { add(pod.name) }
        var result = WorkloadPlan(ref: ref, pods: plans, maxUnavailable: maxUnavailable, partition: partition,
                            maxUnavailableSetting: maxUnavailableSetting, partitionSetting: partitionSetting, desired: total,
                            owners: owners, refusals: refusals, warnings: warnings, surge: surgeCount, surgeSetting: surgeChoice?.setting)
        result.budgets = budgets
        result.limitingBudget = limiting
        result.order = ordering
        return result
    }

    /// The pods a Deployment adds before any leaves service: `--max-surge`; else, where maxUnavailable
    /// resolves to 0 and `--max-unavailable` is not given, the workload's own maxSurge (rounded up),
    /// as its controller keeps that promise by surging. None when nothing needs updating; an
    /// unfinished rollout's surge is kept as it is.
    static func surge(kind: WorkloadKind, total: Int, maxUnavailable: Int, setting: PlanSetting, options: PlanOptions,
                      strategy: WorkloadStrategy, applied: Int, updating: Int, notes: inout [String])
        -> (count: Int, setting: PlanSetting)? {
        guard kind == .deployment else { return nil }
        if applied > 0 {
            notes.append("\(applied) pod(s) added by the unfinished rollout stay until every original pod is updated and Ready, then the replicas are lowered by \(applied)")
            return (applied, PlanSetting(.count(applied), source: .flag))
        }
        guard updating > 0 else { return nil }
        if let flag = options.maxSurge {
            let count = flag.resolve(total: total, roundUp: true)
            return count > 0 ? (count, PlanSetting(flag, source: .flag)) : nil
        }
        guard maxUnavailable == 0, setting.source != .flag, let own = strategy.maxSurge else { return nil }
        let count = own.resolve(total: total, roundUp: true)
        guard count > 0 else { return nil }
        notes.append(
            "the Deployment allows no unavailable pod (maxUnavailable \(setting.value) of \(total) is 0): like its controller, the rollout first adds \(count) pod(s) on the new template (its maxSurge \(own)), updates the others in place with Ready pods never below \(total), then lowers the replicas again (give --max-unavailable to take pods out instead)")
        return (count, PlanSetting(own, source: setting.source))
    }

    /// The places in `pods` of the pods at `places` (ascending) in update order: sorted where they
    /// are in the default order, else through `UpdateOrder.sorted` (equal facts under one name are
    /// interchangeable).
    static func placesInOrder(_ places: [Int], of pods: [PodFacts], ordering: UpdateOrder, kind: WorkloadKind) -> [Int] {
        guard !ordering.isDefault else { return orderedPlaces(pods, among: places, kind: kind) }
        var byName: [String: [Int]] = [:]
        for place in places { byName[pods[place].name, default: []].append(place) }
        return ordering.sorted(places.map { pods[$0] }, kind: kind).compactMap { pod in
            guard let k = byName[pod.name]?.firstIndex(where: { pods[$0] == pod }) else { return nil }
            return byName[pod.name]?.remove(at: k)
        }
    }

    /// Calls `batched` with the batch of each pod to update, in order: the pods the rollout's window
    /// would start together, each batch starting once the one before is back and Ready.
    static func batches<Pods: RandomAccessCollection<PodFacts>>(
        _ updating: Pods, live: [PodFacts], desired: Int, maxUnavailable: Int, surge: Int = 0, budgets: [DisruptionBudget] = [],
        warnings: inout [String], _ batched: (String, Int) -> Void
    ) where Pods.Index == Int {
        var window = RolloutWindow(maxUnavailable: maxUnavailable, desired: desired, surge: surge)
        window.budgets = budgets
        var members = live.map { RolloutWindow.Member(name: $0.name, uid: $0.uid, ready: $0.ready) }
        if live.count < desired + surge && surge > 0 {
            let names = Set(live.map(\.name))
            members += (0..<surge).map { RolloutWindow.Member(name: "surge \($0)", uid: "surge \($0)", ready: true) }.filter { !names.contains($0.name) }
        }
        window.sync(members)
        members = []
        // The queue is fed a chunk at a time, so taking pods off its front stays cheap with thousands
        // of pods; a turn that empties it goes on with the next chunk, as one turn over the whole queue would.
        var fed = 0
        func turn() -> [PodTarget] {
            var started: [PodTarget] = []
            repeat {
                if window.pending.count < chunk / 2, fed < updating.count {
                    let end = min(updating.count, fed + chunk)
                    window.enqueue(updating[(updating.startIndex + fed)..<(updating.startIndex + end)].map {
                        PodTarget(name: $0.name, changes: $0.difference.imageChanges, resources: $0.difference.resourceChanges,
                                  metadata: $0.difference.metadataChanges)
                    })
                    fed = end
                }
                let more = window.start(now: 0).started
                if started.isEmpty { started = more } else { started += more }
            } while window.pending.isEmpty && fed < updating.count
            return started
        }
        var batch = 0
        var stalled = false
        while !window.pending.isEmpty || fed < updating.count {
            batch += 1
            var started = turn()
            if started.isEmpty {
                if !stalled {
                    stalled = true
                    warnings.append(
                        "\(window.unavailable) pod(s) not being updated are already unavailable (max-unavailable \(maxUnavailable)): the rollout will wait for them to become ready")
                }
                window.desired -= window.unavailable
                started = turn()
                if started.isEmpty { break }
            }
            for target in started { batched(target.name, batch) }
            // Last started first: each is then the end of the window's list of pods in flight.
            for target in started.reversed() { window.finish(target.name, ready: true) }
        }
    }

    /// How many pods `batches` queues at a time.
    static let chunk = 256

    /// The default update order: pods already not ready first, then StatefulSet highest ordinal first,
    /// then name (`UpdateOrder.sorted` applies the priority and scatter rules over it).
    public static func order(_ pods: [PodFacts], kind: WorkloadKind) -> [PodFacts] {
        orderedPlaces(pods, among: Array(pods.indices), kind: kind).map { pods[$0] }
    }

    /// `order` of the pods at `places` (ascending) in `pods`, as places: the pods are compared where
    /// they are instead of moved by the sort.
    static func orderedPlaces(_ pods: [PodFacts], among places: [Int], kind: WorkloadKind) -> [Int] {
        places.sorted { i, j in
            let a = pods[i], b = pods[j]
            if a.ready != b.ready { return !a.ready }
            return byOrdinalThenName(a, b, kind: kind)
        }
    }

    static func byOrdinalThenName(_ a: PodFacts, _ b: PodFacts, kind: WorkloadKind) -> Bool {
        if kind == .statefulSet, let x = a.ordinal, let y = b.ordinal, x != y { return x > y }
        return a.name < b.name
    }
}
