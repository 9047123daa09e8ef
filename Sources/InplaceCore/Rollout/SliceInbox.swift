import JSON
import Synchronization

/// A rollout's EndpointSlice events between two passes of its loop, each slice's latest only: the
/// drain reads which addresses and pods a slice lists now, not how it got there. A namespace's slices
/// change with every pod of every workload in it, and each of many workloads rolled at once sees
/// them all: this keeps one wake-up per pass, not one per slice event, and one index update per
/// slice changed since the last pass. A loop with no pod draining is not woken for a slice's change
/// (`wake(false)`): it takes the events at its next pass, and only a list or a failure wakes it.
final class SliceInbox: Sendable {
    private struct Pending {
        var events: [ClusterWatchEvent] = []
        /// Where the pending event of each slice (namespace/name) is in `events`.
        var places: [EndpointIndex.Key: Int] = [:]
        /// Changes wake the loop.
        var wakes = true
        /// A wake-up is on its way (since the last `take`).
        var posted = false

        /// True when the loop must be woken now for the events kept (once until it takes them).
        mutating func mustWake(urgent: Bool) -> Bool {
            guard !posted, !events.isEmpty, wakes || urgent else { return false }
            posted = true
            return true
        }
    }

    private let pending = Mutex(Pending())

    /// Keeps `event`, replacing the pending event of the same slice (a list replaces them all);
    /// true when the loop must be woken to take it: it asked to be woken by changes (or the event
    /// is a list or a failure) and no wake-up is on its way.
    func add(_ event: ClusterWatchEvent) -> Bool {
        pending.withLock { p in
            var urgent = false
            switch event {
            case .synced:
                p.events = [event]
                p.places = [:]
                urgent = true
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
                urgent = true
            }
            return p.mustWake(urgent: urgent)
        }
    }

    /// Whether changes wake the loop from now on; true when events already kept must wake it now.
    func wake(_ on: Bool) -> Bool {
        pending.withLock { p in
            p.wakes = on
            return p.mustWake(urgent: false)
        }
    }

    /// True when no event is kept.
    var isEmpty: Bool { pending.withLock { $0.events.isEmpty } }

    /// The pending events, in order; the inbox is empty after.
    func take() -> [ClusterWatchEvent] {
        pending.withLock { p in
            defer {
                p.events = []
                p.places = [:]
                p.posted = false
            }
            return p.events
        }
    }
}
