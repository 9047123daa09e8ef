import Testing
@testable import InplaceCLI

/// kubectl's global flags anywhere on the line, in every spelling, for every command (cobra's `Find`
/// and pflag's parsing), and cobra's "Did you mean this?".
@Suite struct GlobalFlagTests {
    /// One global flag: how it is spelled and where its value lands.
    struct Global: CustomStringConvertible {
        var name: String
        var short: Character?
        /// nil for a boolean flag.
        var value: String?
        var landed: @Sendable (GlobalOptions) -> Bool
        var description: String { "--\(name)" }
    }

    static let globals: [Global] = [
        Global(name: "kubeconfig", value: "/tmp/kc") { $0.kubeconfig == "/tmp/kc" },
        Global(name: "context", value: "prod") { $0.connection.context == "prod" },
        Global(name: "cluster", value: "c1") { $0.connection.cluster == "c1" },
        Global(name: "user", value: "admin") { $0.connection.user == "admin" },
        Global(name: "namespace", short: "n", value: "shop") { $0.namespace == "shop" },
        Global(name: "server", short: "s", value: "https://k:6443") { $0.connection.server == "https://k:6443" },
        Global(name: "token", value: "t0k") { $0.connection.token == "t0k" },
        Global(name: "certificate-authority", value: "/ca.crt") { $0.connection.certificateAuthority == "/ca.crt" },
        Global(name: "client-certificate", value: "/c.crt") { $0.connection.clientCertificate == "/c.crt" },
        Global(name: "client-key", value: "/c.key") { $0.connection.clientKey == "/c.key" },
        Global(name: "insecure-skip-tls-verify") { $0.connection.insecureSkipTLSVerify },
        Global(name: "tls-server-name", value: "api.example") { $0.connection.tlsServerName == "api.example" },
        Global(name: "request-timeout", value: "5s") { $0.connection.requestTimeout == "5.0s" },
        Global(name: "v", short: "v", value: "6") { $0.verbosity == 6 },
        Global(name: "no-color") { $0.noColor },
        Global(name: "quiet", short: "q") { $0.quiet },
    ]

    /// Each visible command with arguments of its own that must survive the global flags around them.
    static let commandLines: [(name: String, own: [String])] = [
        ("plan", ["-f", "app.yaml", "--max-unavailable", "2"]),
        ("rollout", ["-f", "app.yaml", "--timeout=1m"]),
        ("set image", ["deploy/web", "app=nginx:1.27"]),
        ("status", ["deploy/web", "-w"]),
        ("pause", ["deploy/web"]),
        ("resume", ["deploy/web"]),
        ("undo", ["deploy/web"]),
        ("prepare", ["deploy/web", "--wait=false"]),
        ("controller", ["--print-manifest"]),
        ("completion", ["bash"]),
        ("version", ["--client"]),
    ]

    /// Every spelling of a flag: `--f v`, `--f=v`, `-s v`, `-s=v`, `-sv` (booleans: `--f`, `--f=true`, `-s`).
    static func spellings(_ g: Global) -> [[String]] {
        guard let value = g.value else {
            return [["--\(g.name)"], ["--\(g.name)=true"]] + (g.short.map { [["-\($0)"]] } ?? [])
        }
        var out = [["--\(g.name)", value], ["--\(g.name)=\(value)"]]
        if let s = g.short { out += [["-\(s)", value], ["-\(s)=\(value)"], ["-\(s)\(value)"]] }
        return out
    }

    /// The command and its parsed arguments, as `CLI.main` finds and parses them.
    func resolve(_ args: [String]) throws -> (Command, ParsedArguments) {
        guard case let .command(command, rest) = CommandLocator(commands: CLI.commands).locate(args) else {
            throw CLIError.usage("no command in \(args)", command: "test")
        }
        return (command, try ArgumentParser(flags: command.allFlags, command: command.name).parse(rest))
    }

    @Test(arguments: globals)
    func everyPositionEverySpellingEveryCommand(_ g: Global) throws {
        for (name, own) in Self.commandLines {
            let words = name.split(separator: " ").map(String.init)
            for flag in Self.spellings(g) {
                var lines = [flag + words + own, words + flag + own, words + own + flag]
                if words.count == 2 { lines.append([words[0]] + flag + [words[1]] + own) }
                for line in lines {
                    let (command, parsed) = try resolve(line)
                    #expect(command.name == name, "\(line)")
                    let options = try GlobalOptions(parsed, command: name)
                    #expect(g.landed(options), "\(line): \(g) did not reach the options")
                    let alone = try resolve(words + own).1
                    #expect(parsed.positionals == alone.positionals, "\(line): positionals")
                    #expect(parsed.values.filter { $0.key != g.name } == alone.values, "\(line): the command's own flags")
                }
            }
        }
    }

    @Test func theIssueExample() throws {
        let (command, parsed) = try resolve(["--context", "prod", "-n", "shop", "rollout", "-f", "app.yaml"])
        #expect(command.name == "rollout")
        #expect(parsed.all("filename") == ["app.yaml"])
        let options = try GlobalOptions(parsed, command: "rollout")
        #expect(options.connection.context == "prod" && options.namespace == "shop")
    }

    @Test func combinedShortFlags() throws {
        let (_, parsed) = try resolve(["plan", "-Rf", "dir", "-qv6"])
        #expect(parsed.bool("recursive") && parsed.all("filename") == ["dir"])
        #expect(parsed.bool("quiet") && parsed.value("v") == "6")
        #expect(try resolve(["plan", "-Rfdir"]).1.all("filename") == ["dir"])
        #expect(try resolve(["-qn", "shop", "plan"]).1.value("namespace") == "shop", "a cluster before the command skips its value")
        #expect(throws: CLIError.usage("flag needs an argument: 'f' in -f", command: "plan")) { try resolve(["plan", "-Rf"]) }
        #expect(throws: CLIError.usage("unknown shorthand flag: 'Z' in -RZ", command: "plan")) { try resolve(["plan", "-RZ"]) }
    }

    @Test func doubleDashEndsFlagsAndCommandSearch() throws {
        let (command, parsed) = try resolve(["-n", "x", "status", "--", "-w", "deploy/web"])
        #expect(command.name == "status")
        #expect(parsed.positionals == ["-w", "deploy/web"] && !parsed.bool("watch"))
        #expect(CommandLocator(commands: CLI.commands).commandWordPositions(["--", "plan"]).isEmpty)
    }

    @Test func bareDryRunMeansClientWithKubectlsWarning() throws {
        let (_, bare) = try resolve(["rollout", "--dry-run", "deploy/web"])
        #expect(bare.value("dry-run") == "client")
        #expect(bare.positionals == ["deploy/web"], "a bare --dry-run takes no separate value, as kubectl's")
        #expect(bare.warnings == ["--dry-run is deprecated and can be replaced with --dry-run=client."])
        #expect(try RolloutOptions(bare, command: "c").dryRun == .client)
        #expect(try resolve(["rollout", "--dry-run=false"]).1.value("dry-run") == "none")
        #expect(try resolve(["rollout", "--dry-run=server"]).1.warnings.isEmpty)
        #expect(try resolve(["prepare", "--dry-run", "deploy/web"]).1.value("dry-run") == "client")
        let r = runCLI(["rollout", "--dry-run", "--no-color", "deploy/web", "app=x:1", "--server", "http://127.0.0.1:1"])
        #expect(r.err.contains("warning: --dry-run is deprecated and can be replaced with --dry-run=client."), "\(r.err)")
    }

    @Test func didYouMean() {
        let plna = runCLI(["plna"])
        #expect(plna.code == 2)
        #expect(plna.err == "error: unknown command \"plna\" for \"kubectl inplace\"\n\nDid you mean this?\n\tplan\n\nRun 'kubectl inplace --help' for usage.\n")
        #expect(runCLI(["--context", "c", "rolout", "-f", "x"]).err.contains("Did you mean this?\n\trollout\n"))
        let flag = runCLI(["rollout", "--max-unavailible", "2"])
        #expect(flag.code == 2)
        #expect(flag.err.contains("unknown flag: --max-unavailible\n\nDid you mean this?\n\t--max-unavailable\n"), "\(flag.err)")
        #expect(runCLI(["--namepsace", "x", "plan"]).err.contains("Did you mean this?\n\t--namespace\n"))
        #expect(!runCLI(["zzzzzz"]).err.contains("Did you mean"), "nothing close: no suggestion")
        #expect(Suggestions.for("statu", among: ["status", "plan"]) == ["status"], "closest first")
        #expect(Suggestions.for("res", among: ["resume", "rollout"]) == ["resume"], "a prefix is suggested beyond two edits")
    }

    @Test func setListsItsSubcommands() {
        for line in [["set"], ["-n", "x", "set"], ["set", "--help"], ["help", "set"]] {
            let r = runCLI(line)
            #expect(r.out.contains("Available Commands:\n  image "), "\(line): \(r)")
            #expect(!r.err.contains("unknown command"), "\(line)")
            #expect(r.code == (line.contains("--help") || line.contains("help") ? 0 : 2), "\(line)")
        }
        let typo = runCLI(["set", "imgae", "deploy/web"])
        #expect(typo.code == 2)
        #expect(typo.err.contains("unknown command \"imgae\" for \"kubectl inplace set\"\n\nDid you mean this?\n\timage\n"))
    }

    @Test func commandsRejectFlagsThatMeanNothingToThem() {
        for flag in ["--dry-run=server", "--on-failure=rollback", "--grace-period=1s", "--pod-timeout=1m"] {
            let r = runCLI(["plan", "deploy/web", "app=x:1", flag])
            #expect(r.code == 2 && r.err.contains("unknown flag: \(flag.split(separator: "=")[0])"), "\(flag): \(r)")
        }
        let help = runCLI(["plan", "--help"]).out
        for absent in ["--dry-run", "--on-failure", "--grace-period", "--pod-timeout", "--timeout"] {
            #expect(!help.contains(absent), "plan's help lists \(absent)")
        }
        #expect(help.contains("--max-unavailable") && help.contains("--exit-code"))
    }

    @Test func rootVersionFlagAndHelp() {
        let v = runCLI(["--version"])
        #expect(v.code == 0 && v.out == "Client Version: v\(Version.current)\n")
        #expect(runCLI(["--context", "x"]).out.contains("Commands:"), "flags alone: root help, as cobra")
        #expect(runCLI(["--bogus"]).code == 2)
    }
}
