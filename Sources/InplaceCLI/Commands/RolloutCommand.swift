import Foundation
import InplaceCore
import JSON

extension Command {
    /// `rollout`: runs the in-place rollout of manifests or images to completion.
    static let rollout = Command(
        name: "rollout",
        summary: "Roll the pods of workloads to a manifest (or new images) in place, with no traffic lost",
        description: """
        Update the pods of the targeted workloads in place, in the foreground, printing progress.

        Each pod leaves service first (condition InPlaceUpdateReady=False through its readiness gate), waits
        the grace period and until no EndpointSlice lists it as ready, gets only its container images
        changed, is watched until the kubelet has restarted those containers on the new images and they
        are ready, then rejoins. Pods are updated in a sliding window of --max-unavailable. The workload is
        left consistent so its own controller never replaces the updated pods. Nothing is written when a
        pod would be blocked or lacks the readiness gate.

        Container cpu and memory requests and limits change through pods/resize where the server and the
        pod's kubelet are 1.33 or later; a resize whose resizePolicy is NotRequired keeps the pod in service
        and outside --max-unavailable, one that restarts a container leaves service as above.
        """,
        usage: "rollout (-f FILE... | TYPE/NAME... CONTAINER=IMAGE...) [flags]",
        examples: [
            ("Roll out a manifest, two pods at a time", "rollout -f app.yaml --max-unavailable 2"),
            ("Roll out a StatefulSet's highest ordinals only, keeping 0 and 1", "rollout -f db.yaml --partition 2"),
            ("Preview the writes without making them", "rollout -f app.yaml --dry-run=client"),
            ("CI: JSON events on stdout", "rollout -f app.yaml -o json"),
        ],
        flags: TargetResolver.flags + RolloutOptions.flags + [RolloutRun.takeOverFlag]
    ) { ctx in
        try RolloutRun(ctx).run()
    }

    /// `set image`: `rollout` with new images for the named workloads.
    static let setImage = Command(
        name: "set image",
        summary: "Set new container images on workloads and roll them out in place",
        description: """
        Set new images on the named workloads and roll their pods to them in place, exactly as `rollout` does.
        `*=IMAGE` sets every container of spec.containers. A container may also be a native sidecar
        (an init container with restartPolicy: Always): its pods are updated in place where their node's
        kubelet restarts a running sidecar whose image changed (1.32 or later) and blocked elsewhere. A
        classic init container never runs again on a live pod, so changing it is blocked.

        With --all, every workload of the namespace (-A: of every namespace) that has a container named
        in the pairs is updated, and only that container: the way to roll a log agent or proxy out
        across an application. --dry-run=client (or `plan --all`) lists the workloads found.
        """,
        usage: "set image (TYPE/NAME... | -l SELECTOR | --all [-A]) CONTAINER=IMAGE... [flags]",
        examples: [
            ("Update the app container of a Deployment", "set image deployment/web app=nginx:1.27"),
            ("Every container of a DaemonSet", "set image ds/agent '*=registry.example.com/agent:2.1'"),
            ("Two Deployments at once", "set image deploy/api deploy/web app=registry.example.com/shop:2.0"),
            ("The workloads of an application, by label", "set image -l app.kubernetes.io/part-of=shop app=registry.example.com/shop:2.0"),
            ("A log agent in every workload of every namespace that has it", "set image --all -A log-agent=fluent/fluent-bit:3.1"),
        ],
        flags: [TargetResolver.selectorFlag] + TargetResolver.containerSearchFlags + RolloutOptions.flags + [RolloutRun.takeOverFlag]
    ) { ctx in
        try RolloutRun(ctx).run()
    }
}

/// The shared body of `rollout`, `set image`, `resume` and `undo`: parses, plans, checks, hands the
/// workloads to the core's `RolloutInvocation` and renders its result.
struct RolloutRun {
    let ctx: CommandContext

    init(_ ctx: CommandContext) { self.ctx = ctx }

    /// Flags of commands that start rollouts, beyond the rollout flags.
    static let takeOverFlag = FlagSpec("take-over", kind: .bool,
        help: "Replace an unfinished rollout whose holder stopped renewing (never a live one).")

    /// `rollout` / `set image`: targets from -f or TYPE/NAME C=IMG.
    func run() throws -> ExitCode {
        let options = try RolloutOptions(ctx.args, command: ctx.commandPath)
        let resolver = TargetResolver(ctx)
        let inputs = try resolver.readInputs()
        let session = try ctx.cluster()
        let targets = try resolver.resolve(inputs, session: session)
        return try execute(targets, options: options, session: session, resuming: [:])
    }

    /// Plans, checks and runs `targets` through the core's `RolloutInvocation`, then renders the
    /// result. `resuming` maps workloads to the records being continued; `optionsFor` gives each
    /// workload its own options (a resumed record's), `options` the invocation's (`--timeout`, output).
    func execute(_ targets: [DesiredWorkload], options: RolloutOptions, session: ClusterSession,
                 resuming: [WorkloadRef: RolloutRecord],
                 optionsFor: (WorkloadRef) -> RolloutOptions = { _ in RolloutOptions() }) throws -> ExitCode {
        func own(_ ref: WorkloadRef) -> RolloutOptions { resuming[ref] == nil ? options : optionsFor(ref) }
        let planned = try targets.map { try PlanBuilder(cluster: session.cluster, options: own($0.ref).plan).plan($0) }
        let reporter = RolloutReporter(
            terminal: ctx.terminal, style: ctx.errStyle,
            mode: .decide(json: options.output == .json, stderrIsTTY: ctx.terminal.stderrIsTTY, environment: ctx.environment),
            quiet: ctx.global.quiet)
        let control = RolloutControl()
        var invocation = RolloutInvocation(cluster: session.cluster, observer: reporter, control: control,
                                           program: ctx.programName, timeout: options.timeout)
        invocation.concurrency = options.concurrency
        invocation.rollbackAll = options.rollbackAll
        let causes = Dictionary(targets.compactMap { t in Self.changeCause(t).map { (t.ref, $0) } }, uniquingKeysWith: { a, _ in a })
        let work = planned.map {
            var settings = own($0.workload.ref).settings
            if settings.cause.isEmpty, let cause = causes[$0.workload.ref] { settings.cause = cause }
            return RolloutInvocation.Target(planned: $0, settings: settings, resuming: resuming[$0.workload.ref])
        }
        if options.dryRun == .none, let message = invocation.refusal(work, takeOver: ctx.args.bool("take-over")) {
            throw CLIError.conflict(message)
        }
        try Self.check(planned, options: options, program: ctx.programName)
        if options.dryRun == .none, let message = invocation.preflight(work) {
            ctx.terminal.err("\(ctx.errStyle.red("error:")) \(message)\n")
            return .usage
        }

        switch options.dryRun {
        case .client: return dryRunClient(planned, options: options)
        case .server: return dryRunServer(planned, session: session)
        case .none: break
        }
        let program = ctx.programName
        let refs = planned.map { $0.workload.ref.description }.joined(separator: " ")
        let signals = SignalWatcher(control: control) { [terminal = ctx.terminal] in
            terminal.err("\ninterrupted again: exiting now; `\(program) resume \(refs)` repairs the pods in flight\n")
        }
        defer { signals.stop() }
        session.setDeadline(options.timeout > 0 ? options.timeout : nil)
        let result = invocation.run(work)
        let code = ExitCode(rawValue: result.exitCode) ?? .failed
        summarize(result, code: code, session: session, reporter: reporter, json: options.output == .json)
        for step in result.nextSteps { ctx.info(step) }
        return code
    }

    /// Refuses, before any write, what the rollout cannot do safely (what `plan` shows as refused).
    static func check(_ planned: [PlanBuilder.Planned], options: RolloutOptions, program: String) throws {
        let problems = RolloutPreconditions.problems(planned.map(\.plan), program: program)
        guard problems.isEmpty else {
            let shown = problems.prefix(10).joined(separator: "\n  ")
            let more = problems.count > 10 ? "\n  … and \(problems.count - 10) more" : ""
            throw CLIError.input("nothing was changed:\n  \(shown)\(more)")
        }
    }

    func dryRunClient(_ planned: [PlanBuilder.Planned], options: RolloutOptions) -> ExitCode {
        let plan = Plan(workloads: planned.map(\.plan))
        if options.output == .json {
            var o = PlanRenderer.json(plan)
            o["dryRun"] = "client"
            ctx.terminal.out(o.serialized() + "\n")
            return .ok
        }
        ctx.terminal.out(PlanRenderer.text(plan, style: ctx.outStyle))
        for p in planned where p.plan.count(.update) > 0 {
            ctx.terminal.out("\n" + WriteDescription.describe(p, options: options))
        }
        ctx.terminal.out("\n(dry run: nothing was written)\n")
        return .ok
    }

    func dryRunServer(_ planned: [PlanBuilder.Planned], session: ClusterSession) -> ExitCode {
        var refused = false
        for p in planned where p.plan.count(.update) > 0 {
            let run = WorkloadRollout(cluster: session.cluster, workload: p.workload, template: p.desiredTemplate, plan: p.plan,
                                      settings: RolloutSettings(), rolloutID: Self.newID(), holder: RolloutHolder.current.description,
                                      observer: NullObserver())
            let lines = ServerDryRun(cluster: session.cluster).run(workload: p.workload, template: p.desiredTemplate, plan: p.plan,
                                                                     record: run.initialRecord(), now: SystemClock().rfc3339)
            ctx.terminal.out("\(p.workload.ref) (server dry run):\n")
            for l in lines {
                ctx.terminal.out("  \(l.error == nil ? "accepted" : "REFUSED ")  \(l.summary)\(l.error.map { ": \($0)" } ?? "")\n")
                if l.error != nil { refused = true }
            }
        }
        ctx.terminal.out("(server dry run: every write was sent with dryRun=All; nothing was stored)\n")
        return refused ? .usage : .ok
    }

    func summarize(_ result: InvocationResult, code: ExitCode, session: ClusterSession, reporter: RolloutReporter, json: Bool) {
        let outcomes = result.entries.map(\.outcome)
        let updated = outcomes.map(\.updated).reduce(0, +)
        let kept = outcomes.map(\.kept).reduce(0, +)
        let held = outcomes.map(\.held).reduce(0, +)
        let failed = outcomes.flatMap(\.failed)
        let requests = session.requestCounts()
        let total = requests.values.reduce(0, +)
        if json {
            var o = JSONObject()
            o["time"] = .string(SystemClock().rfc3339Millis)
            o["type"] = "summary"
            o["exitCode"] = .int(Int(code.rawValue))
            o["updated"] = .int(updated); o["kept"] = .int(kept); o["held"] = .int(held)
            o["failed"] = .array(failed.map { .string($0) })
            o["recreated"] = .int(outcomes.map(\.recreated).reduce(0, +))
            let surged = outcomes.map(\.surged).reduce(0, +)
            if surged > 0 { o["surged"] = .int(surged) }
            o["podWrites"] = .int(outcomes.map(\.podWrites).reduce(0, +))
            o["seconds"] = .double((result.seconds * 1000).rounded() / 1000)
            o["requests"] = .object(JSONObject(requests.sorted { $0.key < $1.key }.map { ($0.key, .int($0.value)) }))
            let out = result.entries.flatMap(\.outOfService)
            if !out.isEmpty { o["outOfService"] = .array(out.map { .string($0) }) }
            if !result.notStarted.isEmpty { o["notStarted"] = .array(result.notStarted.map { .string($0.description) }) }
            ctx.terminal.out(JSONValue.object(o).serialized() + "\n")
            return
        }
        let breakdown = requests.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        let surged = outcomes.map(\.surged).reduce(0, +)
        let surgedText = surged > 0 ? ", \(surged) surged" : ""
        reporter.note("\(updated) pod(s) updated in place, \(kept) up to date, \(held) held, \(failed.count) failed, \(outcomes.map(\.recreated).reduce(0, +)) recreated\(surgedText) in \(DurationText.format(result.seconds)); \(total) requests (\(breakdown))")
    }

    static func newID() -> String { RolloutInvocation.randomID() }

    /// The manifest's `kubernetes.io/change-cause` annotation, as `kubectl rollout history` shows it.
    static func changeCause(_ target: DesiredWorkload) -> String? {
        guard case .manifest(let object, _) = target.source,
              let cause = object[path: ["metadata", "annotations", "kubernetes.io/change-cause"]]?.string, !cause.isEmpty else { return nil }
        return cause
    }

}

/// Discards rollout events.
struct NullObserver: RolloutObserver {
    func handle(_ event: RolloutEvent) {}
}
