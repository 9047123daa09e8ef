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
        usage: "status [TYPE/NAME... | -l SELECTOR | -A] [-w] [-o text|wide|json|yaml] [flags]",
        examples: [
            ("Every recorded rollout in the namespace", "status"),
            ("Every recorded rollout in the cluster, with holders and images", "status -A -o wide"),
            ("Follow one until it ends (CI)", "status deployment/web -w"),
        ],
        flags: [
            FlagSpec("watch", short: "w", kind: .bool, help: "Follow until the rollouts end; exit with their code."),
            FlagSpec("output", short: "o", valueName: "text|wide|json|yaml", default: "text",
                     help: "Output format; wide adds the rollout, its holder, its last renewal and the images."),
            FlagSpec("all-namespaces", short: "A", kind: .bool, help: "The recorded rollouts of every namespace."),
            FlagSpec("selector", short: "l", valueName: "SELECTOR", help: "Only workloads whose labels match (e.g. app=web)."),
        ]
    ) { ctx in
        let format: StatusRenderer.Format
        switch ctx.args.value("output") ?? "text" {
        case "text": format = .text
        case "wide": format = .wide
        case "json": format = .json
        case "yaml": format = .yaml
        case let other:
            throw CLIError.usage("invalid argument \"\(other)\" for \"-o, --output\": must be text, wide, json or yaml", command: ctx.commandPath)
        }
        let all = ctx.args.bool("all-namespaces")
        if all && !ctx.args.positionals.isEmpty {
            throw CLIError.usage("a workload cannot be named across all namespaces: drop -A or the names", command: ctx.commandPath)
        }
        let selector = try TargetResolver(ctx).selector()
        if selector != nil && !ctx.args.positionals.isEmpty {
            throw CLIError.usage("name cannot be provided when a selector is specified", command: ctx.commandPath)
        }
        let session = try ctx.cluster()
        let recorded = RecordedRollouts(ctx: ctx, session: session)
        let workloads = ctx.args.positionals.isEmpty
            ? try recorded.allRecorded(allNamespaces: all, selector: selector)
            : try recorded.workloads(ctx.args.positionals)
        let renderer = StatusRenderer(format: format, allNamespaces: all, style: ctx.outStyle, program: ctx.programName)
        if workloads.isEmpty {
            if !all, (try? session.cluster.get("/api/v1/namespaces/\(session.namespace)")) == nil {
                throw CLIError.input("namespaces \"\(session.namespace)\" not found")
            }
            if format == .json || format == .yaml { ctx.terminal.out(renderer.render([])) } else {
                ctx.info(all ? "No rollouts recorded in any namespace." : "No rollouts recorded in \(session.namespace) namespace.")
            }
            return .ok
        }
        for w in workloads where ctx.args.positionals.count > 0 { _ = try recorded.record(of: w) }
        let follower = StatusFollower(ctx: ctx, session: session, renderer: renderer)
        if !ctx.args.bool("watch") {
            let statuses = try workloads.map { try follower.status(of: $0, pods: recorded.pods(of: $0)) }
            ctx.terminal.out(renderer.render(statuses))
            return .ok
        }
        return follower.follow(workloads)
    }
}

/// Computes, prints and follows rollout statuses.
struct StatusFollower {
    let ctx: CommandContext
    let session: ClusterSession
    let renderer: StatusRenderer

    func status(of workload: Workload, pods: [Pod]) throws -> RolloutStatus {
        guard let record = RolloutRecord(workload: workload.object) else {
            throw CLIError.input("\(workload.ref) has no rollout recorded")
        }
        return RolloutStatus(ref: workload.ref, record: record, pods: pods,
                             holderLive: RolloutHolder.isLive(record))
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
                let text = renderer.update(s)
                if lastLines[s.ref] != text {
                    if lastLines.isEmpty, renderer.format == .text || renderer.format == .wide {
                        ctx.terminal.out(TableWriter(header: renderer.header).render())
                    }
                    lastLines[s.ref] = text
                    ctx.terminal.out(text)
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
