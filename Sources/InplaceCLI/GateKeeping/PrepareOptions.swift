import InplaceCore
import KubeFormats
/// The flags of `prepare`.
public struct PrepareOptions: Sendable, Equatable {
    public var dryRun: DryRunMode = .none
    /// Stay in the foreground as gate keeper until the native rollout is done.
    public var wait = true
    /// Limit for the wait in seconds; 0 waits without limit.
    public var timeout: Double = 600

    public init() {}

    /// The flags, for parsing and help.
    public static let flags: [FlagSpec] = [
        .dryRun(help: "client: print the template change; server: send it with dryRun=All. Nothing is stored."),
        FlagSpec("wait", kind: .bool, default: "true",
                 help: "Keep the new pods' gates and follow the workload's rollout until it is done (false: return after the change)."),
        FlagSpec("timeout", valueName: "DUR", default: "10m", help: "Limit for the wait (exit 3); 0 waits without limit."),
    ]

    /// Reads the flags.
    public init(_ args: ParsedArguments, command: String) throws(CLIError) {
        if let v = args.value("dry-run") {
            guard let m = DryRunMode(rawValue: v) else {
                throw .usage("invalid argument \"\(v)\" for \"--dry-run\": must be none, client or server", command: command)
            }
            dryRun = m
        }
        if let v = args.value("wait") { wait = v == "true" }
        if let v = args.value("timeout") {
            guard let s = GoDuration.seconds(v) else {
                throw .usage("invalid argument \"\(v)\" for \"--timeout\": use a duration such as 5m, or 0 for no limit", command: command)
            }
            timeout = s
        }
    }
}
