import Foundation
import Testing
@testable import InplaceCLI

/// Help text, completion scripts and the man page are compared with committed files; run with
/// UPDATE_GOLDEN=1 to rewrite them after an intended change.
@Suite struct GoldenTests {
    func check(_ actual: String, against relativePath: String) throws {
        let url = repositoryRoot.appendingPathComponent(relativePath)
        if ProcessInfo.processInfo.environment["UPDATE_GOLDEN"] == "1" {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        let expected = try String(contentsOf: url, encoding: .utf8)
        #expect(actual == expected, "\(relativePath) differs from the generated text; rerun with UPDATE_GOLDEN=1 if intended")
    }

    @Test func rootHelp() throws {
        let r = runCLI(["--help"])
        #expect(r.code == 0)
        try check(r.out, against: "Tests/InplaceCLITests/Golden/help.txt")
    }

    @Test(arguments: CLI.commands.filter { !$0.hidden }.map(\.name))
    func commandHelp(_ name: String) throws {
        let r = runCLI(name.split(separator: " ").map(String.init) + ["--help"])
        #expect(r.code == 0)
        #expect(r.out.contains("kubectl inplace \(name)"))
        try check(r.out, against: "Tests/InplaceCLITests/Golden/help-\(name.replacingOccurrences(of: " ", with: "-")).txt")
    }

    @Test(arguments: ["bash", "zsh", "fish"])
    func completionScripts(_ shell: String) throws {
        let r = runCLI(["completion", shell])
        #expect(r.code == 0)
        try check(r.out, against: "completions/kubectl-inplace.\(shell)")
    }

    @Test func manPage() throws {
        let r = runCLI(["__man"])
        #expect(r.code == 0)
        #expect(r.out.hasPrefix(".TH KUBECTL-INPLACE 1"))
        try check(r.out, against: "man/kubectl-inplace.1")
    }

    @Test func helpSaysTheProgramNameItWasRunAs() {
        let t = CapturingTerminal()
        _ = CLI.main(["/opt/bin/inplace-dev", "plan", "--help"], terminal: t, environment: [:])
        #expect(t.output.contains("inplace-dev plan (-f FILE"))
        #expect(!t.output.contains("kubectl inplace"))
    }
}
