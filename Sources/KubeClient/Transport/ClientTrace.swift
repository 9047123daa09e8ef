#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A timestamped trace of what reaches and leaves the client (watch events received, requests
/// sent, slots handed over by a rollout), one line per mark: `<monotonic ns> <text>`. Off unless
/// `KUBECTL_INPLACE_TRACE` names a file; `make bench` reads it for the hand-off latency. Lines are
/// kept and written a block at a time (a write per mark cost about a seventh of a traced
/// rollout's CPU), and at `flush()` and the process's exit: a process killed outright loses its
/// last block.
public final class ClientTrace: Sendable {
    /// The environment variable naming the trace file.
    public static let variable = "KUBECTL_INPLACE_TRACE"

    /// How many bytes of lines are kept before they are written.
    static let blockBytes = 64 << 10

    private let fd: Int32
    /// Lines not written yet, in the order they were marked.
    private let pending = Mutex<[UInt8]>([])

    /// A trace appending to `path`; nil when the file cannot be opened. What it keeps is written
    /// at the process's exit too.
    public init?(path: String) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { return nil }
        self.fd = fd
        Self.opened.withLock { traces in
            traces.removeAll { $0.trace == nil }
            traces.append(Held(trace: self))
        }
        _ = Self.flushedAtExit
    }

    /// The trace the environment asks for, if any.
    public static func from(environment: [String: String]) -> ClientTrace? {
        guard let path = environment[variable], !path.isEmpty else { return nil }
        return ClientTrace(path: path)
    }

    deinit {
        writePending()
        close(fd)
    }

    /// Monotonic nanoseconds, the time base of every mark.
    public static func now() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    /// Appends one line stamped `at` (now by default); lines from different threads never
    /// interleave, and are written in the order they were marked.
    public func mark(_ text: String, at time: UInt64 = ClientTrace.now()) {
        let stamp = String(time)
        pending.withLock { lines in
            lines.append(contentsOf: stamp.utf8)
            lines.append(0x20)
            lines.append(contentsOf: text.utf8)
            lines.append(0x0A)
            if lines.count >= Self.blockBytes { writeOut(&lines) }
        }
    }

    /// Writes every line marked so far.
    public func flush() { writePending() }

    private func writePending() { pending.withLock { writeOut(&$0) } }

    /// Writes `lines` and empties them (with the lock held, so blocks keep their order).
    private func writeOut(_ lines: inout [UInt8]) {
        lines.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                done += n
            }
        }
        lines.removeAll(keepingCapacity: true)
    }

    /// A trace still open, as the exit's flush finds it (one that ended wrote its lines then).
    private struct Held: @unchecked Sendable {
        weak var trace: ClientTrace?
    }

    /// The traces opened in this process, flushed when it exits.
    private static let opened = Mutex<[Held]>([])

    /// Registers the flush of every open trace at the process's exit (once).
    private static let flushedAtExit: Bool = {
        atexit { ClientTrace.opened.withLock { traces in for held in traces { held.trace?.writePending() } } }
        return true
    }()
}
