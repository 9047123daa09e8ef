import Foundation
import InplaceCore

/// The program: finds the command in argv, parses its flags, runs it, and turns errors into
/// one `error: ...` line and the contract's exit code.
public enum CLI {
    /// Every command, in the order help lists them.
    public static let commands: [Command] = [
        .plan, .rollout, .setImage, .status, .pause, .resume, .undo, .prepare, .controller, .completion, .version, .complete,
        .man,
    ]

    /// Runs the program and returns its exit status.
    public static func main(_ argv: [String], terminal: any Terminal = StandardTerminal(),
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            connector: (any ClusterConnector)? = nil) -> Int32 {
        let program = programName(argv.first ?? "kubectl-inplace")
        var args = Array(argv.dropFirst())
        let connector = connector ?? KubeConnector()

        if args.isEmpty || args == ["-h"] || args == ["--help"] || args == ["help"] {
            terminal.out(HelpFormatter.rootHelp(commands: commands, programName: program))
            return ExitCode.ok.rawValue
        }
        if args.first == "help", args.count > 1 { args = Array(args.dropFirst()) + ["--help"] }
        guard let (command, rest) = find(args) else {
            let word = args.first { !$0.hasPrefix("-") } ?? args[0]
            let style = Style.decide(isTTY: terminal.stderrIsTTY, noColorFlag: args.contains("--no-color"), environment: environment)
            terminal.err("\(style.red("error:")) unknown command \"\(word)\" for \"\(program)\"\nRun '\(program) --help' for usage.\n")
            return ExitCode.usage.rawValue
        }
        let path = "\(program) \(command.name)"
        do {
            let parsed = try ArgumentParser(flags: command.allFlags, command: path).parse(rest)
            if parsed.bool("help") {
                terminal.out(HelpFormatter.help(for: command, programName: program))
                return ExitCode.ok.rawValue
            }
            let global = try GlobalOptions(parsed, command: path)
            let ctx = CommandContext(command: command, args: parsed, global: global, terminal: terminal,
                                     environment: environment, programName: program, connector: connector)
            return try command.run(ctx).rawValue
        } catch {
            return report(error, command: path, terminal: terminal, environment: environment, noColor: argv.contains("--no-color"))
        }
    }

    /// `kubectl inplace` when argv[0] is a kubectl plugin name, else the executable's base name.
    static func programName(_ argv0: String) -> String {
        let base = argv0.split(separator: "/").last.map(String.init) ?? argv0
        guard base.hasPrefix("kubectl-") else { return base }
        return "kubectl " + base.dropFirst("kubectl-".count).replacingOccurrences(of: "_", with: "-")
    }

    /// Matches the longest command name at the start of the non-flag words.
    static func find(_ args: [String]) -> (Command, [String])? {
        for command in commands.sorted(by: { $0.name.count > $1.name.count }) {
            let words = command.name.split(separator: " ").map(String.init)
            if args.count >= words.count, Array(args.prefix(words.count)) == words {
                return (command, Array(args.dropFirst(words.count)))
            }
        }
        return nil
    }

    /// Prints an error once and returns its exit code.
    static func report(_ error: any Error, command: String, terminal: any Terminal, environment: [String: String],
                       noColor: Bool) -> Int32 {
        let style = Style.decide(isTTY: terminal.stderrIsTTY, noColorFlag: noColor, environment: environment)
        let (message, code) = ErrorPresenter.present(error)
        if let message {
            terminal.err("\(style.red("error:")) \(message)\n")
        }
        if case CLIError.usage = error {
            terminal.err("See '\(command) --help' for usage.\n")
        }
        return code.rawValue
    }
}
