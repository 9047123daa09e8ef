import InplaceCore
import JSON
import YAML

extension Command {
    /// `version`: the client's version and, as `kubectl version`, the server's.
    static let version = Command(
        name: "version",
        summary: "Print the client and server versions",
        description: """
        Print the version of kubectl-inplace and, unless --client is given, of the cluster's API server
        (its /version), as `kubectl version` does.
        """,
        usage: "version [--client] [-o text|json|yaml]",
        examples: [
            ("Client and server versions", "version"),
            ("The client version as JSON, without contacting a cluster", "version --client -o json"),
        ],
        flags: [
            FlagSpec("client", kind: .bool, help: "Print the client version only (no request to the cluster)."),
            FlagSpec("output", short: "o", valueName: "text|json|yaml", default: "text", help: "Output format."),
        ]
    ) { ctx in
        let format = ctx.args.value("output") ?? "text"
        guard let output = OutputFormat(rawValue: format) else {
            throw CLIError.usage("invalid argument \"\(format)\" for \"-o, --output\": must be text, json or yaml", command: ctx.commandPath)
        }
        var info: [(String, JSONValue)] = [("clientVersion", .object(clientVersion()))]
        var serverError: (any Error)?
        if !ctx.args.bool("client") {
            do {
                let server = try ctx.cluster().cluster.get("/version")
                info.append(("serverVersion", server))
            } catch {
                serverError = error
            }
        }
        let document = JSONValue.object(JSONObject(info))
        switch output {
        case .text:
            ctx.terminal.out("Client Version: v\(Version.current)\n")
            if let server = info.dropFirst().first?.1, let git = server["gitVersion"]?.string {
                ctx.terminal.out("Server Version: \(git)\n")
            }
        case .json: ctx.terminal.out(document.serialized(indent: 2) + "\n")
        case .yaml: ctx.terminal.out(YAML.emit(document))
        }
        if let serverError { throw serverError }
        return .ok
    }

    /// The client's version in the shape of the API server's `/version` (`version.Info`).
    static func clientVersion() -> JSONObject {
        let parts = Version.current.split(separator: ".").map(String.init)
        return JSONObject([
            ("major", .string(parts[0])), ("minor", .string(parts[1])),
            ("gitVersion", .string("v\(Version.current)")), ("platform", .string("linux/" + (arch() ?? "unknown"))),
        ])
    }

    private static func arch() -> String? {
        #if arch(x86_64)
        return "amd64"
        #elseif arch(arm64)
        return "arm64"
        #else
        return nil
        #endif
    }
}
