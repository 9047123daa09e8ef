import Foundation
import Locking

/// A blocking multi-producer queue: watch threads and write workers post, the rollout loop waits.
/// A post wakes the consumer only while it waits, and a post inside a `WakeBatch` (the events of one
/// read, what one ready socket delivered) wakes it once at the batch's end, so a burst is taken in one pass.
/// `@unchecked`: `items` and `waiting` are guarded by the condition variable the consumer waits on.
public final class EventQueue<Element: Sendable>: @unchecked Sendable, BatchWakeable {
    private let condition = NSCondition()
    private var items: [Element] = []
    /// True while the consumer waits in `drain`.
    private var waiting = false

    public init() {}

    /// Adds an element and wakes the consumer (at the end of the thread's batch, if one runs).
    public func post(_ element: Element) {
        condition.lock()
        items.append(element)
        if waiting && !WakeBatch.deferWake(self) { condition.signal() }
        condition.unlock()
    }

    /// Adds an element without waking the consumer: it is taken with the next element that wakes
    /// it, or when its wait ends (what the consumer can also learn another way: a write's answer
    /// whose effect the watch delivers too).
    public func postQuietly(_ element: Element) {
        condition.lock()
        items.append(element)
        condition.unlock()
    }

    /// Wakes the consumer if it waits (a batch that posted to it has ended). The signal follows the
    /// unlock, so the consumer does not wake into a lock still held; it cannot be missed, since the
    /// consumer looks at the items under the lock before it waits.
    public func wakeNow() {
        condition.lock()
        let waits = waiting
        condition.unlock()
        if waits { condition.signal() }
    }

    /// Takes every queued element, waiting until one arrives or `deadline` (monotonic seconds) passes.
    public func drain(until deadline: Double, clock: any RolloutClock) -> [Element] {
        var batch: [Element] = []
        drain(until: deadline, clock: clock, into: &batch)
        return batch
    }

    /// `drain`, into `batch` (emptied first): the queue and its consumer swap buffers, so a loop that
    /// drains many times allocates none once both have grown to its bursts.
    public func drain(until deadline: Double, clock: any RolloutClock, into batch: inout [Element]) {
        batch.removeAll(keepingCapacity: true)
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty {
            let remaining = deadline - clock.monotonic
            if remaining <= 0 { return }
            waiting = true
            _ = condition.wait(until: Date(timeIntervalSinceNow: min(remaining, 3600)))
            waiting = false
        }
        swap(&items, &batch)
    }
}
