import InplaceCore
import JSON

extension Command {
    /// `plan`: the read-only preview of what a rollout would do.
    static let plan = Command(
        name: "plan",
        summary: "Preview an in-place rollout: which pods update, in which batch, and what blocks them",
        description: """
        Preview an in-place rollout without changing anything.

        For every pod of the targeted workloads, in the order a rollout would take them, shows whether it
        is updated in place (and in which batch), kept (already up to date), held back by the partition,
        or blocked (a change that cannot be made to a running pod, or the InPlaceUpdateReady readiness
        gate is missing). Live pods are compared with the desired template the way the API server sees
        them: defaulted and injected fields are not differences; labels and annotations are updated in place
        (a change of them alone says "metadata only, no restart"). Max-unavailable and the partition default
        to the workload's own strategy (the manifest's, else the live object's); the plan says where each
        came from. Every reason `rollout` would refuse for is shown: blocked pods, or the workload refused
        (for example a Deployment in the middle of a native rollout); --exit-code then exits 2.
        """,
        usage: "plan (-f FILE... | TYPE/NAME... CONTAINER=IMAGE... | --all [-A] CONTAINER=IMAGE...) [flags]",
        examples: [
            ("Preview the rollout of a manifest", "plan -f app.yaml"),
            ("Preview a new image for one container, two pods at a time", "plan deployment/web app=nginx:1.27 --max-unavailable 2"),
            ("Fail a CI step when pods are not up to date", "plan -f app.yaml --exit-code -q"),
            ("Machine-readable plan", "plan -f k8s/ -R -o json"),
            ("The workloads of every namespace that have a log-agent container", "plan --all -A log-agent=fluent/fluent-bit:3.1"),
        ],
        flags: TargetResolver.flags + TargetResolver.containerSearchFlags + [
            FlagSpec("exit-code", kind: .bool, help: "Exit 1 when pods need updating (0 when up to date), 2 when rollout would refuse, as kubectl diff."),
            FlagSpec("output", short: "o", valueName: "text|json|yaml", default: "text", help: "Output format."),
        ] + RolloutOptions.planFlags
    ) { ctx in
        let options = try RolloutOptions(ctx.args, command: ctx.commandPath, formats: [.text, .json, .yaml])
        let resolver = TargetResolver(ctx)
        let inputs = try resolver.readInputs()
        let session = try ctx.cluster()
        let targets = try resolver.resolve(inputs, session: session)
        let planned = try PlanBuilder(cluster: session.cluster, options: options.plan).plan(targets)
        var plan = Plan(workloads: planned.map(\.plan))
        for (i, p) in planned.enumerated() where p.workload.kind != .pod {
            let decision = RolloutAdmission.forNew(p.workload.ref, record: RolloutRecord(workload: p.workload.object), takeOver: false,
                                                   program: ctx.programName)
            if case .refuse(let message) = decision { plan.workloads[i].refusals.append(message) }
        }

        switch options.output {
        case .text where ctx.global.quiet: break
        case .text: ctx.terminal.out(PlanRenderer.text(plan, style: ctx.outStyle))
        case .json:
            PlanRenderer.writeJSON(plan) { ctx.terminal.out($0) }
            ctx.terminal.out("\n")
        case .yaml: ctx.terminal.out(PlanRenderer.yaml(plan))
        }
        for w in plan.workloads {
            for warning in w.warnings { ctx.warn("\(w.ref): \(warning)") }
        }
        let preflight = RolloutPreflight(cluster: session.cluster, use: .rollout)
        let missing = preflight.missing(planned.filter { $0.plan.count(.update) > 0 }.map(\.workload))
        if !missing.isEmpty { ctx.warn("rollout would stop before its first write: " + preflight.message(missing, program: ctx.programName)) }
        if ctx.args.bool("exit-code") {
            if !RolloutPreconditions.problems(plan.workloads, program: ctx.programName).isEmpty { return .usage }
            return plan.hasUpdates ? .failed : .ok
        }
        return .ok
    }
}
