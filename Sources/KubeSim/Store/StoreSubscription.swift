import Foundation

/// A queue of store events for one subscriber, filled by the store in commit order and drained by
/// the subscriber's own thread (`next(timeout:)`) or task (`events`).
/// `@unchecked`: `pending` is guarded by the condition variable the consumer waits on; `taken` belongs to the one consumer thread.
public final class StoreSubscription: @unchecked Sendable {
    /// Which events the subscription receives.
    public struct Filter: Sendable {
        /// Resources to receive (nil: all).
        public var resources: Set<ResourceType>?
        /// Namespace to receive (nil: all).
        public var namespace: String?

        /// A filter.
        public init(resources: Set<ResourceType>? = nil, namespace: String? = nil) {
            self.resources = resources
            self.namespace = namespace
        }

        func matches(_ e: StoreEvent) -> Bool {
            if let resources, !resources.contains(e.resource) { return false }
            if let namespace, e.key.namespace != namespace { return false }
            return true
        }
    }

    let id: Int
    let filter: Filter
    private let condition = NSCondition()
    /// Delivered and not yet taken by the consumer (guarded by `condition`).
    private var pending: [StoreEvent] = []
    private var consumerWaiting = false
    private var cancelled = false
    /// Taken by the consumer, not yet returned: only the one consumer thread touches these, so
    /// it takes the lock once per burst of events rather than once per event.
    private var taken: [StoreEvent] = []
    private var takenIndex = 0
    private let onCancel: @Sendable (Int) -> Void

    init(id: Int, filter: Filter, onCancel: @escaping @Sendable (Int) -> Void) {
        self.id = id
        self.filter = filter
        self.onCancel = onCancel
    }

    /// Queues an event (the store calls this under its lock, in commit order). The consumer is
    /// woken after the lock is released, so the store never waits for the consumer to run.
    func deliver(_ e: StoreEvent) {
        condition.lock()
        guard !cancelled else {
            condition.unlock()
            return
        }
        pending.append(e)
        let wake = consumerWaiting
        condition.unlock()
        if wake { condition.signal() }
    }

    /// The next event; waits up to `timeout` seconds (nil: forever). Nil on timeout or after `cancel()`.
    /// One consumer thread at a time.
    public func next(timeout: Double? = nil) -> StoreEvent? {
        if takenIndex < taken.count {
            takenIndex += 1
            return taken[takenIndex - 1]
        }
        guard let batch = nextBatch(timeout: timeout) else { return nil }
        taken = batch
        takenIndex = 1
        return batch[0]
    }

    /// Every event queued now, waiting up to `timeout` seconds (nil: forever) for at least one.
    /// Nil on timeout or after `cancel()`. One consumer thread at a time.
    public func nextBatch(timeout: Double? = nil) -> [StoreEvent]? {
        if takenIndex < taken.count {
            let rest = Array(taken[takenIndex...])
            taken.removeAll(keepingCapacity: true)
            takenIndex = 0
            return rest
        }
        condition.lock()
        defer { condition.unlock() }
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        while pending.isEmpty && !cancelled {
            consumerWaiting = true
            let woken = deadline.map { condition.wait(until: $0) } ?? { condition.wait(); return true }()
            consumerWaiting = false
            if !woken { break }
        }
        guard !pending.isEmpty, !cancelled else { return nil }
        var batch: [StoreEvent] = []
        swap(&batch, &pending)
        return batch
    }

    /// Every event queued now, without waiting.
    public func drain() -> [StoreEvent] {
        var out = Array(taken[takenIndex...])
        taken.removeAll()
        takenIndex = 0
        condition.lock()
        out += pending
        pending.removeAll()
        condition.unlock()
        return out
    }

    /// The number of queued events.
    public var backlog: Int {
        condition.lock()
        defer { condition.unlock() }
        return pending.count + taken.count - takenIndex
    }

    /// True once cancelled.
    public var isCancelled: Bool {
        condition.lock()
        defer { condition.unlock() }
        return cancelled
    }

    /// Stops delivery and wakes a waiting `next`.
    public func cancel() {
        condition.lock()
        let was = cancelled
        cancelled = true
        condition.broadcast()
        condition.unlock()
        if !was { onCancel(id) }
    }

    /// Wakes a waiting `next` without cancelling (it returns nil as on a timeout).
    func interrupt() {
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }

    /// The events as an async sequence; it ends when the subscription is cancelled.
    public var events: AsyncStream<StoreEvent> {
        AsyncStream { continuation in
            let thread = Thread { [self] in
                while let e = self.next() { continuation.yield(e) }
                continuation.finish()
            }
            continuation.onTermination = { [self] _ in self.cancel() }
            thread.start()
        }
    }
}
