import JSON
import Synchronization

/// Runs a whole `rollout`, `set image`, `resume` or `undo`: admits the workloads, rolls them at once
/// (`concurrency`) within one deadline for the whole command, stops starting pods everywhere when one
/// fails, rolls the failed ones (or all) back when asked, keeps the records
/// and the workload's own settings right across failed, resumed and undone rollouts, and decides
/// the outcome, the exit code and what to do next. The CLI parses, calls and renders.
public struct RolloutInvocation: Sendable {
    /// One workload to roll, with its own options.
    public struct Target: Sendable {
        public var planned: PlanBuilder.Planned
        public var settings: RolloutSettings
        /// The record being continued (`resume`), if any.
        public var resuming: RolloutRecord?

        /// A workload planned towards its desired state, with its options.
        public init(planned: PlanBuilder.Planned, settings: RolloutSettings, resuming: RolloutRecord? = nil) {
            self.planned = planned
            self.settings = settings
            self.resuming = resuming
        }
    }

    /// What one workload's rollout is asked to do.
    public struct Run: Sendable {
        public var workload: Workload
        public var template: JSONValue
        public var plan: WorkloadPlan
        public var settings: RolloutSettings
        public var rolloutID: String
        public var resuming: RolloutRecord?
        /// Set for a rollback: the failure it follows.
        public var rollbackOf: String?
        /// The record on the workload that this new rollout replaces.
        public var supersedes: RolloutRecord?
        /// This workload's own stop control (the invocation's stops reach it; its pause reaches no other).
        public var control = RolloutControl()
        /// What the workloads rolled at once share; nil when the workload is rolled alone.
        public var sharing: RolloutSharing?
    }

    /// Runs one workload's rollout to its end (a `WorkloadRollout`; tests script it).
    public typealias Runner = @Sendable (Run) -> RolloutOutcome
    /// Plans a workload towards a desired state (the rollback's plan).
    public typealias Planner = @Sendable (DesiredWorkload, PlanOptions) throws -> PlanBuilder.Planned

    public let cluster: any ClusterAPI
    public let clock: any RolloutClock
    public let observer: any RolloutObserver
    /// Writes the Kubernetes Events of the rollouts (it is also `observer`, passing every event on).
    public let events: KubeEventRecorder
    public let control: RolloutControl
    /// How commands are named in the next steps (`kubectl inplace`).
    public let program: String
    /// Seconds for the whole invocation, every workload and rollback included (0: no limit).
    public let timeout: Double
    /// Who holds the rollouts this invocation starts.
    public let holder: String
    public var runner: Runner
    public var planner: Planner
    public var newID: @Sendable () -> String
    /// Workloads rolled at once (0: all of them; 1: one after another, in the order given).
    public var concurrency = 0
    /// With `--on-failure rollback`: when one workload fails, every workload of the invocation goes
    /// back, not only the failed ones.
    public var rollbackAll = false
    /// Hears of each pod failure as it happens (to stop the other workloads at once).
    let failures: FailureSignal

    /// An invocation whose workloads run as `WorkloadRollout`s on `cluster`, reporting to `observer`.
    public init(cluster: any ClusterAPI, clock: any RolloutClock = SystemClock(), observer: any RolloutObserver,
                control: RolloutControl = RolloutControl(), holder: String = RolloutHolder.current.description,
                program: String, timeout: Double) {
        let failures = FailureSignal(next: observer)
        let events = KubeEventRecorder(cluster: cluster, clock: clock, holder: holder, next: failures)
        self.failures = failures
        self.cluster = cluster
        self.clock = clock
        self.observer = events
        self.events = events
        self.control = control
        self.program = program
        self.timeout = timeout
        self.holder = holder
        runner = { run in
            WorkloadRollout(cluster: run.sharing?.cluster ?? cluster, workload: run.workload, template: run.template, plan: run.plan,
                            settings: run.settings, rolloutID: run.rolloutID, holder: holder, clock: clock, observer: events,
                            control: run.control, resuming: run.resuming, rollbackOf: run.rollbackOf, supersedes: run.supersedes,
                            sharing: run.sharing).run()
        }
        planner = { try PlanBuilder(cluster: cluster, options: $1).plan($0) }
        newID = { Self.randomID() }
    }

    /// Why the invocation may not start (exit 5, nothing written): a workload another live rollout
    /// holds, or an unfinished one without `takeOver`; nil when every workload may go.
    public func refusal(_ targets: [Target], takeOver: Bool) -> String? {
        for t in targets where t.planned.workload.kind != .pod {
            let ref = t.planned.workload.ref
            let decision = t.resuming.map { RolloutAdmission.forResume(ref, record: $0, program: program) }
                ?? RolloutAdmission.forNew(ref, record: RolloutRecord(workload: t.planned.workload.object), takeOver: takeOver,
                                           program: program)
            if case .refuse(let message) = decision { return message }
        }
        return nil
    }

    /// Why the invocation may not start (exit 2, nothing written): a permission the server says the
    /// caller lacks, or a first write it refuses in a dry run (`RolloutPreflight`); nil when all may go.
    public func preflight(_ targets: [Target]) -> String? {
        let check = RolloutPreflight(cluster: cluster, use: .rollout)
        let resizes = targets.contains { $0.planned.plan.pods.contains { $0.action == .update && !$0.resources.isEmpty } }
        let missing = check.missing(targets.map(\.planned.workload), resizes: resizes)
        if !missing.isEmpty { return check.message(missing, program: program) }
        let refused = check.dryRunFirstWrites(targets, holder: holder, clock: clock)
        guard refused.isEmpty else {
            return "the server refused the first writes in a dry run (dryRun=All); nothing was written:\n  " + refused.joined(separator: "\n  ")
        }
        return nil
    }

    /// Rolls the targets, `concurrency` at a time in the order given, until the deadline passes. A
    /// workload that does not complete keeps the ones not started from starting; one that fails also
    /// stops the running ones from starting new pods (their pods in flight finish, and their records
    /// say they stopped, so `resume` continues them).
    public func run(_ targets: [Target]) -> InvocationResult {
        let start = clock.monotonic
        let deadline = timeout > 0 ? start + timeout : Double.infinity
        let width = concurrency > 0 ? min(concurrency, targets.count) : targets.count
        let sharing = width > 1
            ? RolloutSharing(cluster: cluster, writers: targets.map { 2 * $0.planned.plan.maxUnavailable + 8 }.reduce(0, +), clock: clock)
            : nil
        let board = RolloutBoard(count: targets.count)
        failures.listen { ref in board.failed(ref, message: "stopped: \(ref) failed") }
        InvocationWorkers.run(count: targets.count, width: width) { i in
            let t = targets[i]
            let remaining = deadline - clock.monotonic
            guard remaining > 0, control.stopReason == nil, board.mayStart else {
                board.notStarted(i, deadline: remaining <= 0)
                return
            }
            let workload = t.planned.workload
            var settings = t.settings
            settings.timeout = timeout > 0 ? remaining : 0
            events.register(t.planned, cause: settings.cause)
            let own = control.child()
            board.running(workload.ref, control: own)
            var outcome = runner(Run(
                workload: workload, template: t.planned.desiredTemplate, plan: t.planned.plan, settings: settings,
                rolloutID: t.resuming?.id ?? newID(), resuming: t.resuming, rollbackOf: nil,
                supersedes: t.resuming == nil ? RolloutRecord(workload: workload.object) : nil, control: own, sharing: sharing))
            if outcome.result == .failed { board.failed(workload.ref, message: "stopped: \(workload.ref) failed") }
            if outcome.result == .failed, settings.rollbackOnFailure, control.stopReason == nil {
                let failure = outcome.message ?? "failed"
                outcome.message = failure + rollBack(workload, failure: failure, settings: settings, deadline: deadline, sharing: sharing)
            }
            board.ended(i, ref: workload.ref, outcome: outcome)
        }
        var ended = board.outcomes
        if rollbackAll, control.stopReason == nil, ended.contains(where: { $0?.result == .failed }) {
            let others = ended.indices.filter { ended[$0].map { $0.result != .failed && $0.updated > 0 } ?? false }
            let cause = ended.indices.filter { ended[$0]?.result == .failed }.map { targets[$0].planned.workload.ref.description }
                .joined(separator: ", ")
            let back = Mutex<[Int: String]>([:])
            InvocationWorkers.run(count: others.count, width: width) { n in
                let i = others[n]
                let t = targets[i]
                guard t.settings.rollbackOnFailure else { return }
                let note = rollBack(t.planned.workload, failure: "rolled back with \(cause) (--rollback-all)", settings: t.settings,
                                    deadline: deadline, sharing: sharing)
                back.withLock { $0[i] = note }
            }
            for (i, note) in back.withLock({ $0 }) {
                let before = ended[i]?.message ?? "rolled back with \(cause)"
                ended[i]?.message = before + note
            }
        }
        sharing?.close()
        var entries: [InvocationResult.Entry] = []
        for (i, t) in targets.enumerated() {
            guard let outcome = ended[i] else { continue }
            var entry = InvocationResult.Entry(ref: t.planned.workload.ref, outcome: outcome)
            if outcome.result != .complete { entry.outOfService = podsOutOfService(t.planned.workload, fallback: outcome.failed) }
            entries.append(entry)
        }
        events.finish()
        var result = InvocationResult(entries: entries, notStarted: board.notStartedIndices.map { targets[$0].planned.workload.ref },
                                      deadlineReached: board.deadlineReached, seconds: clock.monotonic - start)
        result.nextSteps = nextSteps(result)
        return result
    }

    /// `--on-failure rollback`: the pods of the failed rollout go back, in place, to the images of the
    /// last rollout that completed, as the record on the workload names them.
    func rollBack(_ workload: Workload, failure: String, settings: RolloutSettings, deadline: Double,
                  sharing: RolloutSharing? = nil) -> String {
        guard workload.kind != .pod else { return "" }
        let failed = (try? cluster.get(workload.ref.path)).flatMap { RolloutRecord(workload: $0) }
        let images = (failed?.previousImages ?? [:]).sorted { $0.key < $1.key }.map { (container: $0.key, image: $0.value) }
        let resources = failed?.resourceChanges ?? []
        let metadata = failed?.restoredMetadata ?? []
        guard !images.isEmpty || !resources.isEmpty || !metadata.isEmpty else {
            recordFailure(workload, "\(failure); nothing to roll back")
            return "; nothing to roll back"
        }
        let list = (images.map { "\($0.container)=\($0.image)" } + resources.map { "\($0.container) \($0.key)=\($0.from)" })
            .joined(separator: ", ")
        observer.handle(.warning(workload.ref, "rolling the updated pods back to \(list)"))
        let remaining = deadline - clock.monotonic
        guard remaining > 0 else {
            recordFailure(workload, "\(failure); no time left to roll back (--timeout)")
            return "; no time left to roll back (--timeout)"
        }
        do {
            var back = settings
            back.plan.partition = .count(0)
            back.rollbackOnFailure = false
            back.timeout = timeout > 0 ? remaining : 0
            let planned = try planner(DesiredWorkload(ref: workload.ref, source: .restoring(images: images, resources: resources, metadata: metadata)), back.plan)
            events.register(planned, cause: "rollback after: \(failure)")
            let outcome = runner(Run(
                workload: planned.workload, template: planned.desiredTemplate, plan: planned.plan, settings: back,
                rolloutID: newID(), resuming: nil, rollbackOf: failure, supersedes: RolloutRecord(workload: planned.workload.object),
                control: control.child(), sharing: sharing))
            let result = outcome.result == .complete
                ? "rolled back \(outcome.updated) pod(s) to \(list)"
                : "rollback \(outcome.result.rawValue): \(outcome.message ?? "")"
            // The failure itself was shown when it happened: it is not repeated here.
            observer.handle(.warning(workload.ref, "\(result) after the failure"))
            if outcome.result == .complete { events.rolledBack(workload.ref, message: "\(result) after the failure (\(failure))") }
            return "; " + result
        } catch {
            recordFailure(workload, "\(failure); rollback failed: \(error)")
            return "; rollback failed: \(error)"
        }
    }

    /// Marks the rollout recorded on a workload failed (when its rollback could not run).
    func recordFailure(_ workload: Workload, _ message: String) {
        guard let object = try? cluster.get(workload.ref.path), var record = RolloutRecord(workload: object) else { return }
        record.phase = .failed
        record.message = message
        record.renewTime = clock.rfc3339
        _ = try? WorkloadConsistency(cluster: cluster, dryRun: false) { _ in }
            .writeRecord(Workload(kind: workload.kind, object: object), record: record, object: object)
    }

    /// Pods of the rollout recorded on the workload that are out of service (gate False) now; when
    /// the cluster cannot be read, the pods the rollout reported failed.
    func podsOutOfService(_ workload: Workload, fallback: [String]) -> [String] {
        func outOfService(_ pod: Pod) -> Bool { pod.condition(InPlace.gateConditionType)?["status"]?.string == "False" }
        do {
            let object = try cluster.get(workload.ref.path)
            if workload.kind == .pod { return outOfService(Pod(object)) ? [workload.name] : [] }
            let id = RolloutRecord(workload: object)?.id
            var names: [String] = []
            try PlanBuilder(cluster: cluster, options: PlanOptions()).forEachPod(of: Workload(kind: workload.kind, object: object)) { pod in
                if outOfService(pod), id == nil || PodUpdateRecord(pod: pod)?.rolloutID == id { names.append(pod.name) }
            }
            return names.sorted()
        } catch {
            return fallback.sorted()
        }
    }

    /// What the user can do next, from how each workload ended.
    func nextSteps(_ result: InvocationResult) -> [String] {
        var steps: [String] = []
        let unfinished = result.entries.filter { [.failed, .timedOut, .paused].contains($0.outcome.result) }
        for e in unfinished {
            let ref = e.ref.description
            let out = e.outOfService.isEmpty ? "" : "; pods left out of service: \(e.outOfService.joined(separator: ", "))"
            switch e.outcome.result {
            case _ where (e.outcome.message ?? "").contains("; rolled back "):
                steps.append("\(ref): the pods are back on the images of the last complete rollout; fix the images, then roll out again\(out)")
            case .failed where e.ref.kind == .pod:
                steps.append("\(ref): fix the cause, then run the rollout again\(out)")
            case .failed:
                steps.append("\(ref): fix the cause (a bad image, a crash, the API server), then continue with `\(program) resume \(ref)`, or return the pods to the last complete images with `\(program) undo \(ref)`\(out)")
            default:
                steps.append("\(ref): continue with `\(program) resume \(ref)`\(out)")
            }
        }
        if !result.notStarted.isEmpty {
            let why = result.deadlineReached ? "the --timeout deadline came first" : "another workload did not complete"
            steps.append("not started (\(why)): \(result.notStarted.map(\.description).joined(separator: ", ")); roll them out once the above is done")
        }
        return steps
    }

    /// A short random rollout id.
    public static func randomID() -> String {
        String((0..<10).map { _ in "bcdfghjklmnpqrstvwxz2456789".randomElement()! })
    }
}
