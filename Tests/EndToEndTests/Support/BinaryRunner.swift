import Foundation

/// What one run of the built `kubectl-inplace` produced.
struct RunResult: Sendable, CustomStringConvertible {
    /// The exit status (or 128+signal when killed).
    var status: Int32
    /// Everything written to standard output.
    var stdout: String
    /// Everything written to standard error.
    var stderr: String
    /// How long the process ran.
    var seconds: Double

    /// Both streams together, for assertions about "anywhere in the output".
    var allOutput: String { stdout + "\n" + stderr }

    var description: String { "exit \(status) after \(String(format: "%.2f", seconds))s\n--- stdout\n\(stdout)\n--- stderr\n\(stderr)" }
}

/// Why the binary could not be run at all.
enum BinaryRunnerError: Error, CustomStringConvertible {
    case binaryNotFound(String)
    case timedOut(seconds: Double, args: [String], partial: RunResult)

    var description: String {
        switch self {
        case .binaryNotFound(let looked):
            return "the kubectl-inplace binary was not found (looked at \(looked)); build it first with `swift build --build-tests` or set KUBECTL_INPLACE_BINARY"
        case let .timedOut(seconds, args, partial):
            return "kubectl-inplace \(args.joined(separator: " ")) did not finish within \(seconds)s (killed)\n\(partial)"
        }
    }
}

/// Runs the built `kubectl-inplace` executable as a subprocess with a clean environment, optional
/// standard input and a timeout; stdout and stderr go to temporary files so no pipe can fill up.
struct BinaryRunner: Sendable {
    /// The executable.
    let executable: URL

    /// The binary beside the test bundle (`<scratch>/debug/kubectl-inplace`), or `KUBECTL_INPLACE_BINARY`.
    static func locate() throws -> BinaryRunner {
        if let explicit = ProcessInfo.processInfo.environment["KUBECTL_INPLACE_BINARY"], !explicit.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: explicit) else { throw BinaryRunnerError.binaryNotFound(explicit) }
            return BinaryRunner(executable: URL(fileURLWithPath: explicit))
        }
        var candidates: [URL] = []
        let selfExe = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        candidates.append(selfExe.deletingLastPathComponent())
        candidates += Bundle.allBundles.filter { $0.bundlePath.hasSuffix(".xctest") }.map { $0.bundleURL.deletingLastPathComponent() }
        candidates.append(Bundle.main.bundleURL)
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for dir in candidates {
            let url = dir.appendingPathComponent("kubectl-inplace")
            if FileManager.default.isExecutableFile(atPath: url.path) { return BinaryRunner(executable: url) }
        }
        throw BinaryRunnerError.binaryNotFound(candidates.map(\.path).joined(separator: ", "))
    }

    /// The environment every run starts from: PATH only (plus LANG), so the developer's own
    /// kubeconfig, proxies and `KUBERNETES_*` variables never leak in. `HOME` must be given.
    static func baseEnvironment(home: String) -> [String: String] {
        ["PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin", "HOME": home, "LANG": "C.UTF-8"]
    }

    /// Runs the binary with `args` and exactly `environment`; `stdin` is fed from a file (empty when nil).
    func run(_ args: [String], environment: [String: String], stdin: [UInt8]? = nil, workingDirectory: String,
             timeout: Double = 20) throws -> RunResult {
        let tag = UUID().uuidString
        let outPath = workingDirectory + "/.stdout-\(tag)"
        let errPath = workingDirectory + "/.stderr-\(tag)"
        let inPath = workingDirectory + "/.stdin-\(tag)"
        let fm = FileManager.default
        fm.createFile(atPath: outPath, contents: nil)
        fm.createFile(atPath: errPath, contents: nil)
        fm.createFile(atPath: inPath, contents: Data(stdin ?? []))
        defer {
            for p in [outPath, errPath, inPath] { try? fm.removeItem(atPath: p) }
        }
        let outHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let errHandle = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        let inHandle = try FileHandle(forReadingFrom: URL(fileURLWithPath: inPath))
        defer {
            try? outHandle.close()
            try? errHandle.close()
            try? inHandle.close()
        }

        let process = Process()
        process.executableURL = executable
        process.arguments = args
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: workingDirectory)
        process.standardInput = inHandle
        process.standardOutput = outHandle
        process.standardError = errHandle
        let done = DispatchSemaphore(value: 0)
        process.terminationHandler = { _ in done.signal() }
        let start = Date()
        try process.run()
        let finished = done.wait(timeout: .now() + timeout) == .success
        if !finished {
            kill(process.processIdentifier, SIGKILL)
            _ = done.wait(timeout: .now() + 5)
        }
        let seconds = Date().timeIntervalSince(start)
        let status: Int32 = process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
        let result = RunResult(
            status: status,
            stdout: (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "<stdout is not UTF-8>",
            stderr: (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "<stderr is not UTF-8>",
            seconds: seconds)
        if !finished { throw BinaryRunnerError.timedOut(seconds: timeout, args: args, partial: result) }
        return result
    }
}
