import Foundation
@testable import InplaceCLI

/// A terminal that records what a command writes.
final class CapturingTerminal: Terminal, @unchecked Sendable {
    private let lock = NSLock()
    private var stdout = ""
    private var stderr = ""
    private var stdoutWrites = 0
    let stdin: [UInt8]
    let tty: Bool

    init(stdin: String = "", tty: Bool = false) {
        self.stdin = Array(stdin.utf8)
        self.tty = tty
    }

    func out(_ text: String) { lock.lock(); stdout += text; stdoutWrites += 1; lock.unlock() }
    func err(_ text: String) { lock.lock(); stderr += text; lock.unlock() }
    var stdoutIsTTY: Bool { tty }
    var stderrIsTTY: Bool { tty }
    var width: Int { 100 }
    func readStandardInput() -> [UInt8] { stdin }
    var output: String { lock.lock(); defer { lock.unlock() }; return stdout }
    var errors: String { lock.lock(); defer { lock.unlock() }; return stderr }
    /// How many writes to stdout were made.
    var outputWrites: Int { lock.lock(); defer { lock.unlock() }; return stdoutWrites }
}

/// Runs the CLI in-process as `kubectl-inplace ARGS`.
func runCLI(_ args: [String], stdin: String = "", env: [String: String] = [:]) -> (code: Int32, out: String, err: String) {
    let t = CapturingTerminal(stdin: stdin)
    let code = CLI.main(["/usr/local/bin/kubectl-inplace"] + args, terminal: t, environment: env)
    return (code, t.output, t.errors)
}

/// The repository root, from this file's path.
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()
