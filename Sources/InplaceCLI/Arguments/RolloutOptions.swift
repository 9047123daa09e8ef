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
    /// Why the rollout is run, kept in the workload's history (`--cause`).
    public var cause = ""
    /// With `--on-failure rollback`, every workload goes back when one fails (`--rollback-all`).
    public var rollbackAll = false
    /// Workloads rolled at once; 0: all of them (`--concurrency`).
    public var concurrency = 0

    public init() {}

    /// The core's settings for these options.
    public var settings: RolloutSettings {
        var s = RolloutSettings(plan: plan, gracePeriod: gracePeriod, timeout: timeout, podTimeout: podTimeout,
                                rollbackOnFailure: onFailure == .rollback)
        s.cause = cause
        return s
    }

    /// Options as a rollout recorded them (`resume` starts from these; flags given override them).
    public static func recorded(_ options: [String: String]) -> RolloutOptions {
        var o = RolloutOptions()
        for option in table {
            guard let key = option.recordKey, let text = options[key] else { continue }
            _ = option.apply(&o, text)
        }
        return o
    }

    /// These options with every flag present in `args` set again from its text; how this command runs
    /// (`--dry-run`, `-o`, `--timeout`) is always the command's own.
    public func overridden(by given: RolloutOptions, args: ParsedArguments) -> RolloutOptions {
        var o = self
        for option in Self.table where option.recordKey != nil {
            if let text = option.text(in: args) { _ = option.apply(&o, text) }
        }
        if args.has("cause") { o.cause = given.cause }
        o.dryRun = given.dryRun
        o.output = given.output
        o.timeout = given.timeout
        o.concurrency = given.concurrency
        o.rollbackAll = given.rollbackAll
        if given.rollbackAll { o.onFailure = .rollback }
        return o
    }

    /// Reads the rollout flags; `formats` are the output formats the command accepts.
    public init(_ args: ParsedArguments, command: String, formats: [OutputFormat] = [.text, .json]) throws(CLIError) {
        let formatsWanted = "must be one of \(formats.map(\.rawValue).joined(separator: ", "))"
        for (a, b) in [("priority-weight", "priority-order"), ("scatter", "scatter-by")] where args.has(a) && args.has(b) {
            throw .usage("--\(a) and --\(b) cannot be used together: give one kind at a time", command: command)
        }
        for option in Self.table {
            guard let text = option.text(in: args) else { continue }
            if let want = option.apply(&self, text) {
                throw .usage("invalid argument \"\(text)\" for \"\(option.flag.displayName)\": \(option.flag.name == "output" ? formatsWanted : want)",
                             command: command)
            }
        }
        let zero = { (x: IntOrPercent) in x == .count(0) || x == .percent(0) }
        if let x = plan.maxUnavailable, zero(x), plan.maxSurge.map(zero) ?? true {
            throw .usage("invalid argument \"\(x)\" for \"--max-unavailable\": use a positive number or a percentage such as 25% (0 only with --max-surge)",
                         command: command)
        }
        if !formats.contains(output) {
            throw .usage("invalid argument \"\(output.rawValue)\" for \"-o, --output\": \(formatsWanted)", command: command)
        }
    }
}
