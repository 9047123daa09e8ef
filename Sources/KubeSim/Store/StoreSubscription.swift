import Foundation

/// A queue of store events for one subscriber, filled by the store in commit order and drained by
/// the subscriber's own thread (`next(timeout:)`) or task (`events`).
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
    private var pending: [StoreEvent] = []
    private var readIndex = 0
    private var cancelled = false
    private let onCancel: @Sendable (Int) -> Void

    init(id: Int, filter: Filter, onCancel: @escaping @Sendable (Int) -> Void) {
        self.id = id
        self.filter = filter
        self.onCancel = onCancel
    }

    func deliver(_ e: StoreEvent) {
        condition.lock()
        if !cancelled {
            pending.append(e)
            condition.signal()
        }
        condition.unlock()
    }

    /// The next event; waits up to `timeout` seconds (nil: forever). Nil on timeout or after `cancel()`.
    public func next(timeout: Double? = nil) -> StoreEvent? {
        condition.lock()
        defer { condition.unlock() }
        let deadline = timeout.map { Date().addingTimeInterval($0) }
        while readIndex >= pending.count && !cancelled {
            if let deadline {
                if !condition.wait(until: deadline) { break }
            } else {
                condition.wait()
            }
        }
        guard readIndex < pending.count, !cancelled else { return nil }
        let e = pending[readIndex]
        readIndex += 1
        if readIndex > 1024 && readIndex * 2 > pending.count {
            pending.removeFirst(readIndex)
            readIndex = 0
        }
        return e
    }

    /// Every event queued now, without waiting.
    public func drain() -> [StoreEvent] {
        condition.lock()
        defer { condition.unlock() }
        let out = Array(pending[readIndex...])
        pending.removeAll()
        readIndex = 0
        return out
    }

    /// The number of queued events.
    public var backlog: Int {
        condition.lock()
        defer { condition.unlock() }
        return pending.count - readIndex
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
