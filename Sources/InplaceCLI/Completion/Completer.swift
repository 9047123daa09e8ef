import InplaceCore

/// Computes completion candidates for a partial command line, answering in Cobra's protocol
/// (one candidate per line, then `:DIRECTIVE`), which kubectl's plugin completion also speaks.
public struct Completer {
    /// Cobra's ShellCompDirective bits.
    public enum Directive: Int {
        case noSpace = 2, noFileComp = 4, filterFileExt = 8
    }

    let commands: [Command]
    let source: any CompletionSource

    public init(commands: [Command], source: any CompletionSource) {
        self.commands = commands
        self.source = source
    }

    /// Candidates and directive for `words` (after the program name; the last is the word being completed).
    public func complete(_ words: [String]) -> (candidates: [String], directive: Int) {
        let current = words.last ?? ""
        let before = Array(words.dropLast())
        switch CommandLocator(commands: commands).locate(before) {
        case let .command(command, rest):
            return complete(current, command: command, rest: rest)
        case let .group(_, subcommands, nil):
            if current.hasPrefix("-") { return flagNames(GlobalOptions.flags, given: before, prefix: current) }
            let names = subcommands.map { String($0.name.split(separator: " ").last!) }
            return (names.filter { $0.hasPrefix(current) }, Directive.noFileComp.rawValue)
        case let .root(rest):
            if let value = flagValue(current, previous: rest.last, flags: CLI.rootFlags, options: lineOptions(rest, CLI.rootFlags)) {
                return value
            }
            if current.hasPrefix("-") { return flagNames(CLI.rootFlags, given: rest, prefix: current) }
            let firstWords = Set(commands.filter { !$0.hidden }.map { String($0.name.split(separator: " ")[0]) })
            return (firstWords.sorted().filter { $0.hasPrefix(current) }, Directive.noFileComp.rawValue)
        case .group, .unknown:
            return ([], Directive.noFileComp.rawValue)
        }
    }

    /// Completion once the command is known: a flag's value, a flag, or a positional argument.
    func complete(_ current: String, command: Command, rest: [String]) -> ([String], Int) {
        let flags = command.allFlags
        let options = lineOptions(rest, flags)
        if let value = flagValue(current, previous: rest.last, flags: flags, options: options) { return value }
        if current.hasPrefix("-") { return flagNames(flags, given: rest, prefix: current) }
        if command.name == "completion" {
            return (["bash", "zsh", "fish"].filter { $0.hasPrefix(current) }, Directive.noFileComp.rawValue)
        }
        guard Self.targetCommands.contains(command.name) else { return ([], Directive.noFileComp.rawValue) }
        let positionals = (try? ArgumentParser(flags: flags, command: command.name).parse(rest))?.positionals ?? []
        if command.name == "set image", !current.contains("/"),
           let target = positionals.first(where: { $0.contains("/") }), let (kind, name) = Self.typeName(target) {
            if current.contains("=") { return ([], Directive.noFileComp.rawValue) }
            let containers = (source.containers(kind, name: name, options: options) ?? []) + ["*"]
            return (containers.map { $0 + "=" }.filter { $0.hasPrefix(current) },
                    Directive.noSpace.rawValue | Directive.noFileComp.rawValue)
        }
        if let slash = current.firstIndex(of: "/") {
            let typeName = String(current[..<slash])
            guard let kind = WorkloadKind(typeName: typeName) else { return ([], Directive.noFileComp.rawValue) }
            let found = source.workloadNames(kind, options: options) ?? []
            return (found.map { "\(typeName)/\($0)" }.filter { $0.hasPrefix(current) }, Directive.noFileComp.rawValue)
        }
        let types = ["deployment/", "statefulset/", "daemonset/", "pod/"].filter { $0.hasPrefix(current) }
        return (types, Directive.noSpace.rawValue | Directive.noFileComp.rawValue)
    }

    /// Commands that take `TYPE/NAME` targets.
    static let targetCommands: Set<String> = ["plan", "rollout", "set image", "status", "pause", "resume", "undo", "history", "prepare"]

    /// The candidates when `current` is a flag's value: `--flag=VALUE`, or the word after a flag that
    /// takes its value separately.
    func flagValue(_ current: String, previous: String?, flags: [FlagSpec], options: GlobalOptions) -> ([String], Int)? {
        if current.hasPrefix("--"), let eq = current.firstIndex(of: "=") {
            let name = String(current[current.index(current.startIndex, offsetBy: 2)..<eq])
            guard let spec = flags.first(where: { $0.name == name }), spec.kind != .bool else { return nil }
            let prefix = String(current[current.index(after: eq)...])
            let (values, directive) = values(for: spec, prefix: prefix, options: options)
            return (values.map { "--\(name)=\($0)" }, directive)
        }
        guard let previous, let spec = Self.flagTakingNextWord(previous, flags) else { return nil }
        return values(for: spec, prefix: current, options: options)
    }

    /// The flag `word` names when it is complete without `=` and takes the next word as its value.
    static func flagTakingNextWord(_ word: String, _ flags: [FlagSpec]) -> FlagSpec? {
        if word.hasPrefix("--") {
            guard !word.contains("=") else { return nil }
            let spec = flags.first { "--" + $0.name == word }
            return spec?.takesNoSeparateValue == false ? spec : nil
        }
        guard word.hasPrefix("-"), word.count > 1, !word.contains("=") else { return nil }
        var letters = word.dropFirst()
        while let letter = letters.first {
            letters = letters.dropFirst()
            guard let spec = flags.first(where: { $0.short == letter }) else { return nil }
            if spec.takesNoSeparateValue { continue }
            return letters.isEmpty ? spec : nil
        }
        return nil
    }

    /// `--name` for each visible flag not given yet (repeatable ones always), matching `prefix`.
    func flagNames(_ flags: [FlagSpec], given: [String], prefix: String) -> ([String], Int) {
        let used = Set(given.filter { $0.hasPrefix("--") }.map { String(ArgumentParser.split($0.dropFirst(2)).0) })
        let names = flags.filter { !$0.hidden && ($0.kind == .repeated || !used.contains($0.name)) }.map { "--" + $0.name }
        return (names.filter { $0.hasPrefix(prefix) }, Directive.noFileComp.rawValue)
    }

    /// The global options already on the line (for the namespace and context of cluster look-ups).
    func lineOptions(_ words: [String], _ flags: [FlagSpec]) -> GlobalOptions {
        guard let parsed = try? ArgumentParser(flags: flags, command: "").parse(words),
              let options = try? GlobalOptions(parsed, command: "") else { return GlobalOptions() }
        return options
    }

    /// The candidates for a flag's value.
    func values(for spec: FlagSpec, prefix: String, options: GlobalOptions) -> ([String], Int) {
        let found: [String]
        switch spec.name {
        case "filename": return (["yaml", "yml", "json"], Directive.filterFileExt.rawValue)
        case "kubeconfig", "certificate-authority", "client-certificate", "client-key": return ([], 0)
        case "context": found = source.contexts(options: options)
        case "namespace", "lease-namespace", "install-namespace": found = source.namespaces(options: options) ?? []
        default:
            found = spec.valueName.contains("|") && !spec.valueName.contains("%")
                ? spec.valueName.split(separator: "|").map(String.init) : []
        }
        return (found.filter { $0.hasPrefix(prefix) }, Directive.noFileComp.rawValue)
    }

    /// `deploy/web` → (Deployment, "web").
    static func typeName(_ word: String) -> (WorkloadKind, String)? {
        guard let slash = word.firstIndex(of: "/"), let kind = WorkloadKind(typeName: String(word[..<slash])) else { return nil }
        let name = String(word[word.index(after: slash)...])
        return name.isEmpty ? nil : (kind, name)
    }
}
