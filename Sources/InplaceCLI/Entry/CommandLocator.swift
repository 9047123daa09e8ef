/// Finds the command in argv as cobra's `Find` does: the leading words that are not flags name it,
/// wherever the flags stand (`--context prod -n shop rollout -f app.yaml`, `set -n shop image ...`).
public struct CommandLocator: Sendable {
    /// What argv names.
    public enum Result {
        /// A command, and argv without the command's words.
        case command(Command, rest: [String])
        /// No command word: only flags (root help, `--version`).
        case root(rest: [String])
        /// A command group (`set`) without one of its subcommands; `unknown` is the word that did not match.
        case group(String, subcommands: [Command], unknown: String?)
        /// A word that names no command, with the names that are close to it.
        case unknown(String, suggestions: [String])
    }

    let commands: [Command]
    /// Global flags first, then every command's: what tells a flag's value from a command word.
    private let knownFlags: [FlagSpec]

    public init(commands: [Command]) {
        self.commands = commands
        knownFlags = GlobalOptions.flags + commands.flatMap(\.flags)
    }

    /// The command `args` (argv without the program name) names.
    public func locate(_ args: [String]) -> Result {
        let words = commandWordPositions(args)
        guard let first = words.first.map({ args[$0] }) else { return .root(rest: args) }
        let second = words.dropFirst().first.map { args[$0] }
        for command in commands.sorted(by: { $0.name.count > $1.name.count }) {
            let name = command.name.split(separator: " ").map(String.init)
            let given = Array([first, second].compactMap { $0 }.prefix(name.count))
            if given == name {
                let used = Set(words.prefix(name.count))
                return .command(command, rest: args.enumerated().filter { !used.contains($0.offset) }.map(\.element))
            }
        }
        let members = subcommands(of: first)
        if !members.isEmpty {
            return .group(first, subcommands: members, unknown: second)
        }
        let names = Set(commands.filter { !$0.hidden }.map { String($0.name.split(separator: " ")[0]) })
        return .unknown(first, suggestions: Suggestions.for(first, among: names.sorted()))
    }

    /// The visible commands named `group SUBCOMMAND`.
    public func subcommands(of group: String) -> [Command] {
        commands.filter { !$0.hidden && $0.name.hasPrefix(group + " ") }
    }

    /// Positions of the first two words that are neither flags nor flag values, before `--`.
    func commandWordPositions(_ args: [String]) -> [Int] {
        var positions: [Int] = []
        var i = 0
        while i < args.count, positions.count < 2 {
            let arg = args[i]
            i += 1
            if arg == "--" { break }
            if arg.hasPrefix("--") {
                let (name, inline) = ArgumentParser.split(arg.dropFirst(2))
                if inline == nil, consumesNext(spec(named: name)) { i += 1 }
            } else if arg.hasPrefix("-") && arg.count > 1 {
                if shorthandsConsumeNext(arg.dropFirst()) { i += 1 }
            } else {
                positions.append(i - 1)
            }
        }
        return positions
    }

    /// pflag's rule for a cluster of short flags: the first letter that takes a value takes the rest
    /// of the word, or the next word when it is last.
    private func shorthandsConsumeNext(_ letters: Substring) -> Bool {
        var rest = letters
        while let letter = rest.first {
            rest = rest.dropFirst()
            if rest.hasPrefix("=") { return false }
            let spec = knownFlags.first { $0.short == letter }
            if let spec, spec.takesNoSeparateValue { continue }
            return rest.isEmpty
        }
        return false
    }

    /// An unknown flag is taken to have a value, as cobra's `stripFlags` does.
    private func consumesNext(_ spec: FlagSpec?) -> Bool {
        guard let spec else { return true }
        return !spec.takesNoSeparateValue
    }

    private func spec(named name: String) -> FlagSpec? { knownFlags.first { $0.name == name } }
}
