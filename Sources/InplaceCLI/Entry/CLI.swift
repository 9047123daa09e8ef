import Foundation
import InplaceCore
import JSON

/// The program: finds the command in argv, parses its flags, runs it, and turns errors into
/// one `error: ...` line and the contract's exit code.
public enum CLI {
    /// Every command, in the order help lists them.
    public static let commands: [Command] = [
        .plan, .rollout, .setImage, .status, .pause, .resume, .undo, .prepare, .controller, .completion, .version, .complete,
        .man,
    ]

    /// What each command group (the first word of two-word commands) is for.
    static let groupDescriptions = ["set": "Set fields of workloads and roll their pods to them in place."]

    /// Flags of the program itself, before any command.
    static let rootFlags: [FlagSpec] = GlobalOptions.flags + [
        FlagSpec("version", kind: .bool, help: "Print the client version and exit."),
    ]

    /// Runs the program and returns its exit status.
    public static func main(_ argv: [String], terminal: any Terminal = StandardTerminal(),
                            environment: [String: String] = ProcessInfo.processInfo.environment,
                            connector: (any ClusterConnector)? = nil) -> Int32 {
        let program = programName(argv.first ?? "kubectl-inplace")
        var args = Array(argv.dropFirst())
        let connector = connector ?? KubeConnector()
        let noColor = argv.contains("--no-color")

        if args.first == "__complete" {
            // Completion gets the words as typed: the line being completed is not a valid command line yet.
            let words = Array(args.dropFirst())
            return run(.complete, parsed: ParsedArguments(positionals: words), program: program, terminal: terminal,
                       environment: environment, connector: connector, noColor: noColor)
        }
        if args.first == "help" { args = Array(args.dropFirst()) + ["--help"] }
        switch CommandLocator(commands: commands).locate(args) {
        case let .command(command, rest):
            let path = "\(program) \(command.name)"
            do {
                let parsed = try ArgumentParser(flags: command.allFlags, command: path).parse(rest)
                if parsed.bool("help") {
                    terminal.out(HelpFormatter.help(for: command, programName: program))
                    return ExitCode.ok.rawValue
                }
                return run(command, parsed: parsed, program: program, terminal: terminal, environment: environment,
                           connector: connector, noColor: noColor)
            } catch {
                return report(error, command: path, terminal: terminal, environment: environment, noColor: noColor)
            }
        case let .root(rest):
            do {
                let parsed = try ArgumentParser(flags: rootFlags, command: program).parse(rest)
                if parsed.bool("version") && !parsed.bool("help") {
                    var clientOnly = ParsedArguments()
                    clientOnly.values["client"] = ["true"]
                    return run(.version, parsed: clientOnly, program: program, terminal: terminal,
                               environment: environment, connector: connector, noColor: noColor)
                }
                terminal.out(HelpFormatter.rootHelp(commands: commands, programName: program))
                return ExitCode.ok.rawValue
            } catch {
                return report(error, command: program, terminal: terminal, environment: environment, noColor: noColor)
            }
        case let .group(group, subcommands, unknown):
            let path = "\(program) \(group)"
            if let unknown, !unknown.isEmpty {
                let names = subcommands.map { String($0.name.split(separator: " ").last!) }
                return unknownCommand(unknown, path: path, suggestions: Suggestions.for(unknown, among: names),
                                      terminal: terminal, environment: environment, noColor: noColor)
            }
            terminal.out(HelpFormatter.groupHelp(group, subcommands: subcommands, programName: program))
            return (args.contains("--help") || args.contains("-h") ? ExitCode.ok : ExitCode.usage).rawValue
        case let .unknown(word, suggestions):
            return unknownCommand(word, path: program, suggestions: suggestions, terminal: terminal,
                                  environment: environment, noColor: noColor)
        }
    }

    /// Runs `command` with parsed arguments, reporting its error once.
    static func run(_ command: Command, parsed: ParsedArguments, program: String, terminal: any Terminal,
                    environment: [String: String], connector: any ClusterConnector, noColor: Bool) -> Int32 {
        let path = "\(program) \(command.name)"
        do {
            let global = try GlobalOptions(parsed, command: path)
            let ctx = CommandContext(command: command, args: parsed, global: global, terminal: terminal,
                                     environment: environment, programName: program, connector: connector)
            for warning in parsed.warnings { ctx.warn(warning) }
            return try command.run(ctx).rawValue
        } catch {
            if eventStreamingCommands.contains(command.name), parsed.value("output") == "json" {
                terminal.out(jsonErrorLine(error))
            }
            return report(error, command: path, terminal: terminal, environment: environment, noColor: noColor)
        }
    }

    /// Commands whose `-o json` is a stream of events: one that ends before its first event still
    /// ends the stream, with an `error` line.
    static let eventStreamingCommands: Set<String> = ["rollout", "set image", "resume", "undo"]

    /// `{"time":…,"type":"error","exitCode":N,"message":…}`.
    static func jsonErrorLine(_ error: any Error) -> String {
        let (message, code) = ErrorPresenter.present(error)
        var o = JSONObject()
        o["time"] = .string(SystemClock().rfc3339Millis)
        o["type"] = "error"
        o["exitCode"] = .int(Int(code.rawValue))
        o["message"] = .string(message ?? "")
        return JSONValue.object(o).serialized() + "\n"
    }

    /// cobra's unknown-command error, with its suggestions.
    static func unknownCommand(_ word: String, path: String, suggestions: [String], terminal: any Terminal,
                               environment: [String: String], noColor: Bool) -> Int32 {
        let style = Style.decide(isTTY: terminal.stderrIsTTY, noColorFlag: noColor, environment: environment)
        let hint = suggestions.isEmpty ? "\n" : Suggestions.text(suggestions) + "\n"
        terminal.err("\(style.red("error:")) unknown command \"\(word)\" for \"\(path)\"\(hint)Run '\(path) --help' for usage.\n")
        return ExitCode.usage.rawValue
    }

    /// `kubectl inplace` when argv[0] is a kubectl plugin name, else the executable's base name.
    static func programName(_ argv0: String) -> String {
        let base = argv0.split(separator: "/").last.map(String.init) ?? argv0
        guard base.hasPrefix("kubectl-") else { return base }
        return "kubectl " + base.dropFirst("kubectl-".count).replacingOccurrences(of: "_", with: "-")
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
