import InplaceCore

extension Command {
    /// `undo`: rolls pods back, in place, to the images of the last complete rollout.
    static let undo = Command(
        name: "undo",
        summary: "Roll the pods back, in place, to the images they had before the last rollout",
        description: """
        Roll the pods of a workload back, in place, to the images of the last rollout that completed before
        the latest one (never to an image whose rollout failed), with the same sequence and safety as
        `rollout` (also after a partial, failed or rolled-back rollout). Pods already on those images are
        kept; with nothing to undo it says so and exits 0. `--dry-run` shows the plan.
        """,
        usage: "undo TYPE/NAME [flags]",
        examples: [("Undo the last rollout of a Deployment", "undo deployment/web")],
        flags: RolloutOptions.flags + [RolloutRun.takeOverFlag]
    ) { ctx in
        let options = try RolloutOptions(ctx.args, command: ctx.commandPath)
        let session = try ctx.cluster()
        let recorded = RecordedRollouts(ctx: ctx, session: session)
        let workloads = try recorded.workloads(ctx.args.positionals)
        guard workloads.count == 1, let workload = workloads.first else {
            throw CLIError.usage("undo takes one workload", command: ctx.commandPath)
        }
        guard let record = RolloutRecord(workload: workload.object) else {
            ctx.info("\(workload.ref): nothing to undo: no rollout recorded by \(ctx.programName)")
            return .ok
        }
        let images = record.previousImages.sorted { $0.key < $1.key }.map { (container: $0.key, image: $0.value) }
        let resources = record.resourceChanges
        let list = (images.map { "\($0.container)=\($0.image)" } + resources.map { "\($0.container) \($0.key)=\($0.from)" })
            .joined(separator: ", ")
        guard !images.isEmpty || !resources.isEmpty else {
            ctx.info("\(workload.ref): nothing to undo: the rollout \(record.id) recorded no earlier images or resources")
            return .ok
        }
        let held = record.phase != .complete && RolloutRecord.showsPreparedSettings(workload)
        let pods = try recorded.pods(of: workload).filter { !$0.isTerminating }
        let undone: (Pod) -> Bool = { pod in
            images.allSatisfy { c in pod.containers.first { $0.name == c.container }?.image ?? c.image == c.image }
                && ResizeProgress.state(pod: pod, changes: resources.map(\.reversed)) != .unwritten
        }
        if !held, pods.allSatisfy(undone) {
            ctx.info("\(workload.ref): nothing to undo: every pod already runs \(list), the state of the last complete rollout")
            return .ok
        }
        ctx.info("\(workload.ref): rolling back to \(list) (the last complete state before rollout \(record.id))")
        return try RolloutRun(ctx).execute([DesiredWorkload(ref: workload.ref, source: resources.isEmpty ? .images(images) : .previous(images: images, resources: resources))], options: options,
                                           session: session, resuming: [:])
    }
}
