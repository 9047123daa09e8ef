import CCurl
import Foundation
import Synchronization

/// A thread-safe stop switch for long transfers (watches) and the pauses between them.
/// `cancel()` wakes the transfer's multi handle, so a running watch aborts at once rather than
/// at the next progress tick, and wakes anyone in `pause(for:)`.
public final class StreamCancellation: Sendable {
    private struct State {
        var cancelled = false
        /// Bit patterns of registered CURLM pointers.
        var multis: [UInt] = []
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
            for m in s.multis {
                if let p = UnsafeMutableRawPointer(bitPattern: m) { curl_multi_wakeup(p) }
            }
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

    /// Registers a running multi handle; false when already cancelled (do not start).
    func register(_ multi: UnsafeMutableRawPointer) -> Bool {
        let bits = UInt(bitPattern: multi)
        return state.withLock { s in
            if s.cancelled { return false }
            s.multis.append(bits)
            return true
        }
    }

    /// Unregisters a multi handle before it is cleaned up.
    func unregister(_ multi: UnsafeMutableRawPointer) {
        let bits = UInt(bitPattern: multi)
        state.withLock { s in s.multis.removeAll { $0 == bits } }
    }
}
