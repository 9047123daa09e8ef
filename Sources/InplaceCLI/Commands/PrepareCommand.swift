import Foundation
import InplaceCore
import JSON

extension Command {
    /// `prepare`: adds the readiness gate to workloads' pod templates and keeps the new pods' gates
    /// while their own controllers roll the change out.
    static let prepare = Command(
        name: "prepare",
        summary: "Add the InPlaceUpdateReady readiness gate to workloads (a one-time rollout by their controller)",
        description: """
        Add the readiness gate InPlaceUpdateReady to the pod templates of the named workloads, so that their
        pods can leave service before an in-place update restarts a container.

        A readiness gate can only be given to a pod when it is created, so the workload's own controller
        replaces its pods once (a normal rolling update, following its strategy); a StatefulSet or DaemonSet
        with updateStrategy OnDelete replaces nothing, and its pods get the gate when they are recreated.
        A pod whose spec names the gate is not Ready until the condition InPlaceUpdateReady is True: this
        command stays in the foreground as the gate keeper for the workload, setting it on each new pod,
        and follows the rollout like `kubectl rollout status` until every pod has the gate and is Ready.
        With --wait=false it returns after the template change, and a gate keeper (`controller`) must run.

        Workloads that already have the gate are left unchanged ("already prepared"). Bare pods cannot
        be prepared: the API server does not let a live pod's readiness gates change.
        """,
        usage: "prepare (TYPE/NAME... | -f FILE...) [flags]",
        examples: [
            ("Prepare a Deployment and wait until its pods are replaced and Ready", "prepare deployment/web"),
            ("Prepare every workload of a manifest", "prepare -f app.yaml"),
            ("Show the template change without making it", "prepare sts/db --dry-run=client"),
            ("Change the templates and leave the new pods to the in-cluster controller", "prepare -f k8s/ -R --wait=false"),
        ],
        flags: TargetResolver.flags.map { flag in
            var f = flag
            if f.name == "filename" { f.help = "A manifest file, a directory of them, or - for stdin, naming the workloads to prepare." }
            return f
        } + PrepareOptions.flags
    ) { ctx in
        try PrepareRun(ctx).run()
    }
}

/// The body of `prepare`: checks every target before writing, explains, changes the templates,
/// then keeps the gates and follows the native rollouts.
struct PrepareRun {
    let ctx: CommandContext

    init(_ ctx: CommandContext) { self.ctx = ctx }

    /// How to run a gate keeper, for messages.
    var gateKeeperHint: String {
        "run `\(ctx.programName) controller` (in the cluster: `\(ctx.programName) controller --print-manifest | kubectl apply -f -`)"
    }

    func run() throws -> ExitCode {
        let options = try PrepareOptions(ctx.args, command: ctx.commandPath)
        let resolver = TargetResolver(ctx)
        let inputs = try resolver.readInputs(images: false)
        let session = try ctx.cluster()
        let unique = try resolver.resolveRefs(inputs, session: session)

        let cluster = session.cluster
        let workloads = try unique.map { try cluster.workload($0) }
        let decisions = workloads.map(GatePreparation.decide)
        try check(workloads, decisions)

        for (w, d) in zip(workloads, decisions) { explain(w, d, options: options) }
        switch options.dryRun {
        case .client: return dryRunClient(workloads, decisions)
        case .server: return dryRunServer(workloads, decisions, cluster: cluster)
        case .none: break
        }
        let writes = decisions.compactMap { d -> ClusterWrite? in if case .prepare(let change, _) = d { return change } else { return nil } }
        if !writes.isEmpty {
            let preflight = RolloutPreflight(cluster: cluster, use: .prepare)
            let missing = preflight.missing(workloads)
            if !missing.isEmpty { throw CLIError.exit(.usage).with(ctx, preflight.message(missing, program: ctx.programName)) }
            let refused = preflight.dryRun(writes)
            if !refused.isEmpty {
                throw CLIError.exit(.usage).with(ctx, "the server refused the template change in a dry run (dryRun=All); nothing was written:\n  "
                                                 + refused.joined(separator: "\n  "))
            }
        }

        let followed = workloads.filter { GatePreparation.replacement($0) == .rolling }
        let follower = options.wait && !followed.isEmpty
            ? NativeRolloutFollower(cluster: cluster, workloads: followed,
                                    writer: "kubectl-inplace prepare (\(RolloutHolder.current.description))")
            : nil
        follower?.start()
        defer { follower?.stop() }

        var wrote = false
        for (w, d) in zip(workloads, decisions) {
            guard case .prepare = d else { continue }
            try write(w, cluster: cluster)
            wrote = true
            ctx.info("\(w.ref): pod template updated")
        }
        guard let follower else {
            if !options.wait && decisions.contains(where: { if case .prepare(_, .rolling) = $0 { return true } else { return false } }) {
                ctx.info("not waiting (--wait=false): the workloads' controllers now replace their pods, and each new pod stays NotReady until a gate keeper sets \(InPlace.gateConditionType)=True; \(gateKeeperHint)")
            }
            return .ok
        }
        return follow(follower, timeout: options.timeout, wrote: wrote)
    }

    /// Refuses, before any write, what prepare cannot do.
    func check(_ workloads: [Workload], _ decisions: [GatePreparation]) throws {
        var problems: [String] = []
        var busy: [String] = []
        for (w, d) in zip(workloads, decisions) {
            switch d {
            case .barePod:
                problems.append("\(w.ref): readiness gates cannot be added to a live pod (a pod's spec.readinessGates is fixed at creation); add readinessGates: [{conditionType: \(InPlace.gateConditionType)}] to its manifest and recreate it, or run it under a Deployment")
            case .prepare where w.kind == .deployment && w.isPaused:
                problems.append("\(w.ref) is paused, so its controller would not roll out the new template; resume it first (kubectl rollout resume \(w.ref))")
            default:
                break
            }
            if case .prepare = d, let record = RolloutRecord(workload: w.object), record.phase != .complete {
                busy.append("\(w.ref) has an unfinished in-place rollout (\(record.phase.rawValue), by \(record.holder)); finish it first (`\(ctx.programName) resume \(w.ref)` or `\(ctx.programName) undo \(w.ref)`)")
            }
        }
        if !busy.isEmpty {
            throw CLIError.exit(.conflict).with(ctx, "nothing was changed:\n  " + busy.joined(separator: "\n  "))
        }
        if !problems.isEmpty {
            throw CLIError.input("nothing was changed:\n  " + problems.joined(separator: "\n  "))
        }
    }

    /// Says, before anything is written, what the change will make the workload's controller do.
    func explain(_ w: Workload, _ d: GatePreparation, options: PrepareOptions) {
        let pods = w.kind == .daemonSet ? (w.object[path: ["status", "desiredNumberScheduled"]]?.int ?? 0) : (w.replicas ?? 0)
        let kindName = w.kind.rawValue
        switch d {
        case .barePod:
            return
        case .alreadyPrepared:
            ctx.info("\(w.ref): already prepared (its pod template has the readiness gate \(InPlace.gateConditionType))")
        case .prepare(_, .rolling):
            var text = "\(w.ref): adding the readiness gate \(InPlace.gateConditionType) to its pod template. A pod gets readiness gates only when it is created, so the \(kindName)'s own controller will now replace its \(pods) pod(s) once, following its rolling update strategy (\(w.kind == .statefulSet ? "one at a time, highest ordinal first: same names, new IPs" : "new pods with new names and IPs")); later rollouts with \(ctx.programName) update them in place."
            if options.wait && options.dryRun == .none {
                text += " Until it is done, this command keeps each new pod's \(gateTrue) (without it the pods would stay NotReady)."
            }
            ctx.info(text)
        case .prepare(_, .onDelete):
            ctx.info("\(w.ref): adding the readiness gate \(InPlace.gateConditionType) to its pod template. Its updateStrategy is OnDelete, so its controller replaces no pod: the \(pods) running pod(s) keep running without the gate and get it only when they are recreated (delete them one at a time when it suits you). A recreated pod stays NotReady until a gate keeper sets \(InPlace.gateConditionType)=True: \(gateKeeperHint).")
        }
    }

    /// `condition InPlaceUpdateReady=True`, for messages.
    var gateTrue: String { "condition \(InPlace.gateConditionType)=True" }

    /// The template change, conditional on the version read; a conflict re-reads and decides again.
    func write(_ w: Workload, cluster: any ClusterAPI) throws {
        var current = w
        for _ in 0..<3 {
            guard case .prepare(let change, _) = GatePreparation.decide(current) else { return }
            do {
                _ = try cluster.patch(change.path, type: change.type, body: change.body, dryRun: false)
                return
            } catch let e as ClusterOperationError where e.kind == .conflict {
                current = try cluster.workload(w.ref)
            }
        }
        throw CLIError.exit(.conflict).with(ctx, "\(w.ref) kept changing while its template was being updated; run prepare again")
    }

    func dryRunClient(_ workloads: [Workload], _ decisions: [GatePreparation]) -> ExitCode {
        for (w, d) in zip(workloads, decisions) {
            guard case .prepare(let change, _) = d else { continue }
            ctx.terminal.out("\(w.ref): PATCH \(change.path) (\(change.type.rawValue))\n\(change.body.serialized())\n")
        }
        ctx.terminal.out("(dry run: nothing was written)\n")
        return .ok
    }

    func dryRunServer(_ workloads: [Workload], _ decisions: [GatePreparation], cluster: any ClusterAPI) -> ExitCode {
        var refused = false
        for (w, d) in zip(workloads, decisions) {
            guard case .prepare(let change, _) = d else { continue }
            do {
                _ = try cluster.patch(change.path, type: change.type, body: change.body, dryRun: true)
                ctx.terminal.out("\(w.ref) (server dry run): accepted  \(change.summary)\n")
            } catch {
                refused = true
                ctx.terminal.out("\(w.ref) (server dry run): REFUSED  \(change.summary): \(error)\n")
            }
        }
        ctx.terminal.out("(server dry run: every write was sent with dryRun=All; nothing was stored)\n")
        return refused ? .usage : .ok
    }

    /// Keeps the gates and follows the native rollouts to the end; `wrote` says whether a template changed.
    func follow(_ follower: NativeRolloutFollower, timeout: Double, wrote: Bool) -> ExitCode {
        let program = ctx.programName
        let refs = follower.workloads.map(\.ref.description).joined(separator: " ")
        let queue = follower.queue
        let signals = StopSignal(secondExit: .paused, onFirst: { queue.post(.stop) })
        defer { signals.stop() }
        var marked = 0
        let outcome = follower.follow(timeout: timeout, progress: { ctx.info($0) }, marked: {
            marked += 1
            ctx.info("pod \($0): \(gateTrue) (new pod)")
        })
        switch outcome {
        case .done:
            guard wrote || marked > 0 else { return .ok }
            ctx.info("prepared: every pod of \(refs) has the readiness gate \(InPlace.gateConditionType) and is Ready. Pods created from now on (scale-ups, replacements) need a gate keeper to become Ready: \(gateKeeperHint)")
            return .ok
        case .failed(let why):
            ctx.terminal.err("\(ctx.errStyle.red("error:")) \(why)\n")
            return .failed
        case .timedOut:
            ctx.terminal.err("\(ctx.errStyle.red("error:")) timed out after \(DurationText.format(timeout)) waiting for \(refs) to roll out; their controllers go on, and new pods stay NotReady without a gate keeper: run `\(program) prepare \(refs)` again, or \(gateKeeperHint)\n")
            return .timeout
        case .interrupted:
            ctx.info("interrupted (\(signals.name)): stopped keeping the gates of \(refs); their controllers go on, and new pods stay NotReady without a gate keeper: run `\(program) prepare \(refs)` again, or \(gateKeeperHint)")
            return .paused
        }
    }
}
