import Synchronization

/// Passes every rollout event on, and tells its listener of each pod failure as it happens: the
/// invocation stops the other workloads then, not once the failed one has finished its pods in flight.
final class FailureSignal: RolloutObserver, Sendable {
    let next: any RolloutObserver
    private let listener = Mutex<(@Sendable (WorkloadRef) -> Void)?>(nil)

    init(next: any RolloutObserver) { self.next = next }

    /// Calls `body` with the workload of each pod failure from now on (replacing an earlier listener).
    func listen(_ body: @escaping @Sendable (WorkloadRef) -> Void) { listener.withLock { $0 = body } }

    func handle(_ event: RolloutEvent) {
        if case .podFailed(let ref, _, _, _) = event, let l = listener.withLock({ $0 }) { l(ref) }
        next.handle(event)
    }

    /// Holds nothing back itself: passes the loop's settling on.
    func settle() { next.settle() }
}
