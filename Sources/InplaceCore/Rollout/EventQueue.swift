import Foundation

/// A blocking multi-producer queue: watch threads and write workers post, the rollout loop waits.
/// `@unchecked`: `items` is guarded by the condition variable the consumer waits on with a deadline.
public final class EventQueue<Element: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var items: [Element] = []

    public init() {}

    /// Adds an element and wakes the consumer.
    public func post(_ element: Element) {
        condition.lock()
        items.append(element)
        condition.signal()
        condition.unlock()
    }

    /// Takes every queued element, waiting until one arrives or `deadline` (monotonic seconds) passes.
    public func drain(until deadline: Double, clock: any RolloutClock) -> [Element] {
        condition.lock()
        defer { condition.unlock() }
        while items.isEmpty {
            let remaining = deadline - clock.monotonic
            if remaining <= 0 { return [] }
            _ = condition.wait(until: Date(timeIntervalSinceNow: min(remaining, 3600)))
        }
        defer { items.removeAll(keepingCapacity: true) }
        return items
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
            _ = condition.wait(until: Date(timeIntervalSinceNow: min(remaining, 3600)))
        }
        swap(&items, &batch)
    }
}
