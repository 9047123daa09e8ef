import InplaceCore
import JSON

extension Command {
    /// `pause`: asks a running rollout to stop after the pods in flight, through its record.
    static let pause = Command(
        name: "pause",
        summary: "Ask a running rollout to stop after the pods in flight",
        description: """
        Mark the rollouts of the named workloads paused in the cluster. The process running a rollout sees
        it within a second, starts no new pod, finishes the pods in flight (each rejoins service) and exits 4.
        `resume` continues from there. Pausing a paused rollout is not an error.
        """,
        usage: "pause TYPE/NAME... [flags]",
        examples: [("Pause the rollout of a Deployment", "pause deployment/web")]
    ) { ctx in
        let session = try ctx.cluster()
        let recorded = RecordedRollouts(ctx: ctx, session: session)
        let by = "paused by \(RolloutHolder.current.description) at \(SystemClock().rfc3339)"
        for workload in try recorded.workloads(ctx.args.positionals) {
            var record = try recorded.record(of: workload)
            switch record.phase {
            case .paused:
                ctx.info("\(workload.ref): already paused (\(record.message))")
                continue
            case .complete, .failed:
                ctx.info("\(workload.ref): the rollout is \(record.phase.rawValue); nothing to pause")
                continue
            case .running:
                break
            }
            guard let expected = workload.object[path: ["metadata", "annotations", InPlace.rolloutAnnotation]]?.string else { continue }
            let live = RolloutHolder.isLive(record)
            record.phase = .paused
            record.message = by
            do {
                _ = try WorkloadConsistency(cluster: session.cluster, dryRun: false) { _ in }
                    .swapRecord(workload, expected: expected, record: record)
            } catch let e as ClusterOperationError where e.kind == .conflict || e.kind == .invalid {
                throw CLIError.exit(.conflict).with(ctx, "\(workload.ref): its rollout record changed while pausing; run pause again")
            }
            ctx.info(live
                ? "\(workload.ref): pause requested; \(record.holder) stops after the pods in flight (continue with `\(ctx.programName) resume \(workload.ref)`)"
                : "\(workload.ref): marked paused (its holder \(record.holder) is gone); continue with `\(ctx.programName) resume \(workload.ref)`")
        }
        return .ok
    }
}

extension CLIError {
    /// Prints `message` as the error and returns this error (which carries only the exit code).
    func with(_ ctx: CommandContext, _ message: String) -> CLIError {
        ctx.terminal.err("\(ctx.errStyle.red("error:")) \(message)\n")
        return self
    }
}
