/// When to try a request again, as a pure function of what happened.
///
/// Idempotent requests (GET, LIST, and whatever the caller marks idempotent) are retried on
/// 429, 500, 502, 503, 504, on connection failures and on connections lost mid-request, with
/// exponential backoff and jitter, or after the server's `Retry-After` seconds when given.
/// Other requests are retried only when the server cannot have acted on them: a connection that
/// could not be made, or 429 with `Retry-After` (API priority and fairness rejects before
/// processing; client-go retries those for every verb too). Timeouts, TLS and DNS failures are
/// not retried.
public struct RetryPolicy: Sendable, Equatable {
    /// Total attempts for a request, the first one included.
    public var maxAttempts: Int
    /// Total attempts when the connection cannot even be made (kept short so an unreachable
    /// cluster is reported quickly).
    public var maxConnectAttempts: Int
    /// Backoff before the first retry; doubles each time.
    public var baseDelay: Duration
    /// Upper bound of the computed backoff.
    public var maxDelay: Duration
    /// Upper bound of an honoured `Retry-After`.
    public var maxRetryAfter: Duration
    /// Spread of the random jitter as a fraction of the delay (0.5 = ±25%).
    public var jitter: Double

    /// The default policy: 5 attempts (3 for refused connections), 250 ms doubling to 8 s.
    public init(
        maxAttempts: Int = 5, maxConnectAttempts: Int = 3, baseDelay: Duration = .milliseconds(250),
        maxDelay: Duration = .seconds(8), maxRetryAfter: Duration = .seconds(60), jitter: Double = 0.5
    ) {
        self.maxAttempts = maxAttempts
        self.maxConnectAttempts = maxConnectAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
        self.jitter = jitter
    }

    /// A policy that never retries.
    public static let none = RetryPolicy(maxAttempts: 1, maxConnectAttempts: 1)

    /// What an attempt produced.
    public enum Outcome: Sendable, Equatable {
        /// An HTTP response with this status and `Retry-After` seconds, if any.
        case response(status: Int, retryAfterSeconds: Int?)
        /// No usable response.
        case transport(TransportError.Kind)
    }

    /// What to do next.
    public enum Decision: Sendable, Equatable {
        case retry(after: Duration)
        case giveUp
    }

    /// The decision after attempt number `attempt` (1-based) ended with `outcome`;
    /// `random` in 0..<1 drives the jitter.
    public func decide(attempt: Int, idempotent: Bool, outcome: Outcome, random: Double) -> Decision {
        switch outcome {
        case .response(let status, let retryAfter):
            guard attempt < maxAttempts else { return .giveUp }
            if status == 429 {
                if let retryAfter { return .retry(after: honoured(retryAfter)) }
                return idempotent ? .retry(after: backoff(attempt, random)) : .giveUp
            }
            guard [500, 502, 503, 504].contains(status), idempotent else { return .giveUp }
            if let retryAfter { return .retry(after: honoured(retryAfter)) }
            return .retry(after: backoff(attempt, random))
        case .transport(let kind):
            switch kind {
            case .connectFailed:
                return attempt < min(maxAttempts, maxConnectAttempts) ? .retry(after: backoff(attempt, random)) : .giveUp
            case .connectionLost:
                return idempotent && attempt < maxAttempts ? .retry(after: backoff(attempt, random)) : .giveUp
            default:
                return .giveUp
            }
        }
    }

    /// Exponential backoff for the retry after `attempt`, capped, with jitter.
    public func backoff(_ attempt: Int, _ random: Double) -> Duration {
        let base = Double(baseDelay.components.seconds) + Double(baseDelay.components.attoseconds) / 1e18
        let cap = Double(maxDelay.components.seconds) + Double(maxDelay.components.attoseconds) / 1e18
        let raw = min(cap, base * Double(1 << min(max(attempt - 1, 0), 30)))
        let factor = 1 + jitter * (min(max(random, 0), 1) - 0.5)
        return .milliseconds(Int((raw * factor * 1000).rounded()))
    }

    private func honoured(_ seconds: Int) -> Duration {
        min(.seconds(max(0, seconds)), maxRetryAfter)
    }
}
