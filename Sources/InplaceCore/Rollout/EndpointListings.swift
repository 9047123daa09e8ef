import JSON

/// The ready listings of one namespace's EndpointSlices (`EndpointIndex`), kept from one slice watch
/// for every workload rolling pods there: with many workloads in a namespace, each slice event is
/// indexed once instead of once per workload. A workload's loop listens: it is woken when the
/// listings changed (once until it looks, and only while it asked to be woken by changes: a pod of
/// its own drains; a list or a failure wakes it always), then reads them in its pass.
public final class EndpointListings: Sendable {
    /// One listener's changes since it last looked, and whether they wake it.
    private struct Listener {
        let wake: @Sendable () -> Void
        var changed = false
        var wakes = true
        var posted = false
        var failureTold = false

        /// True when the listener must be woken now for what changed (once until it looks).
        mutating func mustWake(urgent: Bool) -> Bool {
            guard !posted, changed, wakes || urgent else { return false }
            posted = true
            return true
        }
    }

    private struct State {
        var index = EndpointIndex()
        var synced = false
        var failure: ClusterOperationError?
        var listeners: [Int: Listener] = [:]
        var nextID = 0
    }

    private let state = Mutex(State())

    /// Listings that know no slice yet (every pod counts as listed until the first list).
    public init() {}

    /// Applies one event of the slice watch (on the watch's thread), waking the listeners it concerns.
    public func feed(_ event: ClusterWatchEvent) {
        let wakes = state.withLock { s -> [@Sendable () -> Void] in
            var urgent = false
            switch event {
            case .synced(let items):
                s.index.reset(items)
                s.synced = true
                urgent = true
            case .added(let o), .modified(let o):
                guard s.index.record(o) else { return [] }
            case .deleted(let o):
                guard s.index.forget(o) else { return [] }
            case .failed(let e):
                s.failure = e
                urgent = true
            }
            var wakes: [@Sendable () -> Void] = []
            for id in Array(s.listeners.keys) {
                s.listeners[id]!.changed = true
                if s.listeners[id]!.mustWake(urgent: urgent) { wakes.append(s.listeners[id]!.wake) }
            }
            return wakes
        }
        for wake in wakes { wake() }
    }

    /// Adds a listener woken through `wake` (which must not block); its id. One that joins after the
    /// watch failed is woken at once to learn it.
    public func listen(_ wake: @escaping @Sendable () -> Void) -> Int {
        let (id, failed) = state.withLock { s -> (Int, Bool) in
            s.nextID += 1
            var listener = Listener(wake: wake)
            listener.changed = s.failure != nil
            let failed = listener.mustWake(urgent: true)
            s.listeners[s.nextID] = listener
            return (s.nextID, failed)
        }
        if failed { wake() }
        return id
    }

    /// Removes a listener.
    public func stopListening(_ id: Int) {
        state.withLock { _ = $0.listeners.removeValue(forKey: id) }
    }

    /// Whether changes wake listener `id` from now on; true when a change it has not looked at must
    /// wake it now.
    public func wake(_ id: Int, _ on: Bool) -> Bool {
        state.withLock { s in
            guard s.listeners[id] != nil else { return false }
            s.listeners[id]!.wakes = on
            return s.listeners[id]!.mustWake(urgent: false)
        }
    }

    /// What listener `id` has not seen: whether the listings changed since it last looked, and the
    /// watch's failure (told once).
    public func look(_ id: Int) -> (changed: Bool, failure: ClusterOperationError?) {
        state.withLock { s in
            guard var l = s.listeners[id] else { return (false, nil) }
            let changed = l.changed
            var failure: ClusterOperationError?
            if let f = s.failure, !l.failureTold {
                failure = f
                l.failureTold = true
            }
            l.changed = false
            l.posted = false
            s.listeners[id] = l
            return (changed, failure)
        }
    }

    /// True when the pod counts as listed ready: some slice lists its address or name as ready, or
    /// the watch has not listed the slices yet.
    public func listsReady(podIP: String?, podName: String) -> Bool {
        state.withLock { s in !s.synced || s.index.listsReady(podIP: podIP, podName: podName) }
    }

    /// True once the watch has listed every slice.
    public var synced: Bool { state.withLock { $0.synced } }

    /// Why the watch gave up, if it did.
    public var failure: ClusterOperationError? { state.withLock { $0.failure } }
}

/// A `WatchStopping` that runs an action: what ends a rollout's share of the listings.
struct StopAction: WatchStopping {
    let action: @Sendable () -> Void
    func stop() { action() }
}
