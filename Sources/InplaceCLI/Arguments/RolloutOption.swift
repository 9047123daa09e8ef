import InplaceCore
import KubeFormats

/// One rollout flag, declared once: its spelling, help and what 0 means (parsing, help, the man page
/// and completion come from the flag), how its text sets the options, and the key a rollout record
/// keeps it under, from which `resume` reads it back.
public struct RolloutOption: Sendable {
    public let flag: FlagSpec
    /// The key in a rollout record's options; nil for what bounds one command only (`--timeout`,
    /// `--dry-run`, `-o`).
    public let recordKey: String?
    /// Sets the options from the flag's (or the record's) text; returns what is wanted when the text is wrong.
    let apply: @Sendable (inout RolloutOptions, String) -> String?

    init(_ flag: FlagSpec, record recordKey: String? = nil, apply: @escaping @Sendable (inout RolloutOptions, String) -> String?) {
        self.flag = flag
        self.recordKey = recordKey
        self.apply = apply
    }

    /// A Go duration flag (`5s`, `1m30s`, `0`); `positive` refuses 0.
    static func duration(_ flag: FlagSpec, record: String?, positive: Bool = false,
                         _ set: @escaping @Sendable (inout RolloutOptions, Double) -> Void) -> RolloutOption {
        RolloutOption(flag, record: record) { o, text in
            guard let s = GoDuration.seconds(text) else { return "use a duration such as 5s, 2m or 0" }
            if positive && s == 0 { return "must be more than 0" }
            set(&o, s)
            return nil
        }
    }

    /// A priority or scatter rule: a repeated flag's values arrive joined by `;` (as records and
    /// annotations keep them).
    static func rule(_ flag: FlagSpec, record: String,
                     _ set: @escaping @Sendable (inout RolloutOptions, String) throws(UpdateOrderError) -> Void) -> RolloutOption {
        RolloutOption(flag, record: record) { o, text in
            do throws(UpdateOrderError) {
                try set(&o, text)
                return nil
            } catch {
                return error.description
            }
        }
    }

    /// The flag's text in `args`: a repeated flag's values joined by `;`; nil when not given.
    func text(in args: ParsedArguments) -> String? {
        flag.kind == .repeated ? (args.has(flag.name) ? args.all(flag.name).joined(separator: ";") : nil) : args.value(flag.name)
    }

    /// A flag whose value is one of an enum's raw values.
    static func choice<T: RawRepresentable & Sendable>(_ flag: FlagSpec, record: String? = nil, _ type: T.Type,
                                                       _ set: @escaping @Sendable (inout RolloutOptions, T) -> Void) -> RolloutOption
        where T.RawValue == String
    {
        RolloutOption(flag, record: record) { o, text in
            guard let v = T(rawValue: text) else {
                return "must be \(flag.valueName.split(separator: "|").joined(separator: ", "))"
            }
            set(&o, v)
            return nil
        }
    }
}

extension RolloutOptions {
    /// Every rollout flag; the first nine shape the plan (`plan` takes those).
    public static let table: [RolloutOption] = [
        RolloutOption(FlagSpec("max-unavailable", valueName: "N|P%",
                               help: "Most pods out of service at once (a pod already unavailable counts); default: the workload's strategy, else 1."),
                      record: "maxUnavailable") { o, text in
            guard let x = IntOrPercent(text) else {
                return "use a positive number or a percentage such as 25% (0 only with --max-surge)"
            }
            o.plan.maxUnavailable = x
            return nil
        },
        RolloutOption(FlagSpec("max-surge", valueName: "N|P%",
                               help: "Deployment only: add this many pods on the new template first (removed at the end), so as many more may be out at once; default: none, unless the Deployment's maxUnavailable resolves to 0 (then its maxSurge)."),
                      record: "maxSurge") { o, text in
            guard let x = IntOrPercent(text) else { return "use a number or a percentage such as 25%" }
            o.plan.maxSurge = x
            return nil
        },
        RolloutOption(FlagSpec("ignore-pdb", kind: .bool,
                               help: "Take pods out of service whatever the PodDisruptionBudgets selecting them allow (by default the window waits for them, and a budget that can never allow a disruption stops the rollout before any write)."),
                      record: "ignorePdb") { o, text in
            guard let b = ArgumentParser.parseBool(text) else { return "expected true or false" }
            o.plan.ignorePdb = b
            return nil
        },
        RolloutOption(FlagSpec("partition", valueName: "N|P%",
                               help: "Pods kept on the old images (StatefulSet: ordinals below N); default: the StatefulSet's partition, else 0."),
                      record: "partition") { o, text in
            guard let x = IntOrPercent(text) else { return "use a number or a percentage such as 50%" }
            o.plan.partition = x
            return nil
        },
        RolloutOption(FlagSpec("allow-missing-gate", kind: .bool,
                               help: "Update pods without the InPlaceUpdateReady readiness gate (they get traffic while restarting)."),
                      record: "allowMissingGate") { o, text in
            guard let b = ArgumentParser.parseBool(text) else { return "expected true or false" }
            o.plan.allowMissingGate = b
            return nil
        },
        .rule(FlagSpec("priority-weight", kind: .repeated, valueName: "WEIGHT:SELECTOR",
                       help: "Update first the pods with the highest weight: a pod's weights (1-100) for every selector that matches it are summed, as CloneSet's weightPriority. Pods no selector matches go last; ties keep the default order (StatefulSet: highest ordinal first, else by name); pods already not Ready always go first. Not with --priority-order. Default: the workload's inplace.kubectl.io/priority-weight annotation."),
              record: "priorityWeight") { o, text throws(UpdateOrderError) in o.plan.priority = try .weights(parsing: text) },
        .rule(FlagSpec("priority-order", kind: .repeated, valueName: "LABELKEY",
                       help: "Update first the pods whose LABELKEY value ends in the larger integer (rack-12 before rack-3), as CloneSet's orderPriority; with several keys, the first key a pod has decides and earlier keys go first. Pods without the key (or whose value ends in no integer) go last; ties keep the default order (StatefulSet: highest ordinal first, else by name); pods already not Ready always go first. Not with --priority-weight. Default: the workload's inplace.kubectl.io/priority-order annotation."),
              record: "priorityOrder") { o, text throws(UpdateOrderError) in o.plan.priority = try .orderKeys(parsing: text) },
        .rule(FlagSpec("scatter", kind: .repeated, valueName: "KEY=VALUE",
                       help: "Spread the pods carrying this label evenly across the update order instead of together, as CloneSet's scatterStrategy (within pods of equal priority). Not with --scatter-by. Default: the workload's inplace.kubectl.io/scatter annotation."),
              record: "scatter") { o, text throws(UpdateOrderError) in o.plan.scatter = try .terms(parsing: text) },
        .rule(FlagSpec("scatter-by", valueName: "KEY",
                       help: "Interleave the pods by the values of this label (such as topology.kubernetes.io/zone), so no value loses a second pod before every value has lost one (within pods of equal priority). The label of the pod's node where the pods' nodes carry it (reading nodes needs list on nodes, cluster-wide), else the pod's own; pods without it form one more group. Not with --scatter. Default: the workload's inplace.kubectl.io/scatter-by annotation."),
              record: "scatterBy") { o, text throws(UpdateOrderError) in o.plan.scatter = try .by(parsing: text) },
        .duration(FlagSpec("grace-period", valueName: "DUR", default: "5s", zeroMeans: "only until no EndpointSlice lists the pod",
                           help: "Least time between a pod leaving service and its restart."),
                  record: "gracePeriod") { $0.gracePeriod = $1 },
        .duration(FlagSpec("timeout", valueName: "DUR", default: "10m", zeroMeans: "no limit",
                           help: "Limit for the whole command, all workloads (exit 3); no request is retried past it."),
                  record: nil) { $0.timeout = $1 },
        .duration(FlagSpec("pod-timeout", valueName: "DUR", default: "5m", help: "Limit for one pod's restart."),
                  record: "podTimeout", positive: true) { $0.podTimeout = $1 },
        .choice(.dryRun(help: "client: print what would be done; server: send the first writes with dryRun=All."),
                DryRunMode.self) { $0.dryRun = $1 },
        .choice(FlagSpec("on-failure", valueName: "pause|rollback", default: "pause",
                         help: "When a pod fails: stop (pause) or restore the updated pods (rollback)."),
                record: "onFailure", FailurePolicy.self) { $0.onFailure = $1 },
        .choice(FlagSpec("output", short: "o", valueName: "text|json", default: "text",
                         help: "Output format; json prints one JSON event per line on stdout."),
                OutputFormat.self) { $0.output = $1 },
        RolloutOption(FlagSpec("rollback-all", kind: .bool,
                               help: "When one workload fails, roll every workload of the command back, not only the failed ones (implies --on-failure rollback).")) { o, text in
            guard let b = ArgumentParser.parseBool(text) else { return "expected true or false" }
            o.rollbackAll = b
            if b { o.onFailure = .rollback }
            return nil
        },
        RolloutOption(FlagSpec("concurrency", valueName: "N", default: "0", zeroMeans: "all of them",
                               help: "Workloads rolled at once; 1 rolls them one after another, in the order given.")) { o, text in
            guard let n = Int(text), n >= 0 else { return "use a number of workloads, or 0 for all of them" }
            o.concurrency = n
            return nil
        },
        RolloutOption(FlagSpec("cause", valueName: "TEXT",
                               help: "Change cause kept in the workload's history (default: the manifest's kubernetes.io/change-cause annotation).")) { o, text in
            o.cause = text
            return nil
        },
    ]

    /// The flags that shape the plan (also taken by `plan`).
    public static let planFlags: [FlagSpec] = table.prefix(9).map(\.flag)

    /// The flags of commands that write: the plan's, then how the rollout runs.
    public static let flags: [FlagSpec] = table.map(\.flag)
}
