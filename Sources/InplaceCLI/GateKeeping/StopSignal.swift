import Dispatch
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGINT/SIGTERM as a stop request that long-running commands wait on (or hear through `onFirst`);
/// a second signal exits at once with `secondExit`.
/// `@unchecked`: `count` and `signalled` are guarded by the condition variable `wait` sleeps on; `sources` is set in `init` only.
final class StopSignal: @unchecked Sendable {
    private var sources: [DispatchSourceSignal] = []
    private let condition = NSCondition()
    private var count = 0
    private var signalled: Int32?

    init(secondExit: ExitCode, onFirst: @escaping @Sendable () -> Void = {}, onSecond: @escaping @Sendable () -> Void = {}) {
        var blocked = sigset_t()
        sigemptyset(&blocked)
        sigaddset(&blocked, SIGINT)
        sigaddset(&blocked, SIGTERM)
        sigprocmask(SIG_UNBLOCK, &blocked, nil)
        for sig in [SIGINT, SIGTERM] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            source.setEventHandler { [weak self] in
                guard let self else { return }
                self.condition.lock()
                self.count += 1
                let n = self.count
                if self.signalled == nil { self.signalled = sig }
                self.condition.broadcast()
                self.condition.unlock()
                if n == 1 { onFirst() }
                if n > 1 {
                    onSecond()
                    exit(secondExit.rawValue)
                }
            }
            source.resume()
            sources.append(source)
        }
    }

    /// The first signal received (SIGINT or SIGTERM), if any.
    var received: Int32? {
        condition.lock()
        defer { condition.unlock() }
        return signalled
    }

    /// `SIGINT` / `SIGTERM` for messages.
    var name: String { received == SIGTERM ? "SIGTERM" : "SIGINT" }

    /// Waits up to `seconds`; true when a stop was requested.
    @discardableResult
    func wait(_ seconds: Double) -> Bool {
        let deadline = Date(timeIntervalSinceNow: max(0, seconds))
        condition.lock()
        defer { condition.unlock() }
        while signalled == nil {
            if !condition.wait(until: deadline) { break }
        }
        return signalled != nil
    }

    /// Restores the default signal handling.
    func stop() {
        for s in sources { s.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
