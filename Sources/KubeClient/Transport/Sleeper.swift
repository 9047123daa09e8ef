#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Waits between retries and reconnects; injectable so tests do not sleep.
public protocol Sleeper: Sendable {
    /// Waits `duration`, returning early (and false) when `cancellation` fires.
    func sleep(for duration: Duration, cancellation: StreamCancellation?) -> Bool
}

/// Real waiting: a cancellable condition wait, or nanosleep.
public struct ThreadSleeper: Sleeper {
    /// The real sleeper.
    public init() {}

    /// Waits on the cancellation switch when there is one, else sleeps the thread.
    public func sleep(for duration: Duration, cancellation: StreamCancellation?) -> Bool {
        if let cancellation { return cancellation.pause(for: duration) }
        let c = duration.components
        var ts = timespec(tv_sec: Int(c.seconds), tv_nsec: Int(c.attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&ts, &remaining) != 0 && errno == EINTR { ts = remaining }
        return true
    }
}
