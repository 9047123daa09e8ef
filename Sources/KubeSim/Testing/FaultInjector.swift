import Synchronization

/// Injected failures and delays for requests matching a method and a path glob: tests use it to
/// check retries (429/5xx with Retry-After), conflicts and slow servers.
public final class FaultInjector: Sendable {
    /// One rule.
    public struct Rule: Sendable {
        /// What happens to a matching request.
        public enum Action: Sendable {
            /// Answer this error instead of handling the request.
            case fail(APIError)
            /// Wait this many seconds, then handle the request normally.
            case stall(Double)
            /// Handle the request (its change is stored and watched at once), then hold its answer
            /// this many seconds: an answer slower than the watch event of the same write.
            case holdAnswer(Double)
        }

        /// The method matched (nil: any).
        public var method: String?
        /// The path glob matched.
        public var pathPattern: String
        /// Uses left.
        public var remaining: Int
        /// What happens to a matching request.
        public var action: Action
        /// Also matches dry runs (`dryRun=All`); by default a rule is for the writes that store.
        public var includesDryRun = false
    }

    private let rules = Mutex<[Rule]>([])

    /// An injector with no rules.
    public init() {}

    /// Fails the next `count` requests matching `method` (nil: any) and `path` (a glob) with `status`,
    /// a Status of the real reason for that code, and Retry-After when given.
    public func failNext(
        _ count: Int = 1, method: String? = nil, path: String = "*", status: Int, retryAfterSeconds: Int? = nil,
        message: String? = nil
    ) {
        let error = APIError.generic(code: status, message: message, retryAfterSeconds: retryAfterSeconds)
        rules.withLock { $0.append(Rule(method: method, pathPattern: path, remaining: count, action: .fail(error))) }
    }

    /// Fails the next `count` matching requests with exactly this error (dry runs too when
    /// `includesDryRun`, as an admission controller refuses both).
    public func failNext(_ count: Int = 1, method: String? = nil, path: String = "*", with error: APIError, includesDryRun: Bool = false) {
        rules.withLock {
            $0.append(Rule(method: method, pathPattern: path, remaining: count, action: .fail(error), includesDryRun: includesDryRun))
        }
    }

    /// Delays the next `count` matching requests by `seconds` before handling them.
    public func stallNext(_ count: Int = 1, method: String? = nil, path: String = "*", seconds: Double) {
        rules.withLock { $0.append(Rule(method: method, pathPattern: path, remaining: count, action: .stall(seconds))) }
    }

    /// Holds the answers of the next `count` matching requests `seconds` after handling them.
    public func holdAnswersNext(_ count: Int = 1, method: String? = nil, path: String = "*", seconds: Double) {
        rules.withLock { $0.append(Rule(method: method, pathPattern: path, remaining: count, action: .holdAnswer(seconds))) }
    }

    /// Removes every rule.
    public func clear() { rules.withLock { $0.removeAll() } }

    /// The number of rules with uses left.
    public var pendingRules: Int { rules.withLock { $0.count } }

    /// The action for a request, consuming one use of the first matching rule.
    func take(method: String, path: String, dryRun: Bool = false) -> Rule.Action? {
        rules.withLock { rules in
            guard let i = rules.firstIndex(where: {
                ($0.method == nil || $0.method == method) && Glob.matches($0.pathPattern, path) && (!dryRun || $0.includesDryRun)
            })
            else { return nil }
            let action = rules[i].action
            rules[i].remaining -= 1
            if rules[i].remaining <= 0 { rules.remove(at: i) }
            return action
        }
    }
}
