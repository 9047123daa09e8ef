import InplaceCore

/// How a command's writes are tried: really, only computed, or sent with `dryRun=All`.
public enum DryRunMode: String, Sendable, Equatable {
    case none, client, server
}

/// What to do when a pod fails to come back.
public enum FailurePolicy: String, Sendable, Equatable {
    case pause, rollback
}

/// Output format of a command.
public enum OutputFormat: String, Sendable, Equatable {
    case text, json, yaml
}

/// The rollout flags of the contract (also taken by `plan`, `set image` and `resume`).
public struct RolloutOptions: Sendable, Equatable {
    public var plan = PlanOptions()
    /// Least time between a pod leaving service and its restart, in seconds.
    public var gracePeriod: Double = 5
    /// Whole-rollout limit, in seconds.
    public var timeout: Double = 600
    /// One pod's restart limit, in seconds.
    public var podTimeout: Double = 300
    public var dryRun: DryRunMode = .none
    public var onFailure: FailurePolicy = .pause
    public var output: OutputFormat = .text

    public init() {}

    /// The flags that shape the plan (also taken by `plan`).
    public static let planFlags: [FlagSpec] = [
        FlagSpec("max-unavailable", valueName: "N|P%",
                 help: "Most pods out of service at once (a pod already unavailable counts); default: the workload's strategy, else 1. 0 needs --max-surge."),
        FlagSpec("max-surge", valueName: "N|P%",
                 help: "Deployment only: add this many pods on the new template first (removed at the end), so as many more may be out at once; default: none, unless the Deployment's maxUnavailable resolves to 0 (then its maxSurge)."),
        FlagSpec("partition", valueName: "N|P%",
                 help: "Pods kept on the old images (StatefulSet: ordinals below N); default: the StatefulSet's partition, else 0."),
        FlagSpec("ignore-pdb", kind: .bool,
                 help: "Take pods out of service whatever the PodDisruptionBudgets selecting them allow (by default the window waits for them, and a budget that can never allow a disruption stops the rollout before any write)."),
        FlagSpec("allow-missing-gate", kind: .bool,
                 help: "Update pods without the InPlaceUpdateReady readiness gate (they get traffic while restarting)."),
    ]

    /// The flags of commands that write: the plan's, then how the rollout runs.
    public static let flags: [FlagSpec] = planFlags + [
        FlagSpec("grace-period", valueName: "DUR", default: "5s",
                 help: "Least time between a pod leaving service and its restart."),
        FlagSpec("timeout", valueName: "DUR", default: "10m", help: "Limit for the whole command, all workloads (exit 3); no request is retried past it; 0: no limit."),
        FlagSpec("pod-timeout", valueName: "DUR", default: "5m", help: "Limit for one pod's restart."),
        .dryRun(help: "client: print what would be done; server: send the first writes with dryRun=All."),
        FlagSpec("on-failure", valueName: "pause|rollback", default: "pause",
                 help: "When a pod fails: stop (pause) or restore the updated pods (rollback)."),
        FlagSpec("output", short: "o", valueName: "text|json", default: "text",
                 help: "Output format; json prints one JSON event per line on stdout."),
    ]

    /// The core's settings for these options.
    public var settings: RolloutSettings {
        RolloutSettings(plan: plan, gracePeriod: gracePeriod, timeout: timeout, podTimeout: podTimeout,
                        rollbackOnFailure: onFailure == .rollback)
    }

    /// Options as a rollout recorded them (`resume` starts from these; flags given override them).
    public static func recorded(_ options: [String: String]) -> RolloutOptions {
        var o = RolloutOptions()
        if let v = options["maxUnavailable"].flatMap(IntOrPercent.init) { o.plan.maxUnavailable = v }
        if let v = options["partition"].flatMap(IntOrPercent.init) { o.plan.partition = v }
        if let v = options["maxSurge"].flatMap(IntOrPercent.init) { o.plan.maxSurge = v }
        if let v = options["gracePeriod"].flatMap(GoDuration.seconds) { o.gracePeriod = v }
        if let v = options["timeout"].flatMap(GoDuration.seconds) { o.timeout = v }
        if let v = options["podTimeout"].flatMap(GoDuration.seconds) { o.podTimeout = v }
        if let v = options["onFailure"].flatMap(FailurePolicy.init(rawValue:)) { o.onFailure = v }
        o.plan.allowMissingGate = options["allowMissingGate"] == "true"
        o.plan.ignorePdb = options["ignorePdb"] == "true"
        return o
    }

    /// These options with every flag present in `args` taken from `given`.
    public func overridden(by given: RolloutOptions, args: ParsedArguments) -> RolloutOptions {
        var o = self
        if args.has("max-unavailable") { o.plan.maxUnavailable = given.plan.maxUnavailable }
        if args.has("partition") { o.plan.partition = given.plan.partition }
        if args.has("max-surge") { o.plan.maxSurge = given.plan.maxSurge }
        if args.has("allow-missing-gate") { o.plan.allowMissingGate = given.plan.allowMissingGate }
        if args.has("ignore-pdb") { o.plan.ignorePdb = given.plan.ignorePdb }
        if args.has("grace-period") { o.gracePeriod = given.gracePeriod }
        if args.has("timeout") { o.timeout = given.timeout }
        if args.has("pod-timeout") { o.podTimeout = given.podTimeout }
        if args.has("on-failure") { o.onFailure = given.onFailure }
        o.dryRun = given.dryRun
        o.output = given.output
        return o
    }

    /// Reads the rollout flags; `formats` are the output formats the command accepts.
    public init(_ args: ParsedArguments, command: String, formats: [OutputFormat] = [.text, .json]) throws(CLIError) {
        func fail(_ flag: String, _ value: String, _ want: String) -> CLIError {
            .usage("invalid argument \"\(value)\" for \"--\(flag)\": \(want)", command: command)
        }
        func duration(_ flag: String) throws(CLIError) -> Double? {
            guard let v = args.value(flag) else { return nil }
            guard let s = GoDuration.seconds(v) else { throw fail(flag, v, "use a duration such as 5s, 2m or 0") }
            return s
        }
        if let v = args.value("max-surge") {
            guard let x = IntOrPercent(v) else { throw fail("max-surge", v, "use a number or a percentage such as 25%") }
            plan.maxSurge = x
        }
        let surging = plan.maxSurge.map { $0 != .count(0) && $0 != .percent(0) } ?? false
        if let v = args.value("max-unavailable") {
            guard let x = IntOrPercent(v), surging || (x != .count(0) && x != .percent(0)) else {
                throw fail("max-unavailable", v, "use a positive number or a percentage such as 25% (0 only with --max-surge)")
            }
            plan.maxUnavailable = x
        }
        if let v = args.value("partition") {
            guard let x = IntOrPercent(v) else { throw fail("partition", v, "use a number or a percentage such as 50%") }
            plan.partition = x
        }
        plan.allowMissingGate = args.bool("allow-missing-gate")
        plan.ignorePdb = args.bool("ignore-pdb")
        if let s = try duration("grace-period") { gracePeriod = s }
        if let s = try duration("timeout") { timeout = s }
        if let s = try duration("pod-timeout") {
            guard s > 0 else { throw fail("pod-timeout", args.value("pod-timeout")!, "must be more than 0") }
            podTimeout = s
        }
        if let v = args.value("dry-run") {
            guard let m = DryRunMode(rawValue: v) else { throw fail("dry-run", v, "must be none, client or server") }
            dryRun = m
        }
        if let v = args.value("on-failure") {
            guard let p = FailurePolicy(rawValue: v) else { throw fail("on-failure", v, "must be pause or rollback") }
            onFailure = p
        }
        if let v = args.value("output") {
            guard let f = OutputFormat(rawValue: v), formats.contains(f) else {
                throw fail("output", v, "must be one of \(formats.map(\.rawValue).joined(separator: ", "))")
            }
            output = f
        }
    }
}
