import InplaceCore

extension Command {
    /// `resume`: continues a paused, failed or interrupted rollout from the state in the cluster.
    static let resume = Command(
        name: "resume",
        summary: "Continue a paused, failed or interrupted rollout from the state in the cluster",
        description: """
        Continue the rollouts recorded on the named workloads, in the foreground, each with the options it was
        started with (flags given here override them, and are recorded). --timeout is this command's own
        (default 10m), never the interrupted one's. The plan is recomputed from the
        live pods; pods left mid-update are repaired first: a pod out of service whose image was not patched
        yet continues from the patch, a patched one is waited for, a finished one rejoins service.
        """,
        usage: "resume TYPE/NAME... [flags]",
        examples: [
            ("Continue after a pause, Ctrl-C or a crashed CI job", "resume deployment/web"),
            ("Continue with a bigger window", "resume statefulset/db --max-unavailable 2"),
        ],
        flags: RolloutOptions.flags
    ) { ctx in
        let given = try RolloutOptions(ctx.args, command: ctx.commandPath)
        let session = try ctx.cluster()
        let recorded = RecordedRollouts(ctx: ctx, session: session)
        var targets: [DesiredWorkload] = []
        var records: [WorkloadRef: RolloutRecord] = [:]
        var options: [WorkloadRef: RolloutOptions] = [:]
        for workload in try recorded.workloads(ctx.args.positionals) {
            guard workload.kind != .pod else {
                throw CLIError.usage("\(workload.ref): resume works on Deployments, StatefulSets and DaemonSets; run the rollout of a bare pod again", command: ctx.commandPath)
            }
            let record = try recorded.record(of: workload)
            if record.phase == .complete {
                ctx.info("\(workload.ref): the rollout \(record.id) is complete; nothing to resume")
                continue
            }
            records[workload.ref] = record
            targets.append(DesiredWorkload(ref: workload.ref, source: .liveTemplate))
            options[workload.ref] = RolloutOptions.recorded(record.options).overridden(by: given, args: ctx.args)
        }
        guard !targets.isEmpty else { return .ok }
        return try RolloutRun(ctx).execute(targets, options: given, session: session, resuming: records,
                                           optionsFor: { options[$0] ?? given })
    }
}
