/// The sliding window of a rollout: the pods waiting for their turn, the pods in flight, and which
/// may start now. Unavailability is counted as the workload controllers count it (behaviour.md C2):
/// unavailable = desired replicas − Ready pods of the workload, so a NotReady pod counts once
/// whether it is being updated or not, a pod in flight counts from its start, and a deleted pod
/// counts until its replacement is Ready. `plan` batches with it and the rollout starts pods with
/// it. Pure: it knows the pods only as the caller shows them and time only as the caller's clock gives it.
public struct RolloutWindow: Sendable {
    /// A pod as the window counts it.
    public struct Member: Sendable, Equatable {
        public var name: String
        public var uid: String
        /// The uid of its controller (ReplicaSet, StatefulSet, DaemonSet); nil for a bare pod.
        public var owner: String?
        /// Ready (and not terminating).
        public var ready: Bool
        /// Being deleted.
        public var terminating: Bool

        public init(name: String, uid: String, owner: String? = nil, ready: Bool, terminating: Bool = false) {
            self.name = name
            self.uid = uid
            self.owner = owner
            self.ready = ready
            self.terminating = terminating
        }

        /// A live pod as the watch shows it.
        public init(_ pod: Pod) { self.init(pod, name: pod.name) }

        /// A live pod as the watch shows it, whose name the caller has read already.
        public init(_ pod: Pod, name: String) {
            let terminating = pod.isTerminating
            self.init(name: name, uid: pod.uid, owner: pod.controllerUID, ready: !terminating && pod.conditionIsTrue("Ready"),
                      terminating: terminating)
        }
    }

    /// What one call to `start` decided.
    public struct Turn: Sendable, Equatable {
        /// Pods that start now, in order.
        public var started: [PodTarget] = []
        /// Pods whose turn came but that no longer exist (or are being deleted): dropped from the rollout.
        public var skipped: [PodTarget] = []
    }

    /// Most pods of the workload unavailable at once (at least 1, or 0 with a surge).
    public let maxUnavailable: Int
    /// Pods added above the desired replicas: as many more may be in flight, Ready pods never
    /// below desired − maxUnavailable.
    public let surge: Int
    /// The PodDisruptionBudgets selecting the workload's pods: a Ready pod leaves service only while
    /// every one counting it keeps its desired healthy pods.
    public var budgets: [DisruptionBudget] = []
    /// The invocation's ledger of those budgets, when other workloads are rolled at once: the pods
    /// they took out of service count against the budgets too.
    public var ledger: DisruptionLedger.Share?
    /// Pods that a surge added: they do not count as recreated.
    public var surgeUIDs: Set<String> = []
    /// The replicas the workload should have (it follows the workload's spec as it changes).
    public var desired: Int
    /// No pod starts at or after this time (the caller's monotonic clock).
    public var deadline: Double
    /// Pods waiting for their turn, in order (a slice: pods leave from its head without moving the rest).
    public private(set) var pending: ArraySlice<PodTarget> = []
    /// Pods in flight, in the order they started.
    public private(set) var active: [String] = []
    /// When each pod in flight started (the caller's monotonic clock).
    public private(set) var startedAt: [String: Double] = [:]

    private let owners: Set<String>
    private let initialUIDs: Set<String>
    private var members: [String: Member] = [:]
    private var activeNames: Set<String> = []
    /// A pod was started again while in flight, so `active` may name it more than once.
    private var activeRepeats = false
    /// Pods in flight that left service (not in-service resizes): what max-unavailable bounds.
    private var outOfService: Set<String> = []
    /// Members that are Ready and not in flight: kept incrementally, so a decision does not walk every pod.
    private var readyIdle = 0
    private var goneUIDs: Set<String> = []
    private var appearedUIDs: Set<String> = []
    /// Pods this window took out of service through the ledger and has not given back.
    private var lent: Set<String> = []

    /// - Parameters:
    ///   - owners: controller uids whose pods are the workload's; empty: every pod shown counts.
    ///   - initialUIDs: the workload's pods when the rollout was planned, to count pods that come or go.
    ///   - surge: pods added above `desired` (Deployment `--max-surge`).
    public init(maxUnavailable: Int, desired: Int, owners: Set<String> = [], initialUIDs: Set<String> = [],
                deadline: Double = .infinity, surge: Int = 0) {
        self.surge = max(0, surge)
        self.maxUnavailable = surge > 0 ? max(0, maxUnavailable) : max(1, maxUnavailable)
        self.desired = desired
        self.owners = owners
        self.initialUIDs = initialUIDs
        self.deadline = deadline
    }

    /// Pods unavailable now: desired replicas − Ready pods not in flight.
    public var unavailable: Int { max(0, desired - readyIdle) }

    /// Pods of the workload that disappeared or appeared since it was planned; a pod and the one
    /// that took its place count once.
    public var recreated: Int { max(goneUIDs.count, appearedUIDs.subtracting(surgeUIDs).count) }

    /// True while `name` is in flight.
    public func isActive(_ name: String) -> Bool { activeNames.contains(name) }

    /// Whether `name` may leave service now: fewer than max-unavailable (+ surge) pods are in flight and, if
    /// it is Ready, taking it out keeps the unavailable pods within max-unavailable. A pod that is
    /// already unavailable is counted already, so updating it takes nothing more.
    public func mayStart(_ name: String) -> Bool { mayStart(name, lent: ledger?.ledger.snapshot) }

    private func mayStart(_ name: String, lent state: DisruptionLedger.State?) -> Bool {
        guard outOfService.count < maxUnavailable + surge else { return false }
        guard let member = members[name], member.ready else { return true }
        return (surge > 0 ? desired - readyIdle : unavailable) + 1 <= maxUnavailable && holdingBudget(name, lent: state) == nil
    }

    /// The budget that keeps the Ready pod `name` in service now, if any: taking it out would bring
    /// the budget below its desired healthy pods (pods in flight are not healthy).
    public func holdingBudget(_ name: String) -> DisruptionBudget? { holdingBudget(name, lent: ledger?.ledger.snapshot) }

    /// `holdingBudget`, with the pods other workloads took out (`lent`, from the ledger) unhealthy too.
    private func holdingBudget(_ name: String, lent state: DisruptionLedger.State?) -> DisruptionBudget? {
        guard !budgets.isEmpty, let member = members[name], member.ready else { return nil }
        for budget in budgets where budget.counts(name) {
            let healthy = members.values.lazy.filter { $0.ready && !self.outOfService.contains($0.name) && budget.counts($0.name) }.count
            let others = ledger.map { share in state.map { lentToOthers(budget, share: share, lent: $0) } ?? 0 } ?? 0
            if budget.allowed(healthy: healthy) - others < 1 { return budget }
        }
        return nil
    }

    /// Pods other workloads took out under `budget` that it still counts healthy (each pod once).
    private func lentToOthers(_ budget: DisruptionBudget, share: DisruptionLedger.Share, lent state: DisruptionLedger.State) -> Int {
        guard let healthy = budget.healthyOthers else { return state.lentToOthers(share.key(budget), except: share.workload) }
        let prefix = share.namespace.count + 1
        return state.lentToOthers(share.key(budget), except: share.workload) { healthy.contains(String($0.dropFirst(prefix))) }
    }

    /// The budget holding the next pod in line, while the window's own count would let it go.
    public var heldBy: DisruptionBudget? {
        guard let next = pending.first, outOfService.count < maxUnavailable + surge else { return nil }
        return holdingBudget(next.name)
    }

    /// Adds pods to the queue: at its end, or (`first`) before every pod waiting.
    public mutating func enqueue(_ targets: [PodTarget], first: Bool = false) {
        if first { pending = ArraySlice(targets + pending) } else { pending.append(contentsOf: targets) }
    }

    /// Forgets every pod waiting (the rollout starts no more).
    public mutating func dropPending() { pending.removeAll() }

    /// Starts the pods whose turn it is, in order, until one may not start. Starts nothing at or
    /// after the deadline.
    public mutating func start(now: Double) -> Turn {
        guard let share = ledger, !budgets.isEmpty else {
            var none: DisruptionLedger.State?
            return start(now: now, lent: &none)
        }
        return share.ledger.transaction { state in
            var lent: DisruptionLedger.State? = state
            defer { state = lent ?? state }
            return start(now: now, lent: &lent)
        }
    }

    /// `start`, deciding on and taking from the ledger's `lent` when there is one.
    private mutating func start(now: Double, lent state: inout DisruptionLedger.State?) -> Turn {
        var turn = Turn()
        guard now < deadline else { return turn }
        var taken = 0
        defer { pending = pending.dropFirst(taken) }
        while taken < pending.count {
            let next = pending[pending.startIndex + taken]
            guard let member = members[next.name], !member.terminating else {
                taken += 1
                turn.skipped.append(next)
                continue
            }
            guard next.inService || mayStart(next.name, lent: state) else { break }
            taken += 1
            if !next.inService {
                if members[next.name]?.ready == true {
                    readyIdle -= 1
                    if let share = ledger, state != nil {
                        let counting = budgets.filter { $0.counts(next.name) }.map(share.key)
                        if !counting.isEmpty {
                            state?.take(share.key(pod: next.name), by: share.workload, budgets: counting)
                            lent.insert(next.name)
                        }
                    }
                }
                outOfService.insert(next.name)
            }
            active.append(next.name)
            if !activeNames.insert(next.name).inserted { activeRepeats = true }
            startedAt[next.name] = now
            turn.started.append(next)
        }
        return turn
    }

    /// Takes a pod out of flight (done or failed); `ready` sets its readiness (to plan ahead).
    public mutating func finish(_ name: String, ready: Bool? = nil) {
        guard activeNames.remove(name) != nil else { return }
        if activeRepeats {
            active.removeAll { $0 == name }
            activeRepeats = !active.isEmpty
        } else if active.last == name {
            active.removeLast()
        } else if let i = active.firstIndex(of: name) {
            active.remove(at: i)
        }
        startedAt[name] = nil
        let counted = outOfService.remove(name) != nil
        let wasReady = members[name]?.ready == true
        if let ready { members[name]?.ready = ready }
        let isReady = members[name]?.ready == true
        if isReady { giveBack(name) }
        if counted {
            if isReady { readyIdle += 1 }
        } else {
            readyIdle += (isReady ? 1 : 0) - (wasReady ? 1 : 0)
        }
    }

    /// Replaces what the window knows of the pods with a full list (a watch's initial list).
    public mutating func sync(_ pods: [Member]) {
        let mine = owners.isEmpty ? pods : pods.filter(isMember)
        if !initialUIDs.isEmpty {
            let present = Set(mine.map(\.uid))
            for uid in initialUIDs where !present.contains(uid) { goneUIDs.insert(uid) }
        }
        members = [:]
        members.reserveCapacity(mine.count)
        for member in mine { members[member.name] = member }  // a repeated name: the last one
        readyIdle = 0
        for member in members.values {
            if member.ready && !outOfService.contains(member.name) { readyIdle += 1 }
            noteSeen(member)
        }
    }

    /// A pod added or changed.
    public mutating func observe(_ pod: Member) {
        guard isMember(pod) else { return }
        let inService = !outOfService.contains(pod.name)
        if let old = members.updateValue(pod, forKey: pod.name) {
            if old.ready && inService { readyIdle -= 1 }
            if old.uid != pod.uid { noteGone(old.uid) }
        }
        if pod.ready && inService {
            readyIdle += 1
            giveBack(pod.name)
        }
        noteSeen(pod)
    }

    /// A pod this window took out through the ledger is healthy again: the budgets get it back.
    private mutating func giveBack(_ name: String) {
        guard !lent.isEmpty, lent.remove(name) != nil, let share = ledger else { return }
        share.ledger.release(share.key(pod: name))
    }

    /// A pod deleted.
    public mutating func remove(_ pod: Member) {
        noteGone(pod.uid)
        guard let old = members[pod.name], old.uid == pod.uid else { return }
        if old.ready && !outOfService.contains(old.name) { readyIdle -= 1 }
        members[pod.name] = nil
    }

    private func isMember(_ pod: Member) -> Bool { owners.isEmpty || owners.contains(pod.owner ?? "") }

    private mutating func noteSeen(_ pod: Member) {
        guard !initialUIDs.isEmpty else { return }
        if !initialUIDs.contains(pod.uid) { appearedUIDs.insert(pod.uid) }
        if pod.terminating { noteGone(pod.uid) }
    }

    private mutating func noteGone(_ uid: String) {
        if initialUIDs.contains(uid) { goneUIDs.insert(uid) }
    }
}
