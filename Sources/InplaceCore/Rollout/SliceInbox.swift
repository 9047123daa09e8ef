import JSON
import Synchronization

/// A rollout's EndpointSlice events between two passes of its loop, each slice's latest only: the
/// drain reads which addresses and pods a slice lists now, not how it got there. A namespace's slices
/// change with every pod of every workload in it, and each of many workloads rolled at once sees
/// them all: this keeps one wake-up per pass, not one per slice event, and one index update per
/// slice changed since the last pass.
final class SliceInbox: Sendable {
    private struct Pending {
        var events: [ClusterWatchEvent] = []
        /// Where the pending event of each slice (namespace/name) is in `events`.
        var places: [String: Int] = [:]
    }

    private let pending = Mutex(Pending())

    /// Keeps `event`, replacing the pending event of the same slice (a list replaces them all);
    /// true when the inbox was empty, so the loop must be woken to take it.
    func add(_ event: ClusterWatchEvent) -> Bool {
        pending.withLock { p in
            let wasEmpty = p.events.isEmpty
            switch event {
            case .synced:
                p.events = [event]
                p.places = [:]
            case .added(let o), .modified(let o), .deleted(let o):
                if let key = EndpointIndex.key(o) {
                    if let i = p.places[key] {
                        p.events[i] = event
                    } else {
                        p.places[key] = p.events.count
                        p.events.append(event)
                    }
                } else {
                    p.events.append(event)
                }
            case .failed:
                p.events.append(event)
            }
            return wasEmpty
        }
    }

    /// The pending events, in order; the inbox is empty after.
    func take() -> [ClusterWatchEvent] {
        pending.withLock { p in
            defer { p = Pending() }
            return p.events
        }
    }
}
