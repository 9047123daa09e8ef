import InplaceCore

extension Command {
    /// `undo`: rolls pods back, in place, to the images they had before the last rollout.
    static let undo = Command(
        name: "undo",
        summary: "Roll the pods back, in place, to the images they had before the last rollout",
        description: """
        Roll the pods of a workload back to the images recorded before its last rollout, in place, with the
        same sequence and safety as `rollout` (also after a partial or failed rollout). Pods still on the old
        images are kept. `--dry-run` shows the plan.
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
        let record = try recorded.record(of: workload)
        let images = record.previousImages.sorted { $0.key < $1.key }.map { (container: $0.key, image: $0.value) }
        let resources = record.resourceChanges
        guard !images.isEmpty || !resources.isEmpty else {
            throw CLIError.input("\(workload.ref): the rollout \(record.id) recorded no previous images or resources")
        }
        let restored = images.map { "\($0.container)=\($0.image)" } + resources.map { "\($0.container) \($0.key)=\($0.from)" }
        ctx.info("\(workload.ref): rolling back to \(restored.joined(separator: ", ")) (before rollout \(record.id))")
        return try RolloutRun(ctx).execute([DesiredWorkload(ref: workload.ref, source: .previous(images: images, resources: resources))], options: options,
                                           session: session, resuming: [:])
    }
}
