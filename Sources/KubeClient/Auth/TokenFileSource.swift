import Synchronization

/// A bearer token read from a file and re-read at most once a minute (service account tokens
/// are rotated by the kubelet), keeping the last good token when a re-read fails — as
/// client-go's CachedFileTokenSource does.
final class TokenFileSource: Sendable {
    private struct State {
        var token: String
        var readAt: ContinuousClock.Instant
    }
    let path: String
    private let environment: Environment
    private let period: Duration
    private let state: Mutex<State>

    /// A source starting from `initialToken` (already read at configuration time).
    init(path: String, initialToken: String, environment: Environment, period: Duration = .seconds(60)) {
        self.path = path
        self.environment = environment
        self.period = period
        state = Mutex(State(token: initialToken.trimmingSpaces(), readAt: .now))
    }

    /// The current token.
    func token() -> String {
        state.withLock { s in
            if ContinuousClock.now - s.readAt < period { return s.token }
            s.readAt = .now
            if let bytes = try? environment.readFile(path) {
                let t = String(decoding: bytes, as: UTF8.self).trimmingSpaces()
                if !t.isEmpty { s.token = t }
            }
            return s.token
        }
    }
}
