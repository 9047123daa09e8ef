#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A timestamped trace of what reaches and leaves the client (watch events received, requests
/// sent, slots handed over by a rollout), one line per mark: `<monotonic ns> <text>`. Off unless
/// `KUBECTL_INPLACE_TRACE` names a file; `make bench` reads it for the hand-off latency.
public final class ClientTrace: Sendable {
    /// The environment variable naming the trace file.
    public static let variable = "KUBECTL_INPLACE_TRACE"

    private let fd: Int32

    /// A trace appending to `path`; nil when the file cannot be opened.
    public init?(path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        self.fd = fd
    }

    /// The trace the environment asks for, if any.
    public static func from(environment: [String: String]) -> ClientTrace? {
        guard let path = environment[variable], !path.isEmpty else { return nil }
        return ClientTrace(path: path)
    }

    deinit { close(fd) }

    /// Monotonic nanoseconds, the time base of every mark.
    public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Appends one line stamped `at` (now by default); each line is one write, so lines from
    /// different threads never interleave.
    public func mark(_ text: String, at time: UInt64 = ClientTrace.now()) {
        var line = Array(String(time).utf8)
        line.append(0x20)
        line.append(contentsOf: text.utf8)
        line.append(0x0A)
        line.withUnsafeBytes { raw in _ = write(fd, raw.baseAddress, raw.count) }
    }
}
