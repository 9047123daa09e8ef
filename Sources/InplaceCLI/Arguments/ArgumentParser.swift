/// Parses argv the way kubectl's pflag does: `--name=value`, `--name value`, `-n value`, `-nvalue`,
/// `-n=value`, combined short flags (`-Rf dir`), booleans as `--flag` or `--flag=false`, flags whose
/// bare form stands for a value (`--dry-run`), `--` ends the flags, flags anywhere.
public struct ArgumentParser: Sendable {
    public let flags: [FlagSpec]
    /// The command path for error hints (`kubectl inplace plan`).
    public let command: String

    public init(flags: [FlagSpec], command: String) {
        self.flags = flags
        self.command = command
    }

    /// Parses `args` (without the program and command names).
    public func parse(_ args: [String]) throws(CLIError) -> ParsedArguments {
        var result = ParsedArguments()
        var i = 0
        while i < args.count {
            let arg = args[i]
            i += 1
            if arg == "--" {
                result.positionals.append(contentsOf: args[i...])
                break
            }
            if arg.hasPrefix("--") {
                let (name, inline) = Self.split(arg.dropFirst(2))
                guard let spec = flags.first(where: { $0.name == name }) else {
                    throw usage("unknown flag: --\(name)" + Suggestions.text(suggestions(forLong: name)))
                }
                let value: String
                if let inline {
                    value = inline
                } else if let bare = spec.bareValue {
                    value = bare
                } else if i < args.count {
                    value = args[i]
                    i += 1
                } else {
                    throw usage("flag needs an argument: --\(name)")
                }
                try store(spec, value: value, into: &result)
            } else if arg.hasPrefix("-") && arg.count > 1 {
                try parseShorthands(arg, args: args, index: &i, into: &result)
            } else {
                result.positionals.append(arg)
            }
        }
        return result
    }

    /// pflag's `parseShortArg`: each letter in turn; a value flag takes the rest of the word or the next one.
    private func parseShorthands(_ arg: String, args: [String], index i: inout Int,
                                 into result: inout ParsedArguments) throws(CLIError) {
        var letters = Substring(arg.dropFirst())
        while let letter = letters.first {
            guard let spec = flags.first(where: { $0.short == letter }) else {
                throw usage("unknown shorthand flag: '\(letter)' in \(arg)")
            }
            let rest = letters.dropFirst()
            let value: String
            if rest.hasPrefix("=") {
                value = String(rest.dropFirst())
                letters = ""
            } else if let bare = spec.bareValue {
                value = bare
                letters = rest
            } else if !rest.isEmpty {
                value = String(rest)
                letters = ""
            } else if i < args.count {
                value = args[i]
                i += 1
                letters = ""
            } else {
                throw usage("flag needs an argument: '\(letter)' in -\(letter)")
            }
            try store(spec, value: value, into: &result)
        }
    }

    private func store(_ spec: FlagSpec, value given: String, into result: inout ParsedArguments) throws(CLIError) {
        var value = given
        if let deprecated = spec.deprecatedValues[given] {
            value = deprecated.means
            result.warnings.append(deprecated.warning)
        }
        switch spec.kind {
        case .bool:
            guard let b = Self.parseBool(value) else {
                throw usage("invalid argument \"\(value)\" for \"\(spec.displayName)\" flag: strconv.ParseBool: parsing \"\(value)\": invalid syntax")
            }
            result.values[spec.name] = [b ? "true" : "false"]
        case .value:
            result.values[spec.name] = [value]
        case .repeated:
            result.values[spec.name, default: []].append(value)
        }
    }

    /// The flags a mistyped long name may have meant, as `--name`.
    private func suggestions(forLong name: String) -> [String] {
        Suggestions.for(name, among: flags.filter { !$0.hidden }.map(\.name)).map { "--" + $0 }
    }

    /// `name=value` → (name, value); `name` → (name, nil).
    static func split(_ body: Substring) -> (String, String?) {
        guard let eq = body.firstIndex(of: "=") else { return (String(body), nil) }
        return (String(body[..<eq]), String(body[body.index(after: eq)...]))
    }

    /// Go's strconv.ParseBool spellings.
    static func parseBool(_ s: String) -> Bool? {
        switch s {
        case "1", "t", "T", "true", "TRUE", "True": return true
        case "0", "f", "F", "false", "FALSE", "False": return false
        default: return nil
        }
    }

    private func usage(_ message: String) -> CLIError { .usage(message, command: command) }
}
