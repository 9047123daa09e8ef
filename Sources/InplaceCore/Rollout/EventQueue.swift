import Foundation
import Locking

/// A blocking multi-producer queue: watch threads and write workers post, the rollout loop waits.
/// A post wakes the consumer only while it waits, and a post inside a `WakeBatch` (the events of one
/// read, what one ready socket delivered) wakes it once at the batch's end, so a burst is taken in one pass.
/// A consumer that drives a `WaitLoop` (`run(on:)`) turns it while it waits, and is woken through it.
/// `@unchecked`: `items`, `waiting`, `loop`, `driver` and `host` are guarded by the condition variable the consumer waits on.
public final class EventQueue<Element: Sendable>: @unchecked Sendable, BatchWakeable {
    private let condition = NSCondition()
    private var items: [Element] = []
    /// True while the consumer waits in `drain`.
    private var waiting = false
    /// The loop the consumer drives while it waits, and the consumer's thread (`pthread_self`).
    private var loop: (any WaitLoop)?
    private var driver: UInt = 0
    /// The host running the consumer's passes, woken by every post (`hosted(by:)`).
    private var host: LoopHost?

    public init() {}

    /// Adds an element and wakes the consumer (at the end of the thread's batch, if one runs).
    public func post(_ element: Element) {
        condition.lock()
        items.append(element)
        if waiting && !WakeBatch.deferWake(self) { signal() }
        condition.unlock()
    }

    /// Makes the consumer (the calling thread) turn `loop` while it waits; nil: it waits on the
    /// condition variable again. Called by the consumer between drains.
    public func run(on loop: (any WaitLoop)?) {
        condition.lock()
        self.loop = loop
        driver = loop == nil ? 0 : UInt(pthread_self())
        condition.unlock()
    }

    /// Wakes the waiting consumer (with the lock held): a driving consumer posting to itself is
    /// awake already, and looks at its items after the turn.
    private func signal() {
        if let host { return host.wake() }
        guard let loop else { return condition.signal() }
        if UInt(pthread_self()) != driver { loop.wake() }
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
        if waits && (loop != nil || host != nil) {
            signal()
            condition.unlock()
            return
        }
        condition.unlock()
        if waits { condition.signal() }
    }

    /// Hands the queue's wakes to `host`, which runs its consumer's passes on a thread of its own
    /// (`LoopHost`): every post wakes the host (at the end of the posting thread's batch), not a
    /// thread waiting in `drain`. nil: the consumer drains the queue itself again.
    public func hosted(by host: LoopHost?) {
        condition.lock()
        self.host = host
        waiting = host != nil
        condition.unlock()
    }

    /// True when elements wait to be taken.
    public var hasItems: Bool {
        condition.lock()
        defer { condition.unlock() }
        return !items.isEmpty
    }

    /// Takes every queued element without waiting, into `batch` (emptied first).
    public func take(into batch: inout [Element]) {
        batch.removeAll(keepingCapacity: true)
        condition.lock()
        swap(&items, &batch)
        condition.unlock()
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
            if let loop {
                condition.unlock()
                loop.wait(seconds: remaining)
                condition.lock()
            } else {
                _ = condition.wait(until: Date(timeIntervalSinceNow: min(remaining, 3600)))
            }
            waiting = false
        }
        swap(&items, &batch)
    }
}
