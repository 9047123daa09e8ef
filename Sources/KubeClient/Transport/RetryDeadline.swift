import Synchronization

/// The moment after which no request is retried any more (a command's `--timeout`): a request
/// failing then fails at once instead of waiting out its retry budget.
public final class RetryDeadline: Sendable {
    private let instant = Mutex<ContinuousClock.Instant?>(nil)

    /// No deadline until `set` is called.
    public init() {}

    /// Sets the deadline `seconds` from now; nil removes it.
    public func set(secondsFromNow seconds: Double?) {
        let value = seconds.map { ContinuousClock.now + .milliseconds(Int(($0 * 1000).rounded())) }
        instant.withLock { $0 = value }
    }

    /// True when a retry that waits `delay` would start after the deadline.
    public func forbids(retryAfter delay: Duration) -> Bool {
        guard let deadline = instant.withLock({ $0 }) else { return false }
        return ContinuousClock.now + delay >= deadline
    }
}
