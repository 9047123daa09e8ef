import InplaceCore

/// Computes completion candidates for a partial command line, answering in Cobra's protocol
/// (one candidate per line, then `:DIRECTIVE`), which kubectl's plugin completion also speaks.
public struct Completer {
    /// Cobra's ShellCompDirective bits.
    public enum Directive: Int {
        case noSpace = 2, noFileComp = 4, filterFileExt = 8
    }

    let commands: [Command]
    /// Lists workload names of a kind in a namespace (best effort; nil when the cluster is unreachable).
    let names: (WorkloadKind, String?) -> [String]?

    public init(commands: [Command], names: @escaping (WorkloadKind, String?) -> [String]?) {
        self.commands = commands
        self.names = names
    }

    /// Candidates and directive for `words` (after the program name; the last is the word being completed).
    public func complete(_ words: [String]) -> (candidates: [String], directive: Int) {
        let current = words.last ?? ""
        let before = Array(words.dropLast())
        let visible = commands.filter { !$0.hidden }
        guard let (command, rest) = CLI.find(before) else {
            // Still choosing the command: complete its first word (or the second of "set image").
            if before == ["set"] { return (["image"].filter { $0.hasPrefix(current) }, Directive.noFileComp.rawValue) }
            let firstWords = Set(visible.map { String($0.name.split(separator: " ")[0]) })
            return (firstWords.sorted().filter { $0.hasPrefix(current) }, Directive.noFileComp.rawValue)
        }
        let flags = command.allFlags.filter { !$0.hidden }
        if let previous = rest.last, let spec = flagSpec(previous, flags), spec.kind != .bool, !previous.contains("=") {
            return values(for: spec, prefix: current, namespace: namespace(in: rest))
        }
        if current.hasPrefix("-") {
            return (flags.map { "--" + $0.name }.filter { $0.hasPrefix(current) }, Directive.noFileComp.rawValue)
        }
        if command.name == "completion" {
            return (["bash", "zsh", "fish"].filter { $0.hasPrefix(current) }, Directive.noFileComp.rawValue)
        }
        guard Self.targetCommands.contains(command.name) else { return ([], Directive.noFileComp.rawValue) }
        if let slash = current.firstIndex(of: "/") {
            let typeName = String(current[..<slash])
            guard let kind = WorkloadKind(typeName: typeName) else { return ([], Directive.noFileComp.rawValue) }
            let found = names(kind, namespace(in: rest)) ?? []
            return (found.map { "\(typeName)/\($0)" }.filter { $0.hasPrefix(current) }, Directive.noFileComp.rawValue)
        }
        let types = ["deployment/", "statefulset/", "daemonset/", "pod/"].filter { $0.hasPrefix(current) }
        return (types, Directive.noSpace.rawValue | Directive.noFileComp.rawValue)
    }

    /// Commands that take `TYPE/NAME` targets.
    static let targetCommands: Set<String> = ["plan", "rollout", "set image", "status", "pause", "resume", "undo", "prepare"]

    func flagSpec(_ word: String, _ flags: [FlagSpec]) -> FlagSpec? {
        if word.hasPrefix("--") { return flags.first { "--" + $0.name == word } }
        if word.hasPrefix("-"), word.count == 2 { return flags.first { $0.short == word.last } }
        return nil
    }

    func namespace(in words: [String]) -> String? {
        for (i, w) in words.enumerated() {
            if (w == "-n" || w == "--namespace"), i + 1 < words.count { return words[i + 1] }
            if w.hasPrefix("--namespace=") { return String(w.dropFirst("--namespace=".count)) }
        }
        return nil
    }

    func values(for spec: FlagSpec, prefix: String, namespace: String?) -> ([String], Int) {
        switch spec.name {
        case "filename": return (["yaml", "yml", "json"], Directive.filterFileExt.rawValue)
        case "kubeconfig", "certificate-authority", "client-certificate", "client-key": return ([], 0)
        default:
            let choices = spec.valueName.contains("|") && !spec.valueName.contains("%")
                ? spec.valueName.split(separator: "|").map(String.init) : []
            return (choices.filter { $0.hasPrefix(prefix) }, Directive.noFileComp.rawValue)
        }
    }
}
