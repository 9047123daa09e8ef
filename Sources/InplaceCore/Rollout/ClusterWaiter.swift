import Foundation
import JSON

/// Waits, through a watch (never by polling), until an object satisfies a condition.
public struct ClusterWaiter: Sendable {
    public let cluster: any ClusterAPI

    public init(cluster: any ClusterAPI) { self.cluster = cluster }

    /// Watches the object `name` in `collection` until `predicate` holds; returns the object, or nil on timeout.
    public func wait(collection: String, name: String, timeout: Double,
                     until predicate: @escaping @Sendable (JSONValue) -> Bool) -> JSONValue? {
        let box = ResultBox()
        let watch = cluster.watch(collection, labelSelector: nil, fieldSelector: "metadata.name=\(name)") { event in
            let objects: [JSONValue]
            switch event {
            case .synced(let items): objects = items
            case .added(let o), .modified(let o): objects = [o]
            case .deleted, .failed: objects = []
            }
            for o in objects where o[path: ["metadata", "name"]]?.string == name && predicate(o) { box.set(o) }
        }
        defer { watch.stop() }
        return box.wait(timeout: timeout)
    }

    /// A one-shot result shared between the watch thread and the waiting thread.
    final class ResultBox: Sendable {
        private let value = Mutex<JSONValue?>(nil)
        private let arrived = DispatchSemaphore(value: 0)

        func set(_ v: JSONValue) {
            let first = value.withLock { current -> Bool in
                guard current == nil else { return false }
                current = v
                return true
            }
            if first { arrived.signal() }
        }

        func wait(timeout: Double) -> JSONValue? {
            _ = arrived.wait(timeout: .now() + min(max(0, timeout), 86_400 * 365))
            return value.withLock { $0 }
        }
    }
}
