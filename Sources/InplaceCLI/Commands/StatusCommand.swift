import Foundation
import InplaceCore
import JSON

extension Command {
    /// `status`: the rollouts recorded on workloads, summarised with their live pods; `-w` follows them.
    static let status = Command(
        name: "status",
        summary: "Show the rollouts recorded on workloads (-w to follow until they end)",
        description: """
        Show the state of the rollouts recorded on the named workloads (or on every workload of the
        namespace that has one): phase, pods updated, in flight and held, failed pods with the kubelet's
        reason, the holder and its age. A running rollout whose holder stopped renewing for longer than its lease
        (a killed CI job) is shown as abandoned, with the pods it left out of service. With -w, follow until every rollout has ended, then exit with the
        code the rollout ended with (0 complete, 1 failed, 3 timed out, 4 paused or interrupted).
        """,
        usage: "status [TYPE/NAME...] [-w] [-o text|json] [flags]",
        examples: [
            ("Every recorded rollout in the namespace", "status"),
            ("Follow one until it ends (CI)", "status deployment/web -w"),
        ],
        flags: [
            FlagSpec("watch", short: "w", kind: .bool, help: "Follow until the rollouts end; exit with their code."),
            FlagSpec("output", short: "o", valueName: "text|json", default: "text", help: "Output format."),
        ]
    ) { ctx in
        let json: Bool
        switch ctx.args.value("output") ?? "text" {
        case "text": json = false
        case "json": json = true
        case let other: throw CLIError.usage("invalid argument \"\(other)\" for \"--output\": must be text or json", command: ctx.commandPath)
        }
        let session = try ctx.cluster()
        let recorded = RecordedRollouts(ctx: ctx, session: session)
        let workloads = ctx.args.positionals.isEmpty ? try recorded.allRecorded() : try recorded.workloads(ctx.args.positionals)
        if workloads.isEmpty {
            if json { ctx.terminal.out(#"{"kind":"RolloutStatusList","items":[]}"# + "\n") } else { ctx.info("no rollouts recorded in namespace \(session.namespace)") }
            return .ok
        }
        for w in workloads where ctx.args.positionals.count > 0 { _ = try recorded.record(of: w) }
        let follower = StatusFollower(ctx: ctx, session: session, json: json)
        if !ctx.args.bool("watch") {
            let statuses = try workloads.map { try follower.status(of: $0, pods: recorded.pods(of: $0)) }
            follower.print(statuses, final: true)
            return .ok
        }
        return follower.follow(workloads)
    }
}

/// Computes, prints and follows rollout statuses.
struct StatusFollower {
    let ctx: CommandContext
    let session: ClusterSession
    let json: Bool

    func status(of workload: Workload, pods: [Pod]) throws -> RolloutStatus {
        guard let record = RolloutRecord(workload: workload.object) else {
            throw CLIError.input("\(workload.ref) has no rollout recorded")
        }
        return RolloutStatus(ref: workload.ref, record: record, pods: pods,
                             holderLive: RolloutHolder.isLive(record))
    }

    func print(_ statuses: [RolloutStatus], final: Bool) {
        if json {
            if final {
                ctx.terminal.out(JSONValue.object(JSONObject([("kind", "RolloutStatusList"), ("items", .array(statuses.map(\.json)))])).serialized() + "\n")
            } else {
                for s in statuses { ctx.terminal.out(s.json.serialized() + "\n") }
            }
            return
        }
        for s in statuses { ctx.terminal.out(line(s)) }
    }

    func line(_ s: RolloutStatus) -> String {
        let style = ctx.outStyle
        let phase: String
        switch s.record.phase {
        case .complete: phase = style.green("complete")
        case .failed: phase = style.red("failed")
        case .paused: phase = style.yellow("paused")
        case .running: phase = s.holderLive ? style.cyan("running") : s.abandoned ? style.red("abandoned") : style.yellow("interrupted")
        }
        var out = "\(style.bold(s.ref.description))  \(phase)  "
        if s.record.rollbackOf.isEmpty {
            out += "\(s.updated)/\(s.total) updated"
        } else {
            let images = s.record.images.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: ", ")
            out += "\(s.rolledBack)/\(s.total) rolled back to \(images) after rollout \(s.record.rollbackOf) failed"
        }
        if s.inFlight > 0 { out += ", \(s.inFlight) in flight" }
        if s.held > 0 { out += ", \(s.held) held" }
        out += "  rollout \(s.record.id) by \(s.record.holder), started \(RolloutAdmission.ago(s.record.startedAt))"
        if s.record.phase == .running { out += ", renewed \(RolloutAdmission.ago(s.record.renewTime))" }
        out += "\n"
        if !s.record.message.isEmpty { out += "  \(s.record.message)\n" }
        if s.abandoned {
            out += "  \(s.record.holder) stopped renewing its \(DurationText.format(s.record.leaseSeconds)) lease \(RolloutAdmission.ago(s.record.renewTime)): nobody drives this rollout; continue it with `\(ctx.programName) resume \(s.ref)`\n"
        }
        if !s.holderLive && !s.outOfService.isEmpty {
            out += "  \(s.outOfService.count) pod(s) out of service: \(s.outOfService.joined(separator: ", "))\n"
        }
        for f in s.failed { out += "  \(style.red("failed")) \(f.pod): \(f.reason)\(f.message.isEmpty ? "" : ": \(f.message)")\n" }
        return out
    }

    /// Follows the workloads through watches until every rollout has ended; returns the worst code.
    func follow(_ workloads: [Workload]) -> ExitCode {
        enum Change: Sendable { case workload(WorkloadRef, JSONValue), pods(WorkloadRef, ClusterWatchEvent) }
        let events = EventQueue<Change>()
        var objects: [WorkloadRef: JSONValue] = [:]
        var pods: [WorkloadRef: [String: Pod]] = [:]
        var watches: [any WatchStopping] = []
        for w in workloads {
            objects[w.ref] = w.object
            pods[w.ref] = [:]
            let ref = w.ref
            watches.append(session.cluster.watch(w.kind.collectionPath(namespace: w.namespace), labelSelector: nil,
                                                 fieldSelector: "metadata.name=\(w.name)") { e in
                switch e {
                case .synced(let items): for o in items { events.post(.workload(ref, o)) }
                case .added(let o), .modified(let o): events.post(.workload(ref, o))
                default: break
                }
            })
            watches.append(session.cluster.watch("/api/v1/namespaces/\(w.namespace)/pods",
                                                 labelSelector: w.selector?.queryString, fieldSelector: nil) { e in
                events.post(.pods(ref, e))
            })
        }
        defer { watches.forEach { $0.stop() } }
        let clock = SystemClock()
        var lastLines: [WorkloadRef: String] = [:]
        var podsSynced = Set<WorkloadRef>()
        while true {
            for change in events.drain(until: clock.monotonic + 2, clock: clock) {
                switch change {
                case .workload(let ref, let o): objects[ref] = o
                case .pods(let ref, let e):
                    switch e {
                    case .synced(let items):
                        pods[ref] = Dictionary(items.map { (Pod($0).name, Pod($0)) }, uniquingKeysWith: { $1 })
                        podsSynced.insert(ref)
                    case .added(let o), .modified(let o): pods[ref]?[Pod(o).name] = Pod(o)
                    case .deleted(let o): pods[ref]?[Pod(o).name] = nil
                    case .failed(let error):
                        ctx.terminal.err("error: lost the watch: \(error.message)\n")
                        return .failed
                    }
                }
            }
            // Until every pod list has arrived, a status would count pods that are not there yet.
            guard podsSynced.count == Set(workloads.map(\.ref)).count else { continue }
            var statuses: [RolloutStatus] = []
            for w in workloads {
                let object = objects[w.ref] ?? w.object
                let owned = (pods[w.ref] ?? [:]).values.filter { pod in
                    w.kind == .deployment || pod.controllerUID == w.uid
                }
                if let s = try? status(of: Workload(kind: w.kind, object: object), pods: Array(owned)) { statuses.append(s) }
            }
            for s in statuses {
                let text = json ? s.json.serialized() : line(s)
                if lastLines[s.ref] != text {
                    lastLines[s.ref] = text
                    print([s], final: false)
                }
            }
            let codes = statuses.map(\.exitCode)
            if !codes.isEmpty, codes.allSatisfy({ $0 != nil }) {
                let worst = codes.compactMap { $0 }.max { rank($0) < rank($1) } ?? 0
                return ExitCode(rawValue: worst) ?? .failed
            }
        }
    }

    /// Failed beats timed out beats paused beats complete.
    func rank(_ code: Int32) -> Int {
        switch code {
        case 1: return 3
        case 3: return 2
        case 4: return 1
        default: return 0
        }
    }
}
