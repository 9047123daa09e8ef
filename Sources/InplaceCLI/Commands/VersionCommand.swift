import JSON

extension Command {
    /// `version`: the client version, as text or JSON.
    static let version = Command(
        name: "version",
        summary: "Print the client version",
        description: "Print the version of kubectl-inplace.",
        usage: "version [-o text|json]",
        examples: [("Print the version as JSON", "version -o json")],
        flags: [FlagSpec("output", short: "o", valueName: "text|json", default: "text", help: "Output format.")],
        usesCluster: false
    ) { ctx in
        let platform = "linux/" + (arch() ?? "unknown")
        switch ctx.args.value("output") ?? "text" {
        case "text":
            ctx.terminal.out("kubectl-inplace v\(Version.current) (\(platform))\n")
        case "json":
            let parts = Version.current.split(separator: ".").map(String.init)
            let info: JSONValue = .object(JSONObject([
                ("major", .string(parts[0])), ("minor", .string(parts[1])),
                ("gitVersion", .string("v\(Version.current)")), ("platform", .string(platform)),
            ]))
            ctx.terminal.out(JSONValue.object(JSONObject([("clientVersion", info)])).serialized(indent: 2) + "\n")
        case let other:
            throw CLIError.usage("invalid argument \"\(other)\" for \"--output\": must be text or json", command: ctx.commandPath)
        }
        return .ok
    }

    private static func arch() -> String? {
        #if arch(x86_64)
        return "amd64"
        #elseif arch(arm64)
        return "arm64"
        #else
        return nil
        #endif
    }
}
