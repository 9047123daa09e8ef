import Foundation
import Synchronization

/// A thread-safe stop switch for long transfers (watches) and the pauses between them.
/// `cancel()` wakes the loop running the transfer, so a running watch aborts at once rather than
/// at the next progress tick, and wakes anyone in `pause(for:)`.
public final class StreamCancellation: Sendable {
    private struct State {
        var cancelled = false
        /// The wakes of the loops running transfers under this switch, by registration.
        var wakes: [Int: @Sendable () -> Void] = [:]
        var nextID = 0
    }
    private let state = Mutex(State())
    private let flag = Atomic<Bool>(false)
    private let condition = NSCondition()

    /// A switch in the "running" position.
    public init() {}

    /// True once `cancel()` was called.
    public var isCancelled: Bool { flag.load(ordering: .acquiring) }

    /// Stops every transfer and pause using this switch, now and in future.
    public func cancel() {
        flag.store(true, ordering: .releasing)
        state.withLock { s in
            s.cancelled = true
            for wake in s.wakes.values { wake() }
        }
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }

    /// Waits for `duration` or until cancelled; returns false when cancelled.
    public func pause(for duration: Duration) -> Bool {
        let deadline = Date(timeIntervalSinceNow: Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18)
        condition.lock()
        defer { condition.unlock() }
        while !isCancelled {
            if !condition.wait(until: deadline) { break }
        }
        return !isCancelled
    }

    /// Registers the wake of a loop running a transfer under this switch; nil when already cancelled
    /// (do not start). The wake is called, under this switch's lock, by `cancel()` until unregistered.
    func register(wake: @escaping @Sendable () -> Void) -> Int? {
        state.withLock { s in
            if s.cancelled { return nil }
            s.nextID += 1
            s.wakes[s.nextID] = wake
            return s.nextID
        }
    }

    /// Unregisters a wake before its loop may end.
    func unregister(_ id: Int) {
        _ = state.withLock { s in s.wakes.removeValue(forKey: id) }
    }
}
