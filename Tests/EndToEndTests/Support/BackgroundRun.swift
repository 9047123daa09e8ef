import Foundation

/// The built binary running in the background (a long-running `controller`): its output goes to
/// files the test reads while it runs; it can be signalled, killed and awaited.
final class BackgroundRun: @unchecked Sendable {
    let process = Process()
    let args: [String]
    private let outPath: String
    private let errPath: String
    private let done = DispatchSemaphore(value: 0)
    private var finished = false

    /// Starts `runner`'s binary with `args` and exactly `environment`, in `directory`.
    init(_ runner: BinaryRunner, _ args: [String], environment: [String: String], directory: String) throws {
        self.args = args
        let tag = UUID().uuidString
        outPath = directory + "/.bg-stdout-\(tag)"
        errPath = directory + "/.bg-stderr-\(tag)"
        FileManager.default.createFile(atPath: outPath, contents: nil)
        FileManager.default.createFile(atPath: errPath, contents: nil)
        process.executableURL = runner.executable
        process.arguments = args
        process.environment = environment
        process.currentDirectoryURL = URL(fileURLWithPath: directory)
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        process.terminationHandler = { [done] _ in done.signal() }
        try process.run()
    }

    /// Everything written to stderr so far.
    var stderr: String { (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? "" }
    /// Everything written to stdout so far.
    var stdout: String { (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? "" }

    /// Waits until stderr contains `text`; false after `timeout` seconds or when the process ended first.
    func waitForLog(_ text: String, timeout: Double = 10) -> Bool {
        Eventually.wait(timeout) { stderr.contains(text) || !process.isRunning } && stderr.contains(text)
    }

    /// Sends `sig` (SIGTERM, SIGINT, SIGKILL).
    func signal(_ sig: Int32) {
        if process.isRunning { kill(process.processIdentifier, sig) }
    }

    /// Waits for the exit; its status (128+signal when killed), or nil after `timeout` seconds.
    func waitExit(timeout: Double = 10) -> Int32? {
        if !finished {
            guard done.wait(timeout: .now() + timeout) == .success else { return nil }
            finished = true
        }
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }

    /// Kills the process if it still runs and removes its files.
    func cleanUp() {
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            _ = waitExit(timeout: 5)
        }
        try? FileManager.default.removeItem(atPath: outPath)
        try? FileManager.default.removeItem(atPath: errPath)
    }
}

/// Polls a condition of the simulated cluster (in memory, so polling costs nothing but a lock).
enum Eventually {
    /// True as soon as `condition` holds; false once `timeout` seconds passed without it.
    static func wait(_ timeout: Double, _ condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if condition() { return true }
            usleep(10_000)
        }
        return condition()
    }
}

extension TestCluster {
    /// Starts the binary in the background with `KUBECONFIG` set to this cluster's kubeconfig.
    func start(_ args: [String], env extra: [String: String] = [:]) throws -> BackgroundRun {
        var env = BinaryRunner.baseEnvironment(home: dir)
        env["KUBECONFIG"] = kubeconfig
        for (k, v) in extra { env[k] = v }
        return try BackgroundRun(runner, args, environment: env, directory: dir)
    }
}

/// Plain HTTP GETs on loopback, for a process's health endpoints.
enum HTTPProbe {
    /// A TCP port nobody listens on right now (bound to 0 and released).
    static func freePort() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { p -> Int32 in
                guard bind(fd, p, length) == 0 else { return -1 }
                return getsockname(fd, p, &length)
            }
        }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// The status line and body of `GET path` on 127.0.0.1:port, or nil when nothing answers.
    static func get(port: Int, path: String) -> (status: String, body: String)? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = in_port_t(UInt16(port).bigEndian)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { return nil }
        let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
        _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1024)
        while true {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            bytes += buffer[0..<n]
        }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let head = text.range(of: "\r\n\r\n") else { return nil }
        let headers = text[..<head.lowerBound]
        let statusLine = headers.range(of: "\r\n").map { headers[..<$0.lowerBound] } ?? headers
        return (String(statusLine), String(text[head.upperBound...]))
    }
}
