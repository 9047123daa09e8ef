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
        let completer = Completer(commands: CLI.commands) { kind, namespace in
            var global = GlobalOptions()
            global.namespace = namespace
            global.connection.requestTimeout = "5s"
            guard let session = try? ctx.connector.connect(global, environment: ctx.environment, terminal: ctx.terminal)
            else { return nil }
            return try? session.cluster.workloadNames(kind, namespace: session.namespace)
        }
        let (candidates, directive) = completer.complete(words.isEmpty ? [""] : words)
        return candidates.map { $0 + "\n" }.joined() + ":\(directive)\n"
    }
}
