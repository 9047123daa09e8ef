import Foundation
import JSON
import Synchronization
@testable import KubeClient

/// An Environment whose files live in a dictionary.
func memoryEnvironment(
    files: [String: String] = [:], variables: [String: String] = [:], home: String? = "/home/u",
    cwd: String = "/work", serviceAccountDirectory: String = "/sa", stdinIsTerminal: Bool = false
) -> Environment {
    let stored = files.mapValues { Array($0.utf8) }
    return Environment(
        variables: variables, homeDirectory: home, currentDirectory: cwd,
        serviceAccountDirectory: serviceAccountDirectory, stdinIsTerminal: stdinIsTerminal,
        readFile: { (path: String) throws(FileReadError) -> [UInt8] in
            guard let bytes = stored[path] else { throw .notFound }
            return bytes
        })
}

/// A sleeper that records requested waits and returns at once.
final class RecordingSleeper: Sleeper, @unchecked Sendable {
    private let lock = NSLock()
    private var _waits: [Duration] = []
    var waits: [Duration] { lock.withLock { _waits } }

    func sleep(for duration: Duration, cancellation: StreamCancellation?) -> Bool {
        lock.withLock { _waits.append(duration) }
        return !(cancellation?.isCancelled ?? false)
    }
}

/// Collects log lines.
final class LogCapture: @unchecked Sendable {
    private let lock = NSLock()
    private var _lines: [String] = []
    var lines: [String] { lock.withLock { _lines } }
    var text: String { lines.joined(separator: "\n") }
    var sink: LogSink { { [self] line in lock.withLock { _lines.append(line) } } }
}

/// A fresh temporary directory, removed by the caller with `removeTemporaryDirectory`.
func makeTemporaryDirectory() -> String {
    let path = NSTemporaryDirectory() + "kubeclient-tests-" + UUID().uuidString
    try! FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func removeTemporaryDirectory(_ path: String) { try? FileManager.default.removeItem(atPath: path) }

/// Writes an executable shell script (with a close-on-exec descriptor, so processes spawned by
/// concurrently running tests cannot keep it open for writing).
func writeScript(_ path: String, _ body: String) {
    let bytes = Array(("#!/bin/sh\n" + body).utf8)
    let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o755)
    precondition(fd >= 0, "cannot create \(path)")
    _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    close(fd)
    chmod(path, 0o755)
}

/// A client for a loopback server with test-friendly options.
func testClient(
    _ server: LoopbackHTTPServer, credentials: Credentials = Credentials(), timeout: Duration? = nil,
    verbosity: Int = 0, log: LogCapture? = nil, sleeper: RecordingSleeper = RecordingSleeper(),
    retry: RetryPolicy = RetryPolicy(), environment: Environment = memoryEnvironment(),
    now: @escaping @Sendable () -> Double = { WallClock.now() }, maxConcurrentWrites: Int = 64
) throws -> KubeClient {
    let config = ClientConfig(server: server.baseURL, credentials: credentials, requestTimeout: timeout)
    var sink: LogSink = { _ in }
    if let log { sink = log.sink }
    return try KubeClient(config: config, options: KubeClientOptions(
        userAgent: "kubectl-inplace/test", verbosity: verbosity, logSink: sink,
        retryPolicy: retry, sleeper: sleeper, random: { 0.5 }, environment: environment, now: now,
        connectTimeout: .seconds(5), maxConcurrentWrites: maxConcurrentWrites))
}

func json(_ text: String) -> JSONValue { try! JSONValue(parsing: text) }
