import Foundation
import JSON

/// Runs one workload's in-place rollout to its end: prepares the workload, moves pods through the
/// sequence in a sliding window of max-unavailable, and hands the workload back to its controller.
/// Every wait is driven by watches; writes run concurrently; each decision comes from `PodProgress`.
/// Not `Sendable`: its state belongs to the thread running `run()`; watch handlers and pool writes
/// capture only Sendable values (the cluster, the event queue, a pod's name) and post back to it.
public final class WorkloadRollout {
    public let cluster: any ClusterAPI
    public let workload: Workload
    public let template: JSONValue
    public let plan: WorkloadPlan
    public let settings: RolloutSettings
    public let rolloutID: String
    public let holder: String
    public let clock: any RolloutClock
    public let observer: any RolloutObserver
    public let control: RolloutControl
    /// The record of the rollout being resumed, if any: its identity and the workload's settings from
    /// before it started are kept.
    public let resuming: RolloutRecord?
    /// Set when this rollout rolls back a failed one (`--on-failure rollback`): that failure, which
    /// the record keeps (phase failed) once the pods are back.
    public let rollbackOf: String?
    /// The record on the workload that a new rollout replaces: what it knew from before (the
    /// workload's settings, the last complete images) carries over while that rollout did not complete.
    public let supersedes: RolloutRecord?
    /// What the workloads rolled at once share (write threads, budgets; the watches come with
    /// `cluster`, a `SharedWatchCluster`); nil: its own.
    public let sharing: RolloutSharing?

    public init(cluster: any ClusterAPI, workload: Workload, template: JSONValue, plan: WorkloadPlan,
                settings: RolloutSettings, rolloutID: String, holder: String, clock: any RolloutClock = SystemClock(),
                observer: any RolloutObserver, control: RolloutControl = RolloutControl(), resuming: RolloutRecord? = nil,
                rollbackOf: String? = nil, supersedes: RolloutRecord? = nil, sharing: RolloutSharing? = nil) {
        self.sharing = sharing
        self.resuming = resuming
        self.rollbackOf = rollbackOf
        self.supersedes = supersedes
        self.cluster = cluster
        self.workload = workload
        self.template = template
        self.plan = plan
        window = RolloutWindow(maxUnavailable: plan.maxUnavailable, desired: plan.desired, owners: plan.owners,
                               initialUIDs: Set(plan.pods.map(\.uid).filter { !$0.isEmpty }), surge: plan.surge)
        self.settings = settings
        self.rolloutID = resuming?.id ?? rolloutID
        self.holder = holder
        self.clock = clock
        self.observer = observer
        self.control = control
        handOffs = (cluster as? any HandOffTracing).flatMap { $0.tracesHandOffs ? $0 : nil }
    }

    enum Event: Sendable {
        case pods(ClusterWatchEvent)
        /// EndpointSlice events are waiting in `slices`.
        case slices
        case written(pod: String, step: PodStep, result: Result<JSONValue, ClusterOperationError>)
        case refreshed(JSONValue)
        case workload(JSONValue)
        case renewed(JSONValue?)
        case budgets(BudgetWatch.Event)
        case wake
    }

    struct Active {
        var target: PodTarget
        var startedAt: Double
        var step: PodStep?
        var writing = false
        /// The pod's resourceVersion when the write in flight was decided.
        var writtenFrom: String?
        var gateOffAt: Double?
        var patchedAt: Double?
        var retryAt: Double?
        /// When the pod must be looked at again even if nothing changes (grace end, drain cap, pod timeout, retry).
        var wakeAt: Double?
        var attempts = 0
        /// When it started among the pods of this rollout (their order in `activeOrder`).
        var sequence = 0
        var drainWarned = false
        var deferralShown = false
        /// The update record last read from the pod, with the annotation it came from.
        var recorded: (text: String, record: PodUpdateRecord?)?
    }

    private let events = EventQueue<Event>()
    /// The longest the loop sleeps while a write is in flight: an answer that succeeds does not wake
    /// it (the write's watch event does), so one whose watch event is lost is found this late.
    static let quietAnswerWait = 0.1
    /// Room for every pod of the window to have a write in flight.
    private lazy var pool = sharing.map { WriteLane($0.writes, owned: false) }
        ?? WriteLane(WritePool(width: min(256, max(64, 2 * plan.maxUnavailable))), owned: true)
    private var pods: [String: Pod] = [:]
    /// Pods written whose watch has not shown the version the write made: resourceVersion by name.
    private var awaited: [String: Int] = [:]
    /// True while `reconcile` runs: only then may `send` queue a write (it flushes them).
    private var inPass = false
    /// Writes decided in this pass, not yet handed to the pool.
    private var outbox: [WritePool.Write] = []
    private var podsSynced = false
    /// The ready listings of the namespace's EndpointSlices: the invocation's, shared by its
    /// workloads, or this rollout's own (until its watch lists the slices, every pod counts as listed).
    private var listings = EndpointListings()
    /// This rollout's place among the listings' listeners.
    private var listener = 0
    /// Pods in flight whose step is `drain`, kept as their steps change (`advance`) and as they leave
    /// the flight: while there are none, and no surge pod is retiring, slice changes do not wake the loop.
    private var draining: Set<String> = []
    /// Whether slice changes wake the loop now (`EndpointListings.wake`).
    private var slicesWake = true
    /// Which pods wait, which are in flight, and which may start (`RolloutWindow`). A stored property,
    /// never `lazy`: a lazy one is mutated through get and set, copying every pod it knows per event.
    private var window: RolloutWindow
    /// When the surge pods were taken out of service before the replicas are lowered.
    private var surgeRetiring: Double?
    /// The PodDisruptionBudget (name, rule, desired healthy) that held the window when pods were last
    /// started (reported once per hold, and again when the budget changes).
    private var heldByBudget: String?
    /// The PodDisruptionBudgets as the watches show them (none with `--ignore-pdb`); the window
    /// counts them once every watch has listed (`budgetsListed`).
    private var budgetWatch: BudgetWatch?
    private var budgetsListed = false
    /// The workload's replicas as its watch shows them (the expected pods of percentage budgets).
    private lazy var liveReplicas = workload.replicas
    /// The Deployment's surge as the record shows it (pods added above its replicas); see `SurgeTracker`.
    private var surge = SurgeTracker(count: 0)
    private var pending: ArraySlice<PodTarget> { window.pending }
    private var active: [String: Active] = [:]
    private var activeOrder: [String] { window.active }
    /// The earliest `wakeAt` of an active pod: before then only changed pods need a look.
    private var earliestWake = Double.infinity
    private var updated = 0
    private var failures: [(pod: String, reason: String, message: String)] = []
    private var timedOut = false
    private var start = 0.0
    private var recordText: String?
    private var renewing = false
    private var nextRenewal = 0.0
    private var record: RolloutRecord?
    private var repaired = false
    /// Pods whose object changed since their step was last derived.
    private var dirty: Set<String> = []
    private var podWrites = 0
    /// Pods started so far (the next one's `Active.sequence`).
    private var startedCount = 0
    /// The pods of the plan, by name (a scale-up's pods are the others).
    private lazy var planNames = Set(plan.pods.map(\.name))
    /// Follows other writers of the workload (scales are followed, other spec changes stop the rollout).
    private var changeGuard: WorkloadChangeGuard?
    /// Pods in flight that went away, for which the workload was read again (a scale-down may explain them).
    private var rereadFor: Set<String> = []
    /// Pods planned as kept or held that a resume found mid-update and finished (counted as updated).
    private var repairedKept = 0
    private var repairedHeld = 0
    /// When `--timeout` ends the rollout (monotonic seconds).
    private var deadline = Double.infinity
    /// Where slot hand-overs are traced (nil unless the cluster traces them).
    private let handOffs: (any HandOffTracing)?
    /// Traced only: pods that finished in this reconcile pass since its last hand-over (with the
    /// resourceVersion showing it).
    private var finishedInPass: [(pod: String, resourceVersion: String)] = []

    /// The targets of pods to update, with revision labels added once the workload is prepared.
    func targets(labels: [String: String]) -> [PodTarget] {
        plan.pods.filter { $0.action == .update }.map {
            PodTarget(name: $0.name, changes: $0.changes, resources: $0.resources, labels: labels, metadata: $0.metadata)
        }
    }

    /// The record written on the workload when the rollout starts.
    public func initialRecord() -> RolloutRecord {
        let changes = plan.pods.flatMap(\.changes)
        let resources = plan.pods.flatMap(\.resources)
        let now = clock.rfc3339
        if var r = resuming {
            r.phase = .running
            r.holder = holder
            r.renewTime = now
            r.leaseSeconds = RolloutHolder.leaseSeconds
            r.message = ""
            r.options = options(resumed: r.options)
            if !settings.cause.isEmpty { r.cause = settings.cause }
            return r
        }
        var r = RolloutRecord(
            id: rolloutID, phase: .running,
            images: Dictionary(changes.map { ($0.container, $0.to) }, uniquingKeysWith: { a, _ in a }),
            previousImages: Dictionary(changes.map { ($0.container, $0.from) }, uniquingKeysWith: { a, _ in a }),
            options: options(resumed: [:]),
            startedAt: now, holder: holder, renewTime: now, total: plan.pods.count,
            resources: Dictionary(resources.map { ("\($0.container)/\($0.key)", $0.to) }, uniquingKeysWith: { a, _ in a }),
            previousResources: Dictionary(resources.map { ("\($0.container)/\($0.key)", $0.from) }, uniquingKeysWith: { a, _ in a }))
        r.cause = settings.cause
        let metadata = plan.pods.flatMap(\.metadata)
        r.metadata = metadata.recordTargets
        r.previousMetadata = metadata.recordSources
        if let supersedes {
            r.carryOver(from: supersedes, workload: workload)
            if rollbackOf != nil { r.rollbackOf = supersedes.id }
        }
        return r
    }

    /// True when an unfinished rollout left the workload held off from its controller: this one
    /// prepares and hands it back even with no pod to update.
    var settlesWorkload: Bool {
        guard let supersedes, supersedes.phase != .complete else { return false }
        return RolloutRecord.showsPreparedSettings(workload)
    }

    /// The options as recorded (flags given to resume override the recorded ones); max-unavailable
    /// and partition as the plan resolved them, so a resume keeps them whatever the workload shows then.
    func options(resumed: [String: String]) -> [String: String] {
        settings.recordedOptions(plan: plan, over: resumed)
    }

    /// Runs the rollout to its end and reports the outcome.
    public func run() -> RolloutOutcome {
        start = clock.monotonic
        let outcome = runInner()
        observer.handle(.finished(workload.ref, outcome))
        return outcome
    }

    private func runInner() -> RolloutOutcome {
        var kept = plan.count(.keep), held = plan.count(.hold)
        let budget = window.maxUnavailable
        observer.handle(.started(workload.ref, update: plan.count(.update), keep: kept, hold: held, maxUnavailable: budget))
        // A resumed rollout with nothing left to update still repairs the pods it left mid-sequence
        // and hands the workload back to its controller.
        guard plan.count(.update) > 0 || resuming != nil || settlesWorkload else {
            if let failure = rollbackOf { concludeRollback(failure, rolledBack: 0) }
            return RolloutOutcome(result: .complete, kept: kept, held: held, seconds: elapsed)
        }
        let consistency = WorkloadConsistency(cluster: cluster, dryRun: false) { [observer, workload] in
            observer.handle(.workloadWrite(workload.ref, $0))
        }
        let prepared: PreparedWorkload
        do {
            prepared = try consistency.prepare(workload, template: template, record: initialRecord(),
                                               surge: plan.count(.update) > 0 ? plan.surge : 0)
        } catch let e as RolloutError {
            if case .conflict = e { return RolloutOutcome(result: .conflict, kept: kept, held: held, seconds: elapsed, message: e.description) }
            return RolloutOutcome(result: .failed, kept: kept, held: held, seconds: elapsed, message: e.description)
        } catch {
            return RolloutOutcome(result: .failed, kept: kept, held: held, seconds: elapsed, message: "\(error)")
        }
        window.enqueue(targets(labels: prepared.revisionLabels))
        window.budgets = plan.budgets
        if workload.kind != .pod && !settings.plan.ignorePdb {
            budgetWatch = BudgetWatch(cluster: cluster, namespace: workload.namespace, owners: plan.owners,
                                      templateLabels: template[path: ["metadata", "labels"]]?.stringMap ?? [:]) { [events] in events.post(.budgets($0)) }
        }
        if let ledger = sharing?.budgets, !plan.budgets.isEmpty || budgetWatch != nil {
            window.ledger = DisruptionLedger.Share(ledger: ledger, namespace: workload.namespace, workload: workload.ref.description)
            ledger.onRelease { [events] in events.post(.wake) }
        }
        record = prepared.record
        surge = SurgeTracker(count: workload.kind == .deployment ? prepared.record.surge : 0,
                             planned: Set(plan.pods.map(\.uid)), since: clock.monotonic)
        if surge.count > 0, let replicas = Workload(kind: workload.kind, object: prepared.object).replicas {
            window.desired = replicas - surge.count
        }
        if workload.kind != .pod { changeGuard = WorkloadChangeGuard(workload: workload, prepared: prepared) }
        recordText = prepared.object[path: ["metadata", "annotations", InPlace.rolloutAnnotation]]?.string
        nextRenewal = clock.monotonic + RolloutHolder.renewSeconds
        let watches = startWatches()
        // While the watches sync: threads for the first window's writes (none when a write loop sends them).
        if !cluster.writesAsynchronously { pool.prestart(budget + 8) }
        // This thread reads the watches' events itself while it waits for them (unless another
        // rollout of the invocation already does), so an event is acted on where it was decoded.
        // A hosted loop (many workloads at once) is run by the host's driver, which reads the watches.
        let watchLoop = sharing == nil ? cluster.watchLoop().flatMap { $0.adopt() ? $0 : nil } : nil
        events.run(on: watchLoop)
        loop(budget: budget)
        events.run(on: nil)
        watchLoop?.release()
        watches.forEach { $0.stop() }
        budgetWatch?.stop()
        pool.waitAll()
        pool.close()

        let stop = control.stopReason
        kept -= repairedKept
        held -= repairedHeld
        if case .takenOver(let by)? = stop {
            var outcome = RolloutOutcome(result: .conflict, updated: updated, kept: kept, held: held, failed: failures.map(\.pod),
                                         seconds: elapsed, message: "taken over by \(by)")
            outcome.recreated = window.recreated
            return outcome
        }
        var record = self.record ?? prepared.record
        record.updated = updated
        record.renewTime = clock.rfc3339
        var result: RolloutOutcome.Result = .complete
        var message: String?
        if !failures.isEmpty {
            result = .failed
            let failure = failures.map { "\($0.pod): \($0.reason) \($0.message)" }.joined(separator: "; ")
            message = failure
            // A rollback follows in this process: the rollout is not over until the pods are back.
            let rollingBack = settings.rollbackOnFailure && stop == nil
            record.phase = rollingBack ? .running : .failed
            record.message = rollingBack ? "\(failure); rolling back" : failure
        } else if timedOut && (!pending.isEmpty || !active.isEmpty) {
            result = .timedOut
            record.phase = .failed
            let inFlight = active.isEmpty ? "" : " and \(active.count) in flight (\(activeOrder.joined(separator: ", ")))"
            record.message = "timed out (--timeout) with \(pending.count) pod(s) not started\(inFlight)"
            message = record.message
        } else if let stop {
            if case .changedBy = stop { result = .conflict } else { result = .paused }
            record.phase = .paused
            record.message = stop.recordMessage
            message = record.message
        } else if let failure = rollbackOf {
            record.phase = .failed
            record.message = Self.rolledBackMessage(failure, rolledBack: updated, to: record.images)
        } else {
            record.phase = .complete
        }
        do {
            let current = try cluster.get(workload.ref.path)
            var replicas: Int?
            if surge.count > 0 {
                if let unready = surge.unreadyOriginals(pods: pods, owns: ownsPod).first {
                    observer.handle(.warning(workload.ref, "the \(surge.count) surge pod(s) stay until every original pod is Ready again (\(unready) is not): `resume` or `undo` removes them"))
                } else if let live = Workload(kind: workload.kind, object: current).replicas {
                    replicas = max(0, live - surge.count)
                    record.surge = 0
                    observer.handle(.warning(workload.ref, "every original pod is Ready: lowering the replicas by the \(surge.count) surge pod(s) to \(replicas!)"))
                }
            }
            if result == .complete {
                let notes = try consistency.finalize(Workload(kind: workload.kind, object: current), prepared: prepared,
                                                     record: record, held: held, heldPartition: heldPartition, replicas: replicas)
                for n in notes { observer.handle(.warning(workload.ref, n)) }
            } else if workload.kind != .pod {
                try consistency.writeRecord(workload, record: record, object: current, replicas: replicas)
            }
            if let replicas { awaitSurgeGone(replicas: replicas) }
        } catch {
            observer.handle(.warning(workload.ref, "could not update \(workload.ref) at the end: \(error)"))
            if result == .complete { result = .failed; message = "\(error)" }
        }
        var outcome = RolloutOutcome(result: result, updated: updated, kept: kept, held: held, failed: failures.map(\.pod),
                                     seconds: elapsed, message: message)
        outcome.podWrites = podWrites
        outcome.recreated = window.recreated
        outcome.surged = surge.uids.count
        return outcome
    }

    /// The record's message once a failed rollout's pods are back on their old images.
    static func rolledBackMessage(_ failure: String, rolledBack: Int, to images: [String: String]) -> String {
        let list = images.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
        return "\(failure); rolled back \(rolledBack) pod(s) to \(list)"
    }

    /// Ends a rollback that had no pod to restore: the record says the rollout failed.
    private func concludeRollback(_ failure: String, rolledBack: Int) {
        guard workload.kind != .pod else { return }
        do {
            let current = try cluster.get(workload.ref.path)
            guard var r = RolloutRecord(workload: current) else { return }
            r.phase = .failed
            r.message = Self.rolledBackMessage(failure, rolledBack: rolledBack, to: r.previousImages)
            r.renewTime = clock.rfc3339
            let consistency = WorkloadConsistency(cluster: cluster, dryRun: false) { [observer, workload] in
                observer.handle(.workloadWrite(workload.ref, $0))
            }
            try consistency.writeRecord(workload, record: r, object: current)
        } catch {
            observer.handle(.warning(workload.ref, "could not record the end of the rollback on \(workload.ref): \(error)"))
        }
    }

    /// StatefulSet ordinals below this stay on the old revision.
    var heldPartition: Int {
        workload.kind == .statefulSet
            ? plan.partition : 0
    }

    private var elapsed: Double { clock.monotonic - start }

    private func startWatches() -> [any WatchStopping] {
        let ns = workload.namespace
        let podWatch: any WatchStopping
        if workload.kind == .pod {
            podWatch = cluster.watch("/api/v1/namespaces/\(ns)/pods", labelSelector: nil, fieldSelector: "metadata.name=\(workload.name)",
                                     keeping: RolloutProjections.pod) { [events] in events.post(.pods($0)) }
        } else {
            podWatch = cluster.watch("/api/v1/namespaces/\(ns)/pods", labelSelector: workload.selector?.queryString, fieldSelector: nil,
                                     keeping: RolloutProjections.pod) { [events] in events.post(.pods($0)) }
        }
        var ownSliceWatch: (any WatchStopping)?
        if let sharing {
            listings = sharing.listings(namespace: ns)
        } else {
            let own = listings
            ownSliceWatch = cluster.watch(APIResource.endpointSlices.path(namespace: ns), labelSelector: nil, fieldSelector: nil,
                                          keeping: RolloutProjections.endpointSlice) { own.feed($0) }
        }
        let listings = listings
        listener = listings.listen { [events] in events.post(.slices) }
        let sliceWatch = StopAction { [listener, ownSliceWatch] in
            listings.stopListening(listener)
            ownSliceWatch?.stop()
        }
        control.onStop { [events] _ in events.post(.wake) }
        budgetWatch?.start()
        guard workload.kind != .pod else { return [podWatch, sliceWatch] }
        let workloadWatch = cluster.watch(workload.kind.collectionPath(namespace: ns), labelSelector: nil,
                                          fieldSelector: "metadata.name=\(workload.name)") { [events] event in
            switch event {
            case .synced(let items): for o in items { events.post(.workload(o)) }
            case .added(let o), .modified(let o): events.post(.workload(o))
            case .deleted, .failed: break
            }
        }
        return [podWatch, sliceWatch, workloadWatch]
    }

    private func loop(budget: Int) {
        deadline = settings.timeout > 0 ? start + settings.timeout : .infinity
        window.deadline = deadline
        if let host = sharing?.host {
            var batch: [Event] = []
            events.hosted(by: host)
            host.run(pass: { [self] in
                events.take(into: &batch)
                let next = pass(batch, budget: budget)
                observer.settle()
                return next.map { min($0, deadline) }
            }, ready: { [events] in events.hasItems })
            events.hosted(by: nil)
            return
        }
        var wakeAt = clock.monotonic + 1
        var batch: [Event] = []
        while true {
            observer.settle()
            events.drain(until: min(wakeAt, deadline), clock: clock, into: &batch)
            guard let next = pass(batch, budget: budget) else { return }
            wakeAt = next
        }
    }

    /// One pass of the loop over the events `batch`: when to run the next at the latest (monotonic
    /// seconds), or nil when the loop has ended.
    private func pass(_ batch: [Event], budget: Int) -> Double? {
        for event in batch { apply(event) }
        // Slice changes that did not wake the loop (no pod was draining) are taken before any decision.
        if !slicesWake { apply(.slices) }
        let now = clock.monotonic
        // Pods that already show their update done are counted as done, not timed out.
        if now >= deadline && !timedOut && (!pending.isEmpty || activeOrder.contains { !showsDone($0) }) {
            timedOut = true
            observer.handle(.warning(workload.ref, "--timeout reached: starting no more pods"))
            return nil
        }
        guard podsSynced else { return now + 1 }
        addRepairs()
        followScale()
        tendSurge(now: now)
        renew(now: now)
        var wakeAt = min(reconcile(now: now, budget: budget), renewalDue)
        // Answers that succeed come quietly: a write whose watch event is lost is looked at again soon.
        if active.values.contains(where: \.writing) { wakeAt = min(wakeAt, now + Self.quietAnswerWait) }
        wakeForSlices()
        if active.isEmpty && (pending.isEmpty || stopping)
            && (stopping || changeGuard?.awaitsPods(in: pods, now: now, patience: settings.podTimeout) != true) {
            guard retiringSurge(now: now) else { return nil }
            wakeAt = min(wakeAt, now + 0.05)
        }
        return wakeAt
    }

    /// Lets slice changes wake the loop only while a pod drains or a surge pod retires (the only
    /// waits on the slices); a change kept while they did not wakes it once they do.
    private func wakeForSlices() {
        let wanted = !draining.isEmpty || surgeRetiring != nil
        guard wanted != slicesWake else { return }
        slicesWake = wanted
        if listings.wake(listener, wanted) { events.post(.slices) }
    }

    /// True when the pod in flight shows its whole sequence done (only the bookkeeping is left).
    private func showsDone(_ name: String) -> Bool {
        guard let pod = pods[name], let a = active[name] else { return false }
        return PodProgress.step(pod: pod, target: a.target, rolloutID: rolloutID) == .done
    }

    private var stopping: Bool { timedOut || control.stopReason != nil || (!failures.isEmpty) }

    private func apply(_ event: Event) {
        switch event {
        case .pods(let e):
            switch e {
            case .synced(let items):
                pods = [:]
                for o in items { let p = Pod(o); pods[p.name] = p }
                window.sync(pods.values.map(RolloutWindow.Member.init))
                dirty.formUnion(activeOrder)
                podsSynced = true
                budgetWatch?.dirty = true
            case .added(let o), .modified(let o): store(Pod(o))
            case .deleted(let o):
                let pod = Pod(o)
                if pods[pod.name]?.uid == pod.uid { pods[pod.name] = nil }
                dirty.insert(pod.name)
                window.remove(RolloutWindow.Member(pod))
                budgetWatch?.dirty = true
            case .failed(let e): watchFailed(e)
            }
        case .slices:
            let (changed, failure) = listings.look(listener)
            if let failure { watchFailed(failure) }
            // Only a pod that is draining waits for the slices, and only until none lists it ready:
            // after a change, the draining pods no longer listed look again (the others go on
            // waiting, their grace period and drain cap being timers of their own).
            guard changed else { return }
            for name in draining where active[name]?.step == .drain
                && !listings.listsReady(podIP: pods[name]?.podIP, podName: name) {
                dirty.insert(name)
            }
        case .written(let name, let step, let result):
            // An answer to a write the watch already showed done (`advance`) is passed over.
            guard let i = active.index(forKey: name), active.values[i].writing, active.values[i].step == step else { return }
            dirty.insert(name)
            if case .success(let object) = result {
                Self.finishWrite(step, &active.values[i], now: clock.monotonic)
                awaitVersion(of: object)
                return
            }
            guard case .failure(let error) = result else { return }
            var a = active.values[i]
            a.writing = false
            switch error.kind {
            case .conflict:
                refresh(name)
                a.writing = true
            case .transient:
                // The client already spent the request's retry budget, or the deadline cut it short.
                if timedOut || clock.monotonic >= deadline { break }
                fail(name, "ServerUnavailable", "the API server kept failing after retries: \(error.message)")
                return
            case .notFound:
                active[name] = a
                if !droppedByScaleDown(name) { fail(name, "PodDeleted", "the pod was deleted during its update") }
                return
            default:
                fail(name, "WriteRefused", error.message)
                return
            }
            active[name] = a
        case .refreshed(let object):
            let pod = Pod(object)
            store(pod)
            active[pod.name]?.writing = false
            dirty.insert(pod.name)
        case .workload(let object):
            let replicas = Workload(kind: workload.kind, object: object).replicas
            if replicas != liveReplicas { liveReplicas = replicas; budgetWatch?.dirty = true }
            window.desired = replicas.map { $0 - surge.count } ?? window.desired
            observeRecord(object)
            if let stop = changeGuard?.stopReason(for: object, now: clock.monotonic) { control.requestStop(stop) }
            dirty.formUnion(rereadFor)
        case .renewed(let object):
            renewing = false
            if let object { observeRecord(object) }
        case .budgets(let e):
            if let failure = budgetWatch?.apply(e) { watchFailed(failure) }
        case .wake:
            dirty.formUnion(rereadFor)
        }
    }

    /// Reacts to the rollout record as the cluster shows it: a pause request, or another holder.
    private func observeRecord(_ object: JSONValue) {
        // The record as last seen was acted on already (the workload's status changes far more often).
        guard let text = object[path: ["metadata", "annotations", InPlace.rolloutAnnotation]]?.string, text != recordText,
              let seen = RolloutRecord(workload: object) else { return }
        recordText = text
        guard seen.id == rolloutID else {
            control.requestStop(.takenOver("rollout \(seen.id) of \(seen.holder)"))
            return
        }
        if seen.holder != holder {
            control.requestStop(.takenOver(seen.holder))
        } else if seen.phase == .paused {
            record?.message = seen.message
            control.requestStop(.paused(seen.message.isEmpty ? "pause requested" : seen.message))
        }
    }

    /// When the record's next renewal is due: never while one is on its way (its answer wakes the
    /// loop; waking for it sooner would turn the loop as fast as it can until then) or when there
    /// is no record to renew.
    private var renewalDue: Double {
        workload.kind == .pod || renewing || record == nil || recordText == nil ? .infinity : nextRenewal
    }

    /// Renews the holder's lease on the record (compare-and-swap on the annotation).
    private func renew(now: Double) {
        guard now >= renewalDue, var r = record, let expected = recordText else { return }
        nextRenewal = now + RolloutHolder.renewSeconds
        r.renewTime = clock.rfc3339
        r.updated = updated
        record = r
        renewing = true
        let consistency = WorkloadConsistency(cluster: cluster, dryRun: false) { _ in }
        let target = workload
        pool.submit(background: true) { [events, r] in
            let object = try? consistency.swapRecord(target, expected: expected, record: r)
            if object == nil, let fresh = try? consistency.cluster.get(target.ref.path) {
                events.post(.renewed(fresh))
            } else {
                events.post(.renewed(object))
            }
        }
    }

    /// True while the surge pods are taken out of service before the replicas are lowered (once every
    /// original pod is Ready): their gate goes False, then the rollout waits the grace period and
    /// until no EndpointSlice lists them (at most the drain cap), so removing them drops no request.
    private func retiringSurge(now: Double) -> Bool {
        guard surge.count > 0, workload.kind == .deployment, surge.unreadyOriginals(pods: pods, owns: ownsPod).isEmpty else { return false }
        let members = surge.members(pods: pods, owns: ownsPod)
        guard let since = surgeRetiring else {
            surgeRetiring = now
            for pod in members where pod.conditionIsTrue(InPlace.gateConditionType) {
                let write = ClusterWrite(path: PodWrites.podPath(pod) + "/status", type: .strategicMerge,
                                         body: PodWrites.condition(status: "False", reason: InPlace.reasonUpdating,
                                                                   message: "kubectl-inplace takes the surge pod out of service before removing it",
                                                                   now: clock.rfc3339),
                                         summary: "set \(InPlace.gateConditionType)=False on surge pod \(pod.name)")
                podWrites += 1
                pool.submit { [cluster, events] in
                    if let object = try? cluster.patch(write.path, type: write.type, body: write.body, dryRun: false,
                                                       keeping: RolloutProjections.pod) {
                        events.post(.refreshed(object))
                    } else {
                        events.post(.wake)
                    }
                }
            }
            return !members.isEmpty
        }
        if now >= since + settings.gracePeriod + settings.drainCap { return false }
        let listed = members.contains {
            $0.conditionIsTrue(InPlace.gateConditionType) || listings.listsReady(podIP: $0.podIP, podName: $0.name)
        }
        return now < since + settings.gracePeriod || listed
    }

    /// Waits (through a watch, at most the drain cap) until the Deployment counts no more pods than
    /// `replicas`: the ReplicaSet controller removed the surge pods, so the rollout ends with the
    /// original pods alone.
    private func awaitSurgeGone(replicas: Int) {
        let gone = ClusterWaiter(cluster: cluster).wait(
            collection: workload.kind.collectionPath(namespace: workload.namespace), name: workload.name,
            timeout: settings.drainCap) { o in
            (o[path: ["status", "observedGeneration"]]?.int ?? 0) >= (o[path: ["metadata", "generation"]]?.int ?? 0)
                && (o[path: ["status", "replicas"]]?.int ?? Int.max) <= replicas
        }
        if gone == nil {
            observer.handle(.warning(workload.ref, "the surge pod(s) were not removed within \(DurationText.format(settings.drainCap)) of lowering the replicas to \(replicas)"))
        }
    }

    /// Whether a pod is the workload's (its controller is one of the workload's).
    private func ownsPod(_ pod: Pod) -> Bool { plan.owners.isEmpty || plan.owners.contains(pod.controllerUID ?? "") }

    /// Before any original pod leaves service: the surge pods get their gate and deletion cost and
    /// must all be Ready; one that is not within --pod-timeout fails the rollout.
    private func tendSurge(now: Double) {
        guard surge.count > 0, !surge.ready, !stopping else { return }
        for pod in surge.pending(pods: pods, owns: ownsPod, now: now) {
            surge.sent[pod.name] = now
            window.surgeUIDs.insert(pod.uid)
            let write = PodWrites.surgeReady(pod: pod, now: clock.rfc3339)
            podWrites += 1
            pool.submit { [cluster, events] in
                if let object = try? cluster.patch(write.path, type: write.type, body: write.body, dryRun: false,
                                                   keeping: RolloutProjections.pod) {
                    events.post(.refreshed(object))
                } else {
                    events.post(.wake)
                }
            }
        }
        window.surgeUIDs.formUnion(surge.uids)
        if surge.check(pods: pods, owns: ownsPod) {
            observer.handle(.warning(workload.ref, "\(surge.count) surge pod(s) Ready: updating the original pods in place"))
            return
        }
        var failure: (pod: String, reason: String, message: String)?
        if let failing = surge.failing(pods: pods, owns: ownsPod) {
            failure = (failing.pod, "SurgeNotReady", "surge pod \(failing.pod): \(failing.reason) \(failing.message); no original pod was touched")
        } else if now >= surge.since + settings.podTimeout {
            let name = surge.unready(pods: pods, owns: ownsPod).first ?? "surge"
            failure = (name, "SurgeNotReady", "the surge pod(s) did not become Ready within \(DurationText.format(settings.podTimeout)) (--pod-timeout); no original pod was touched")
        }
        if let failure {
            failures.append(failure)
            observer.handle(.podFailed(workload.ref, pod: failure.pod, reason: failure.reason, message: failure.message))
            window.dropPending()
        }
    }

    /// Follows a scale of the workload (see `WorkloadChangeGuard`): pods a scale-up added join the
    /// rollout; after a scale-down, planned pods that are gone no longer count as unavailable.
    private func followScale() {
        guard let scale = changeGuard, scale.scaled else { return }
        guard !stopping, let images = record?.images,
              let joined = changeGuard?.newcomers(in: pods, planned: planNames, images: images), !joined.isEmpty else { return }
        // A scale-up's pods are out of service until their gate is set: they go first, so they do
        // not hold the window's budget behind the Ready pods waiting for it.
        window.enqueue(joined, first: true)
        record?.total += joined.count
    }

    /// A pod in flight that a scale-down removed is no longer waited for. Until the workload shows a
    /// scale-down it is read again once (its watch may lag the pods'), and the pod is decided after;
    /// false when nothing explains the pod's disappearance.
    private func droppedByScaleDown(_ name: String) -> Bool {
        guard changeGuard?.scaledDown == true else { return rereadWorkload(for: name) }
        active[name] = nil
        draining.remove(name)
        window.finish(name)
        observer.handle(.warning(workload.ref, "\(name) was removed by a scale-down of \(workload.ref); no longer waiting for it"))
        return true
    }

    /// Reads the workload again for a pod that is going away (once per pod); false when it already was.
    private func rereadWorkload(for name: String) -> Bool {
        guard changeGuard != nil, rereadFor.insert(name).inserted else { return false }
        let path = workload.ref.path
        pool.submit { [cluster, events] in
            if let object = try? cluster.get(path) { events.post(.workload(object)) } else { events.post(.wake) }
        }
        return true
    }

    /// After a resume, pods this rollout left mid-sequence go first, wherever they are.
    private func addRepairs() {
        guard !repaired else { return }
        repaired = true
        guard resuming != nil else { return }
        let planned = Set(pending.map(\.name))
        var repairs: [PodTarget] = []
        for pod in pods.values.sorted(by: { $0.name < $1.name }) where !planned.contains(pod.name) {
            guard let r = PodUpdateRecord(pod: pod), r.rolloutID == rolloutID else { continue }
            let target = PodTarget(name: pod.name, changes: r.containers.map { ImageChange(container: $0.name, from: $0.from, to: $0.to) },
                                   resources: r.resources, labels: pending.first?.labels ?? [:])
            if PodProgress.step(pod: pod, target: target, rolloutID: rolloutID) != .done {
                repairs.append(target)
                switch plan.pods.first(where: { $0.name == pod.name })?.action {
                case .keep?: repairedKept += 1
                case .hold?: repairedHeld += 1
                default: break
                }
            }
        }
        if !repairs.isEmpty {
            observer.handle(.warning(workload.ref, "repairing \(repairs.count) pod(s) left mid-update: \(repairs.map(\.name).joined(separator: ", "))"))
        }
        window.enqueue(repairs, first: true)
    }

    /// A watch that cannot go on leaves the rollout blind: stop starting pods and fail what is in flight.
    private func watchFailed(_ e: ClusterOperationError) {
        observer.handle(.warning(workload.ref, "lost the watch on the cluster: \(e.message)"))
        for name in activeOrder { fail(name, "WatchFailed", e.message) }
        window.dropPending()
    }

    /// Keeps the newest version of a pod (writes' responses can overtake watch events); the version
    /// already held (a write's answer, then its watch event) changes nothing and moves no pod.
    private func store(_ pod: Pod) {
        let name = pod.name
        let old = pods[name]
        if let old, let a = Int(old.resourceVersion ?? ""), let b = Int(pod.resourceVersion ?? ""), b <= a,
           b < a || old.uid == pod.uid {
            return
        }
        if let b = budgetWatch, b.hasBudgets, old.map({ BudgetWatch.counts(differently: $0, pod) }) ?? true { b.dirty = true }
        pods[name] = pod
        dirty.insert(name)
        window.observe(RolloutWindow.Member(pod, name: name))
    }

    /// The update record the pod in flight carries, read again only when its annotation changed.
    private func recorded(_ pod: Pod, _ a: inout Active) -> PodUpdateRecord? {
        guard let text = pod.annotation(InPlace.podStateAnnotation) else {
            a.recorded = nil
            return nil
        }
        if let known = a.recorded, known.text == text { return known.record }
        let record = PodUpdateRecord(pod: pod)
        a.recorded = (text, record)
        return record
    }

    /// Holds the written pod until the watch shows the version its write made (`object` is the
    /// write's answer, `RolloutProjections.writtenPod`): its next step is read from that version.
    private func awaitVersion(of object: JSONValue) {
        let written = Pod(object)
        guard let version = Int(written.resourceVersion ?? "") else { return }
        if let held = pods[written.name], held.uid == written.uid, let v = Int(held.resourceVersion ?? ""), v >= version { return }
        awaited[written.name] = version
    }

    /// True while the pod's write has not shown up in the watch yet (see `awaitVersion`).
    private func awaitsWatch(_ name: String) -> Bool {
        guard let version = awaited[name] else { return false }
        guard let pod = pods[name] else { return false }  // deleted: the pod is looked at as it is
        if let v = Int(pod.resourceVersion ?? ""), v >= version {
            awaited[name] = nil
            return false
        }
        return true
    }

    private func refresh(_ name: String) {
        let path = "/api/v1/namespaces/\(workload.namespace)/pods/\(name)"
        pool.submit { [cluster, events] in
            if let object = try? cluster.get(path) { events.post(.refreshed(object)) } else { events.post(.wake) }
        }
    }

    private func fail(_ name: String, _ reason: String, _ message: String) {
        active[name] = nil
        draining.remove(name)
        window.finish(name)
        failures.append((name, reason, message))
        observer.handle(.podFailed(workload.ref, pod: name, reason: reason, message: message))
    }

    /// Moves the pod in flight `name` one step on, if its object changed (it is `dirty`) or its timer is due.
    private func advance(_ name: String, now: Double) {
        guard var a = active[name] else { return }
        defer {
            if active[name] != nil {
                active[name] = a
                if a.step == .drain { draining.insert(name) } else if !draining.isEmpty { draining.remove(name) }
            } else if !draining.isEmpty {
                draining.remove(name)
            }
        }
        if a.writing {
            // A write whose effect the watch shows is done, whether or not its answer came (answers
            // that succeed do not wake the loop: the watch event of the same write does).
            guard let pod = pods[name], pod.resourceVersion != a.writtenFrom, let step = a.step,
                  PodProgress.shows(step, pod: pod, target: a.target, rolloutID: rolloutID) else { return }
            Self.finishWrite(step, &a, now: now)
        }
        if awaitsWatch(name) { return }
        if !dirty.contains(name) && (a.wakeAt.map { $0 > now } ?? true) {
            if let w = a.wakeAt { earliestWake = min(earliestWake, w) }
            return
        }
        a.wakeAt = nil
        if let r = a.retryAt {
            if r > now { a.wakeAt = r; earliestWake = min(earliestWake, r); return }
            a.retryAt = nil
        }
        guard let pod = pods[name], !(pod.isTerminating && changeGuard?.scaledDown == true) else {
            active[name] = a
            if !droppedByScaleDown(name) { fail(name, "PodDeleted", "the pod disappeared during its update") }
            return
        }
        if pod.isTerminating { _ = rereadWorkload(for: name) }
        let settled = StatusFreshness.settled(patchedAt: a.patchedAt, now: now)
        var step = PodProgress.step(pod: pod, target: a.target, rolloutID: rolloutID, settled: settled, recorded: recorded(pod, &a))
        // A gated pod records and leaves service in one write.
        let recordAndLeave = step == .record && pod.hasReadinessGate() && !a.target.inService
        if recordAndLeave { step = .gateOff }
        if step != a.step && !(step == .drain && (a.step == .patch || a.step == .resize)) {
            a.step = step
            // The end of a pod's sequence is reported once, by podDone or podFailed.
            if step != .done, !step.isFailure {
                observer.handle(.podStep(workload.ref, pod: name, step: step, elapsed: now - a.startedAt))
            }
        }
        switch step {
        case .gateOff where recordAndLeave:
            a.writing = true
            a.writtenFrom = pod.resourceVersion
            send(PodWrites.recordAndGateOff(pod: pod, target: a.target, rolloutID: rolloutID, now: clock.rfc3339),
                 pod: name, step: .gateOff)
        case .record, .gateOff, .gateOn:
            issue(step, pod: pod, active: &a)
        case .drain:
            if a.gateOffAt == nil { a.gateOffAt = now }
            let graceEnd = a.gateOffAt! + settings.gracePeriod
            let gated = pod.hasReadinessGate()
            let listed = gated && listings.listsReady(podIP: pod.podIP, podName: name)
            let next = PodProgress.writeAfterDrain(pod: pod, target: a.target)
            if now >= graceEnd && !listed {
                a.step = next
                observer.handle(.podStep(workload.ref, pod: name, step: next, elapsed: now - a.startedAt))
                issue(next, pod: pod, active: &a)
            } else if now >= graceEnd + settings.drainCap {
                observer.handle(.warning(workload.ref, "\(name) is still listed as ready by an EndpointSlice \(Int(settings.drainCap))s after leaving service; updating it anyway"))
                a.step = next
                issue(next, pod: pod, active: &a)
            } else {
                a.wakeAt = now < graceEnd ? graceEnd : graceEnd + settings.drainCap
                earliestWake = min(earliestWake, a.wakeAt!)
            }
        case .patch, .resize:
            issue(step, pod: pod, active: &a)
        case .restart, .ready, .resizing:
            if step == .resizing, !a.deferralShown, case .applying(let deferred?) = ResizeProgress.state(pod: pod, changes: a.target.resources) {
                a.deferralShown = true
                observer.handle(.warning(workload.ref, "\(name): the kubelet deferred the resize: \(deferred)"))
            }
            if a.patchedAt == nil { a.patchedAt = now }
            let limit = a.patchedAt! + settings.podTimeout
            if now >= limit {
                active[name] = a
                fail(name, "Timeout", "not ready \(DurationText.format(settings.podTimeout)) after \(a.target.changes.isEmpty ? "its resize" : "its image changed") (--pod-timeout)")
                return
            }
            a.wakeAt = settled ? limit : min(limit, a.patchedAt! + StatusFreshness.settleSeconds)
            earliestWake = min(earliestWake, a.wakeAt!)
        case .done:
            active[name] = nil
            window.finish(name)
            updated += 1
            if handOffs != nil { finishedInPass.append((name, pod.resourceVersion ?? "")) }
            observer.handle(.podDone(workload.ref, pod: name, seconds: now - a.startedAt))
            return
        case .failed(let reason, let message):
            active[name] = a
            fail(name, reason, message)
            return
        }
    }

    /// Advances every pod in flight and starts new ones; returns when to wake up at the latest.
    private func reconcile(now: Double, budget: Int) -> Double {
        inPass = true
        defer { inPass = false }
        startPods(now: now, budget: budget)
        // Only a pod whose object changed, or whose timer is due, can move on: all pods are looked
        // at once a timer is due, otherwise just the changed ones.
        let timerDue = now >= earliestWake
        if timerDue { earliestWake = .infinity }
        var startedNow = false
        for name in podsToAdvance(all: timerDue) {
            let done = updated
            advance(name, now: now)
            // A slot freed: the pod that takes it gets its first write now, not after the rest of
            // the pass (a pass after a burst of events steps a hundred pods).
            if updated != done { startedNow = handOver(now: now, budget: budget) || startedNow }
        }
        flushWrites()
        dirty.removeAll(keepingCapacity: true)
        // Slots freed otherwise (a pod failed or left) are taken in this pass too, not after the
        // next batch of events.
        startedNow = handOver(now: now, budget: budget) || startedNow
        return startedNow ? now : min(now + 5, earliestWake)
    }

    /// Starts the pods the window lets go now and sends their first writes at once; true when any started.
    private func handOver(now: Double, budget: Int) -> Bool {
        let started = startPods(now: now, budget: budget)
        if let handOffs, !finishedInPass.isEmpty {
            if !started.isEmpty { handOffs.handedOff(freed: finishedInPass, started: started) }
            finishedInPass.removeAll()
        }
        for name in started {
            advance(name, now: now)
            dirty.remove(name)
        }
        flushWrites()
        return !started.isEmpty
    }

    /// The pods in flight a pass looks at, in the order they started: every one (`all`), or those
    /// that changed; found from the changed pods when they are few, not by asking for each pod in flight.
    private func podsToAdvance(all: Bool) -> [String] {
        let order = activeOrder
        if all { return order }
        if dirty.count * 4 >= order.count { return order.filter { dirty.contains($0) } }
        var changed: [(name: String, sequence: Int)] = []
        for name in dirty { if let a = active[name] { changed.append((name, a.sequence)) } }
        if changed.count > 1 { changed.sort { $0.sequence < $1.sequence } }
        return changed.map(\.name)
    }

    private func issue(_ step: PodStep, pod: Pod, active a: inout Active) {
        guard let write = PodWrites.write(for: step, pod: pod, target: a.target, rolloutID: rolloutID, now: clock.rfc3339)
        else { return }
        a.writing = true
        a.writtenFrom = pod.resourceVersion
        send(write, pod: pod.name, step: step)
    }

    /// Marks the write of `step` done: its answer came, or the watch showed its effect first.
    private static func finishWrite(_ step: PodStep, _ a: inout Active, now: Double) {
        a.writing = false
        a.attempts = 0
        if step == .gateOff { a.gateOffAt = now }
        if step == .patch || step == .resize { a.patchedAt = now }
    }

    /// Queues one pod write for the pool (`flushWrites` hands the pass's writes over); its result
    /// comes back as an event.
    private func send(_ write: ClusterWrite, pod name: String, step: PodStep) {
        assert(inPass, "a pod write is queued only within reconcile, which hands the pass's writes over")
        podWrites += 1
        let item: WritePool.Write = { [cluster, events] done in
            cluster.patch(write.path, type: write.type, body: write.body, dryRun: false, keeping: RolloutProjections.writtenPod) { result in
                // A success is taken with the watch event of the same write, which wakes the loop.
                if case .success = result {
                    events.postQuietly(.written(pod: name, step: step, result: result))
                } else {
                    events.post(.written(pod: name, step: step, result: result))
                }
                done()
            }
        }
        outbox.append(item)
    }

    /// Hands the writes queued by `send` to the pool at once.
    private func flushWrites() {
        guard !outbox.isEmpty else { return }
        pool.startAll(onThreads: !cluster.writesAsynchronously, outbox)
        outbox.removeAll(keepingCapacity: true)
    }

    /// Starts the pods the window lets go now; their names.
    @discardableResult
    private func startPods(now: Double, budget: Int) -> [String] {
        guard !stopping, !pending.isEmpty, surge.ready else { return [] }
        if let b = budgetWatch, b.dirty || !budgetsListed {
            let budgets = b.budgets(pods: pods.values.filter { ownsPod($0) && !$0.isTerminating }, replicas: liveReplicas)
            budgetsListed = budgets != nil
            guard let budgets else { return [] }
            window.budgets = budgets
        }
        let turn = window.start(now: now)
        for target in turn.skipped {
            observer.handle(.warning(workload.ref, "\(target.name) no longer exists; skipping it"))
        }
        for target in turn.started {
            var a = Active(target: target, startedAt: now)
            a.sequence = startedCount
            startedCount += 1
            active[target.name] = a
            dirty.insert(target.name)
        }
        let held = window.heldBy
        let heldKey = held.map { "\($0.name) \($0.rule) \($0.desiredHealthy)" }
        if let held, heldKey != heldByBudget {
            observer.handle(.warning(workload.ref, "waiting: PodDisruptionBudget \(held.name) (\(held.rule)) holds the window: \(held.desiredHealthy) of its pods must stay healthy"))
        }
        heldByBudget = heldKey
        return turn.started.map(\.name)
    }
}
