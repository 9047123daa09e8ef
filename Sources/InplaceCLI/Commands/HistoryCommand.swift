import InplaceCore
import JSON
import YAML

extension Command {
    /// `history`: the last in-place rollouts recorded on a workload, as `kubectl rollout history`.
    static let history = Command(
        name: "history",
        summary: "List the last in-place rollouts of a workload (revision, images, phase, who, cause)",
        description: """
        List the last in-place rollouts recorded on a workload (annotation inplace.kubectl.io/history), oldest
        first: revision, phase (running, paused, failed, complete, rolled back), images, when it started and
        ended, who ran it, and its change cause (--cause, or the manifest's kubernetes.io/change-cause
        annotation). The workload keeps the last \(RolloutHistory.defaultLimit) revisions, and always the last complete
        one, which `undo` returns to; `undo --to-revision N` restores the images (and the labels and annotations) of a
        complete revision.
        """,
        usage: "history TYPE/NAME [-o text|json|yaml] [flags]",
        examples: [
            ("The rollouts of a Deployment", "history deployment/web"),
            ("Go back to revision 2", "undo deployment/web --to-revision 2"),
        ],
        flags: [
            FlagSpec("output", short: "o", valueName: "text|json|yaml", default: "text", help: "Output format."),
        ]
    ) { ctx in
        let format = ctx.args.value("output") ?? "text"
        guard let output = OutputFormat(rawValue: format) else {
            throw CLIError.usage("invalid argument \"\(format)\" for \"-o, --output\": must be text, json or yaml", command: ctx.commandPath)
        }
        let session = try ctx.cluster()
        let workloads = try RecordedRollouts(ctx: ctx, session: session).workloads(ctx.args.positionals)
        guard workloads.count == 1, let workload = workloads.first else {
            throw CLIError.usage("history takes one workload", command: ctx.commandPath)
        }
        let kept = RolloutHistory(workload: workload.object)
        let history = RolloutRecord(workload: workload.object).map { kept.recording($0) } ?? kept
        switch output {
        case .json: ctx.terminal.out(HistoryRendering.document(workload, history).serialized(indent: 2) + "\n")
        case .yaml: ctx.terminal.out(YAML.emit(HistoryRendering.document(workload, history)))
        case .text:
            guard !history.entries.isEmpty else {
                ctx.info("\(workload.ref): no rollout recorded by \(ctx.programName)")
                return .ok
            }
            ctx.terminal.out(HistoryRendering.table(workload, history))
        }
        return .ok
    }
}

/// How `history` shows a workload's history.
enum HistoryRendering {
    /// `-o json|yaml`: the workload and its revisions, oldest first.
    static func document(_ workload: Workload, _ history: RolloutHistory) -> JSONValue {
        .object(JSONObject([
            ("kind", "RolloutHistory"), ("workload", .string(workload.ref.description)),
            ("namespace", .string(workload.namespace)), ("limit", .int(history.limit)),
            ("revisions", .array(history.entries.map(\.json))),
        ]))
    }

    /// The text table, as `kubectl rollout history` prints it, with the in-place columns.
    static func table(_ workload: Workload, _ history: RolloutHistory) -> String {
        var t = TableWriter(header: ["REVISION", "PHASE", "IMAGES", "STARTED", "FINISHED", "BY", "CHANGE-CAUSE"])
        for e in history.entries {
            let images = (e.images.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                + e.metadata.sorted { $0.key < $1.key }.map { m in m.value.map { "\(m.key)=\($0)" } ?? "\(m.key)-" }).joined(separator: ",")
            t.add([String(e.revision), e.phase.text, images.isEmpty ? "<none>" : images, e.startedAt,
                   e.finishedAt.isEmpty ? "-" : e.finishedAt, e.holder.isEmpty ? "<unknown>" : e.holder,
                   e.cause.isEmpty ? "<none>" : e.cause])
        }
        return "\(workload.ref)\n" + t.render()
    }
}
