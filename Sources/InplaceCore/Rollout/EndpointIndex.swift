import JSON

/// Which pod addresses and pod names some EndpointSlice lists as ready, kept up to date from a slice
/// watch. Every ready address is kept (a stale endpoint of another pod may carry the address a pod
/// of ours has now). A slice's listing is kept as its digest has it, never indexed: each of many
/// workloads sharing a namespace's slices holds the same arrays, and pays for a slice event only
/// when one of its draining pods asks whether that event moved it.
public struct EndpointIndex: Sendable {
    /// What one slice lists as ready: its digest's `readyAddresses` and `readyPods`.
    public struct Listing: Sendable, Equatable {
        var addresses: [JSONValue] = []
        var pods: [JSONValue] = []

        init() {}

        init(_ slice: JSONValue) {
            addresses = slice["readyAddresses"]?.array ?? []
            pods = slice["readyPods"]?.array ?? []
        }

        /// True when the listing has the address `ip` as ready.
        func lists(address ip: String) -> Bool { addresses.contains { $0.string == ip } }

        /// True when the listing has the pod `name` as ready.
        func lists(pod name: String) -> Bool { pods.contains { $0.string == name } }
    }

    /// One slice's listing before and after an event.
    public struct Change: Sendable {
        public var before: Listing
        public var after: Listing

        /// True when the event changed whether the slice lists the pod as ready, by its address or by its name.
        public func moves(podIP: String?, podName: String) -> Bool {
            guard before != after else { return false }
            if let ip = podIP, before.lists(address: ip) != after.lists(address: ip) { return true }
            return before.lists(pod: podName) != after.lists(pod: podName)
        }

        /// The addresses and `pod/NAME`s (of the pods `keeping` accepts) whose listing the event changed.
        public func moved(keeping: (String) -> Bool = { _ in true }) -> Set<String> {
            func strings(_ values: [JSONValue]) -> Set<String> { Set(values.compactMap(\.string)) }
            let addresses = strings(before.addresses).symmetricDifference(strings(after.addresses))
            let pods = strings(before.pods).symmetricDifference(strings(after.pods)).filter(keeping)
            return addresses.union(pods.map { "pod/" + $0 })
        }
    }

    private var slices: [String: Listing] = [:]

    public init() {}

    /// Replaces the whole set (after a list or relist) from slices read as `RolloutProjections.endpointSlice`
    /// reads them.
    public mutating func reset(_ items: [JSONValue]) {
        slices = [:]
        for s in items { record(s) }
    }

    /// Records one slice's ready addresses and pods, from its digest (`EndpointSliceDigest`).
    @discardableResult
    public mutating func record(_ slice: JSONValue) -> Change {
        guard let key = Self.key(slice) else { return Change(before: Listing(), after: Listing()) }
        let after = Listing(slice)
        return Change(before: slices.updateValue(after, forKey: key) ?? Listing(), after: after)
    }

    /// Forgets a deleted slice.
    @discardableResult
    public mutating func forget(_ slice: JSONValue) -> Change {
        guard let key = Self.key(slice) else { return Change(before: Listing(), after: Listing()) }
        return Change(before: slices.removeValue(forKey: key) ?? Listing(), after: Listing())
    }

    /// `record`; returns the addresses and `pod/NAME`s (of the pods `keeping` accepts) whose listing
    /// in this slice changed.
    @discardableResult
    public mutating func update(_ slice: JSONValue, keeping: (String) -> Bool = { _ in true }) -> Set<String> {
        record(slice).moved(keeping: keeping)
    }

    /// `forget`; returns the addresses and `pod/NAME`s the slice listed.
    @discardableResult
    public mutating func remove(_ slice: JSONValue) -> Set<String> { forget(slice).moved() }

    /// True when some slice lists the pod (by IP or target reference) as ready.
    public func listsReady(podIP: String?, podName: String) -> Bool {
        for listing in slices.values {
            if let ip = podIP, listing.lists(address: ip) { return true }
            if listing.lists(pod: podName) { return true }
        }
        return false
    }

    static func key(_ slice: JSONValue) -> String? {
        guard let name = slice[path: ["metadata", "name"]]?.string else { return nil }
        return (slice[path: ["metadata", "namespace"]]?.string ?? "") + "/" + name
    }
}
