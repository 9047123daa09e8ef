/// Formats `--help` for the root and for each command, in kubectl's layout.
public enum HelpFormatter {
    /// Help for one command.
    public static func help(for command: Command, programName: String) -> String {
        var out = command.description.trimmingTrailingNewlines + "\n\n"
        out += "Usage:\n  \(programName) \(command.usage)\n"
        if !command.examples.isEmpty {
            out += "\nExamples:\n"
            out += command.examples.map { "  # \($0.0)\n  \(programName) \($0.1)" }.joined(separator: "\n\n") + "\n"
        }
        let own = command.flags.filter { !$0.hidden }
        if !own.isEmpty { out += "\nFlags:\n" + flagTable(own) }
        let globals = command.helpGlobalFlags
        if !globals.isEmpty { out += "\nGlobal flags:\n" + flagTable(Array(globals)) }
        return out
    }

    /// Help for the program: what it is, its commands, and where to read more.
    public static func rootHelp(commands: [Command], programName: String) -> String {
        var out = """
        Update the containers of running pods in place: same node, same IP, same volumes, no pod recreated.
        Works on Deployments, StatefulSets, DaemonSets and bare Pods, taking each pod out of service
        through the InPlaceUpdateReady readiness gate while its containers restart.

        Usage:
          \(programName) COMMAND [flags]

        Commands:

        """
        let visible = commands.filter { !$0.hidden }
        let width = (visible.map(\.name.count).max() ?? 0) + 3
        for c in visible { out += "  " + c.name.padding(width) + c.summary + "\n" }
        out += """

        Exit codes: 0 done, 1 rollout failed, 2 usage or input error, 3 timed out, 4 paused, 5 conflict.

        Use "\(programName) COMMAND --help" for more about a command.

        """
        return out
    }

    /// Help for a command group (`set`): its subcommands, as kubectl lists them.
    public static func groupHelp(_ group: String, subcommands: [Command], programName: String) -> String {
        let description = CLI.groupDescriptions[group] ?? ""

        let width = (subcommands.map { $0.name.split(separator: " ").last!.count }.max() ?? 0) + 3
        var out = description + "\n\nAvailable Commands:\n"
        for c in subcommands { out += "  " + String(c.name.split(separator: " ").last!).padding(width) + c.summary + "\n" }
        out += """

        Usage:
          \(programName) \(group) SUBCOMMAND [flags]

        Use "\(programName) \(group) <command> --help" for more information about a given command.

        """
        return out
    }

    static func flagTable(_ flags: [FlagSpec]) -> String {
        let left = flags.map { f -> String in
            let short = f.short.map { "-\($0), " } ?? "    "
            let value = f.kind == .bool ? "" : " \(f.valueName.isEmpty ? "VALUE" : f.valueName)"
            return "  \(short)--\(f.name)\(value)"
        }
        let width = (left.map(\.count).max() ?? 0) + 3
        return zip(left, flags).map { l, f in
            let def = f.defaultValue.map { " (default \($0))" } ?? ""
            let repeated = f.kind == .repeated ? " (repeatable)" : ""
            return l.padding(width) + f.fullHelp + repeated + def
        }.joined(separator: "\n") + "\n"
    }
}

extension String {
    /// The string padded with spaces to `width` characters.
    func padding(_ width: Int) -> String { count >= width ? self + " " : self + String(repeating: " ", count: width - count) }

    var trimmingTrailingNewlines: String {
        var s = self
        while s.hasSuffix("\n") { s.removeLast() }
        return s
    }
}
