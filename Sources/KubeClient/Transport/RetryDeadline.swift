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

    /// How long to wait before a retry the policy wants after `delay`: `delay`, cut short at the
    /// deadline (the last attempt is made then); nil once the deadline has passed.
    public func wait(for delay: Duration) -> Duration? {
        guard let deadline = instant.withLock({ $0 }) else { return delay }
        let left = deadline - ContinuousClock.now
        guard left > .zero else { return nil }
        return min(delay, left)
    }
}
