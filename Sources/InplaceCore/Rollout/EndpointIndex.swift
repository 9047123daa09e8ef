import JSON

/// Which pod addresses some EndpointSlice lists as ready, kept up to date from a slice watch.
/// Every ready address is kept (a stale endpoint of another pod may carry the address a pod of
/// ours has now); pod names only of the pods a caller asks about, so that each of many workloads
/// sharing a namespace's slices does not index all of them.
public struct EndpointIndex: Sendable {
    /// What one slice lists as ready.
    private struct Listing: Sendable {
        var addresses: Set<String> = []
        var pods: Set<String> = []
    }

    private var slices: [String: Listing] = [:]

    public init() {}

    /// Replaces the whole set (after a list or relist) from slices read as `RolloutProjections.endpointSlice`
    /// reads them; pod names are kept where `keeping` holds.
    public mutating func reset(_ items: [JSONValue], keeping: (String) -> Bool = { _ in true }) {
        slices = [:]
        for s in items { update(s, keeping: keeping) }
    }

    /// Records one slice's ready addresses (and the names of the ready pods `keeping` accepts), from
    /// its digest (`EndpointSliceDigest`); returns the addresses and `pod/NAME`s whose listing in this
    /// slice changed.
    @discardableResult
    public mutating func update(_ slice: JSONValue, keeping: (String) -> Bool = { _ in true }) -> Set<String> {
        guard let key = Self.key(slice) else { return [] }
        var ready = Listing()
        for address in slice["readyAddresses"]?.array ?? [] { if let a = address.string { ready.addresses.insert(a) } }
        for pod in slice["readyPods"]?.array ?? [] { if let name = pod.string, keeping(name) { ready.pods.insert(name) } }
        let before = slices.updateValue(ready, forKey: key) ?? Listing()
        return Self.changes(before, ready)
    }

    /// Forgets a deleted slice; returns the addresses and `pod/NAME`s it listed.
    @discardableResult
    public mutating func remove(_ slice: JSONValue) -> Set<String> {
        guard let key = Self.key(slice) else { return [] }
        return Self.changes(slices.removeValue(forKey: key) ?? Listing(), Listing())
    }

    /// True when some slice lists the pod (by IP or target reference) as ready.
    public func listsReady(podIP: String?, podName: String) -> Bool {
        for listing in slices.values {
            if let ip = podIP, listing.addresses.contains(ip) { return true }
            if listing.pods.contains(podName) { return true }
        }
        return false
    }

    private static func changes(_ a: Listing, _ b: Listing) -> Set<String> {
        a.addresses.symmetricDifference(b.addresses).union(a.pods.symmetricDifference(b.pods).map { "pod/" + $0 })
    }

    static func key(_ slice: JSONValue) -> String? {
        guard let name = slice[path: ["metadata", "name"]]?.string else { return nil }
        return (slice[path: ["metadata", "namespace"]]?.string ?? "") + "/" + name
    }
}
