/// Parses argv the way kubectl's pflag does: `--name=value`, `--name value`, `-n value`, `-nvalue`,
/// `-n=value`, booleans as `--flag` or `--flag=false`, `--` ends the flags, flags anywhere.
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
            if arg.hasPrefix("--") && arg.count > 2 {
                let body = arg.dropFirst(2)
                let (name, inline) = split(body)
                guard let spec = flags.first(where: { $0.name == name }) else {
                    throw usage("unknown flag: --\(name)")
                }
                try take(spec, display: "--\(name)", inline: inline, args: args, index: &i, into: &result)
            } else if arg.hasPrefix("-") && arg.count > 1 && arg != "-" {
                let body = arg.dropFirst()
                let letter = body.first!
                guard let spec = flags.first(where: { $0.short == letter }) else {
                    throw usage("unknown shorthand flag: '\(letter)' in \(arg)")
                }
                var rest = body.dropFirst()
                if spec.kind == .bool {
                    if rest.hasPrefix("=") {
                        try take(spec, display: "-\(letter)", inline: String(rest.dropFirst()), args: args, index: &i, into: &result)
                    } else if rest.isEmpty {
                        try take(spec, display: "-\(letter)", inline: nil, args: args, index: &i, into: &result)
                    } else {
                        throw usage("invalid argument \(arg): -\(letter) takes no value")
                    }
                } else {
                    if rest.hasPrefix("=") { rest = rest.dropFirst() }
                    try take(spec, display: "-\(letter)", inline: rest.isEmpty ? nil : String(rest), args: args, index: &i, into: &result)
                }
            } else {
                result.positionals.append(arg)
            }
        }
        return result
    }

    private func split(_ body: Substring) -> (String, String?) {
        guard let eq = body.firstIndex(of: "=") else { return (String(body), nil) }
        return (String(body[..<eq]), String(body[body.index(after: eq)...]))
    }

    private func take(_ spec: FlagSpec, display: String, inline: String?, args: [String], index i: inout Int,
                      into result: inout ParsedArguments) throws(CLIError) {
        switch spec.kind {
        case .bool:
            let value = inline ?? "true"
            guard let b = Self.parseBool(value) else {
                throw usage("invalid argument \"\(value)\" for \"\(display)\" flag: expected true or false")
            }
            result.values[spec.name] = [b ? "true" : "false"]
        case .value, .repeated:
            let value: String
            if let inline {
                value = inline
            } else {
                guard i < args.count else { throw usage("flag needs an argument: \(display)") }
                value = args[i]
                i += 1
            }
            if spec.kind == .value {
                result.values[spec.name] = [value]
            } else {
                result.values[spec.name, default: []].append(value)
            }
        }
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
