import InplaceCore

extension Command {
    /// `completion bash|zsh|fish`: prints a completion script.
    static let completion = Command(
        name: "completion",
        summary: "Print a shell completion script (bash, zsh or fish)",
        description: """
        Print a completion script for bash, zsh or fish.

        The script asks kubectl-inplace itself for candidates: commands, flags, flag values, workload
        types and the names of workloads in the cluster. kubectl 1.26 and later completes
        `kubectl inplace ...` through the `kubectl_complete-inplace` helper that `make install` puts
        next to the binary.
        """,
        usage: "completion bash|zsh|fish",
        examples: [
            ("Load completion into the current bash session", "completion bash | source /dev/stdin"),
            ("Install for zsh", "completion zsh > \"${fpath[1]}/_kubectl-inplace\""),
        ],
        usesCluster: false
    ) { ctx in
        guard ctx.args.positionals.count == 1, let script = CompletionScripts.script(for: ctx.args.positionals[0]) else {
            throw CLIError.usage("name one shell: bash, zsh or fish", command: ctx.commandPath)
        }
        ctx.terminal.out(script)
        return .ok
    }

    /// `__complete WORDS... CURRENT`: the candidates, in Cobra's protocol (hidden).
    static let complete = Command(
        name: "__complete",
        summary: "Completion candidates (used by the completion scripts)",
        description: "Print completion candidates for a partial command line, one per line, then :DIRECTIVE.",
        usage: "__complete [WORDS...] CURRENT",
        usesCluster: false,
        hidden: true
    ) { ctx in
        ctx.terminal.out(completionOutput(ctx.args.positionals, ctx: ctx))
        return .ok
    }

    /// Candidates for `words`, with names listed from the cluster when reachable.
    static func completionOutput(_ words: [String], ctx: CommandContext) -> String {
        let completer = Completer(commands: CLI.commands, source: LiveCompletionSource(ctx: ctx))
        let (candidates, directive) = completer.complete(words.isEmpty ? [""] : words)
        return candidates.map { $0 + "\n" }.joined() + ":\(directive)\n"
    }
}

/// Completion's look-ups through the command's connector, with the connection flags on the line.
struct LiveCompletionSource: CompletionSource {
    let ctx: CommandContext

    func workloadNames(_ kind: WorkloadKind, options: GlobalOptions) -> [String]? {
        guard let session = session(options) else { return nil }
        return try? session.cluster.workloadNames(kind, namespace: session.namespace)
    }

    func namespaces(options: GlobalOptions) -> [String]? {
        guard let list = try? session(options)?.cluster.list("/api/v1/namespaces", labelSelector: nil) else { return nil }
        return list.compactMap { $0[path: ["metadata", "name"]]?.string }.sorted()
    }

    func contexts(options: GlobalOptions) -> [String] {
        ctx.connector.contextNames(options, environment: ctx.environment)
    }

    func containers(_ kind: WorkloadKind, name: String, options: GlobalOptions) -> [String]? {
        guard let session = session(options) else { return nil }
        let ref = WorkloadRef(kind: kind, namespace: session.namespace, name: name)
        guard let object = try? session.cluster.get(ref.path) else { return nil }
        let spec = kind == .pod ? ["spec"] : ["spec", "template", "spec"]
        let names = ["initContainers", "containers"].flatMap { key in
            (object[path: spec + [key]]?.array ?? []).compactMap { $0["name"]?.string }
        }
        return names
    }

    /// A short-lived connection with the line's flags; errors stay silent, as completion must.
    private func session(_ options: GlobalOptions) -> ClusterSession? {
        var options = options
        if options.connection.requestTimeout == nil { options.connection.requestTimeout = "5s" }
        options.quiet = true
        return try? ctx.connector.connect(options, environment: ctx.environment, terminal: ctx.terminal)
    }
}
