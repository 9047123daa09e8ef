import Foundation

/// Lets another thread (a signal handler, a pause seen in the cluster) ask a running rollout to stop.
public final class RolloutControl: @unchecked Sendable {
    /// Why a rollout stops before it is done.
    public enum StopReason: Sendable, Equatable {
        /// `pause` marked the record paused (the message says by whom).
        case paused(String)
        /// SIGINT or SIGTERM.
        case interrupted
        /// Another client took the rollout over; this one must not write its record any more.
        case takenOver(String)
        /// Another writer changed the workload's spec (`WorkloadChangeGuard`): the plan is void.
        case changedBy(writer: String, message: String)

        /// What the record says about the stop.
        public var recordMessage: String {
            switch self {
            case .paused(let by): return by
            case .interrupted: return "interrupted by a signal"
            case .takenOver(let by): return "taken over by \(by)"
            case .changedBy(_, let message): return message
            }
        }
    }

    private let lock = NSLock()
    private var reason: StopReason?
    private var listeners: [@Sendable (StopReason) -> Void] = []

    public init() {}

    /// Asks the rollout to start no new pod and finish those in flight.
    public func requestStop(_ r: StopReason) {
        lock.lock()
        let first = reason == nil
        if first { reason = r }
        let ls = listeners
        lock.unlock()
        if first { for l in ls { l(r) } }
    }

    /// The stop request, if any.
    public var stopReason: StopReason? {
        lock.lock()
        defer { lock.unlock() }
        return reason
    }

    /// A control of its own for one workload of an invocation: a stop asked of this one (a signal)
    /// reaches it, a stop asked of it (a pause, a take-over) reaches no other.
    public func child() -> RolloutControl {
        let child = RolloutControl()
        onStop { child.requestStop($0) }
        return child
    }

    /// Calls `listener` when a stop is requested (at once if it already was).
    public func onStop(_ listener: @escaping @Sendable (StopReason) -> Void) {
        lock.lock()
        listeners.append(listener)
        let r = reason
        lock.unlock()
        if let r { listener(r) }
    }
}
