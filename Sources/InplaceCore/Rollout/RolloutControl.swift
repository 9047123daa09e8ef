import Foundation

/// Lets another thread (a signal handler, a pause seen in the cluster) ask a running rollout to stop.
public final class RolloutControl: Sendable {
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

    /// The stop request, and who to tell when it comes.
    private let state = Mutex<(reason: StopReason?, listeners: [@Sendable (StopReason) -> Void])>((nil, []))

    public init() {}

    /// Asks the rollout to start no new pod and finish those in flight.
    public func requestStop(_ r: StopReason) {
        let tell = state.withLock { s -> [@Sendable (StopReason) -> Void] in
            guard s.reason == nil else { return [] }
            s.reason = r
            return s.listeners
        }
        for l in tell { l(r) }
    }

    /// The stop request, if any.
    public var stopReason: StopReason? { state.withLock { $0.reason } }

    /// A control of its own for one workload of an invocation: a stop asked of this one (a signal)
    /// reaches it, a stop asked of it (a pause, a take-over) reaches no other.
    public func child() -> RolloutControl {
        let child = RolloutControl()
        onStop { child.requestStop($0) }
        return child
    }

    /// Calls `listener` when a stop is requested (at once if it already was).
    public func onStop(_ listener: @escaping @Sendable (StopReason) -> Void) {
        let r = state.withLock { s -> StopReason? in
            s.listeners.append(listener)
            return s.reason
        }
        if let r { listener(r) }
    }
}
