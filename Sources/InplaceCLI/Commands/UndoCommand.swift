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
        kept; with nothing to undo it says so and exits 0. `--dry-run` shows the plan. `--to-revision N`
        restores the images (and the labels and annotations) of revision N of `history` instead (only a revision whose
        rollout completed).
        """,
        usage: "undo (TYPE/NAME | -l SELECTOR) [flags]",
        examples: [
            ("Undo the last rollout of a Deployment", "undo deployment/web"),
            ("Return to revision 2 of `history`", "undo deployment/web --to-revision 2"),
        ],
        flags: [TargetResolver.selectorFlag] + RolloutOptions.flags + [RolloutRun.takeOverFlag, toRevisionFlag]
    ) { ctx in
        var options = try RolloutOptions(ctx.args, command: ctx.commandPath)
        let selector = try TargetResolver(ctx).selector()
        if selector != nil && !ctx.args.positionals.isEmpty {
            throw CLIError.usage("name cannot be provided when a selector is specified", command: ctx.commandPath)
        }
        let session = try ctx.cluster()
        let recorded = RecordedRollouts(ctx: ctx, session: session)
        let workloads = selector == nil ? try recorded.workloads(ctx.args.positionals) : try recorded.allRecorded(selector: selector)
        guard workloads.count == 1, let workload = workloads.first else {
            let found = selector == nil ? "" : ": -l matches \(workloads.isEmpty ? "no workload with a recorded rollout" : workloads.map(\.ref.description).joined(separator: ", "))"
            throw CLIError.usage("undo takes one workload\(found)", command: ctx.commandPath)
        }
        if let text = ctx.args.value("to-revision"), text != "0" {
            guard let revision = Int(text), revision > 0 else {
                throw CLIError.usage("invalid argument \"\(text)\" for \"--to-revision\": use a revision number from `\(ctx.programName) history`",
                                     command: ctx.commandPath)
            }
            let entry: RolloutHistory.Entry
            switch RolloutHistory(workload: workload.object).restorable(revision: revision) {
            case .success(let e): entry = e
            case .failure(let e): throw CLIError.input("\(workload.ref): \(e) (see `\(ctx.programName) history \(workload.ref)`)")
            }
            let images = entry.images.sorted { $0.key < $1.key }.map { (container: $0.key, image: $0.value) }
            let metadata = entry.restoredMetadata
            if options.cause.isEmpty { options.cause = "undo to revision \(revision)" }
            let list = images.map { "\($0.container)=\($0.image)" } + metadata.map { "\($0.field.singular) \($0.key)=\($0.to ?? "(none)")" }
            ctx.info("\(workload.ref): rolling back to revision \(revision): \(list.joined(separator: ", "))")
            return try RolloutRun(ctx).execute([DesiredWorkload(ref: workload.ref, source: .restoring(images: images, resources: [], metadata: metadata))],
                                               options: options, session: session, resuming: [:])
        }
        guard let record = RolloutRecord(workload: workload.object) else {
            ctx.info("\(workload.ref): nothing to undo: no rollout recorded by \(ctx.programName)")
            return .ok
        }
        let images = record.previousImages.sorted { $0.key < $1.key }.map { (container: $0.key, image: $0.value) }
        let resources = record.resourceChanges
        let metadata = record.restoredMetadata
        let list = (images.map { "\($0.container)=\($0.image)" } + resources.map { "\($0.container) \($0.key)=\($0.from)" }
            + metadata.map { "\($0.field.singular) \($0.key)=\($0.to ?? "(none)")" })
            .joined(separator: ", ")
        guard !images.isEmpty || !resources.isEmpty || !metadata.isEmpty else {
            ctx.info("\(workload.ref): nothing to undo: the rollout \(record.id) recorded no earlier images or resources")
            return .ok
        }
        let held = record.phase != .complete && RolloutRecord.showsPreparedSettings(workload)
        let pods = try recorded.pods(of: workload).filter { !$0.isTerminating }
        let undone: (Pod) -> Bool = { pod in
            images.allSatisfy { c in pod.containers.first { $0.name == c.container }?.image ?? c.image == c.image }
                && ResizeProgress.state(pod: pod, changes: resources.map(\.reversed)) != .unwritten
                && metadata.allSatisfy { $0.isMade(on: pod) }
        }
        if !held, pods.allSatisfy(undone) {
            ctx.info("\(workload.ref): nothing to undo: every pod already runs \(list), the state of the last complete rollout")
            return .ok
        }
        ctx.info("\(workload.ref): rolling back to \(list) (the last complete state before rollout \(record.id))")
        return try RolloutRun(ctx).execute([DesiredWorkload(ref: workload.ref, source: .restoring(images: images, resources: resources, metadata: metadata))], options: options,
                                           session: session, resuming: [:])
    }
}

extension Command {
    /// `undo --to-revision N`: a revision of `history` instead of the last complete state.
    static let toRevisionFlag = FlagSpec("to-revision", valueName: "N", default: "0",
        zeroMeans: "the last complete state before the latest rollout",
        help: "Restore the images of this revision of `history` (only a revision whose rollout completed).")
}
