import Foundation

/// The command-line tools the TLS tests need (`openssl`, `socat`): found on PATH, or a clear failure
/// telling how to get them. `SKIP_TLS_TESTS=1` disables the suites that need them instead.
enum ExternalTools {
    /// True when the user asked to skip the TLS and authentication tests.
    static var skipTLS: Bool { ProcessInfo.processInfo.environment["SKIP_TLS_TESTS"] == "1" }

    /// The absolute path of `name` on PATH, or a failure naming the fix.
    static func require(_ name: String) throws -> String {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for dir in path.split(separator: ":") {
            let candidate = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw E2EError.missingTool(
            "\(name) is not installed but the TLS/auth end-to-end tests need it: run `make deps` (apt-get install socat openssl), or set SKIP_TLS_TESTS=1 to skip these tests")
    }

    /// Runs a tool to completion (output to a file in `directory`); fails with its output when it fails.
    static func run(_ tool: String, _ args: [String], in directory: String) throws {
        let log = directory + "/.\((tool as NSString).lastPathComponent)-\(UUID().uuidString).log"
        FileManager.default.createFile(atPath: log, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: log) }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: log))
        defer { try? handle.close() }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: directory)
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = handle
        p.standardError = handle
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            let output = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            throw E2EError.tool("\(tool) \(args.joined(separator: " ")) failed with status \(p.terminationStatus): \(output)")
        }
    }
}
