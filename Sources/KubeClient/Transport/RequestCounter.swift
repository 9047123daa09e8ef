import Synchronization

/// Counts the requests a client sent (every attempt, retries included), by verb: `GET`, `LIST`,
/// `WATCH`, `POST`, `PUT`, `PATCH`, `DELETE`. Shared and thread-safe, for the rollout summary.
public final class RequestCounter: Sendable {
    private let counts = Mutex<[String: Int]>([:])

    /// An empty counter.
    public init() {}

    /// Adds one request of `verb`.
    public func record(_ verb: String) {
        counts.withLock { $0[verb, default: 0] += 1 }
    }

    /// The counts so far.
    public var snapshot: [String: Int] { counts.withLock { $0 } }

    /// All requests so far.
    public var total: Int { counts.withLock { $0.values.reduce(0, +) } }
}
