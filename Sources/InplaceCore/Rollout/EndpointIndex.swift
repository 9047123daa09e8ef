import JSON

/// Which pod addresses some EndpointSlice lists as ready, kept up to date from a slice watch.
public struct EndpointIndex: Sendable {
    private var slices: [String: Set<String>] = [:]

    public init() {}

    /// Replaces the whole set (after a list or relist).
    public mutating func reset(_ items: [JSONValue]) {
        slices = [:]
        for s in items { update(s) }
    }

    /// Records one slice's ready addresses; returns the addresses and `pod/NAME`s whose listing in
    /// this slice changed.
    @discardableResult
    public mutating func update(_ slice: JSONValue) -> Set<String> {
        guard let key = Self.key(slice) else { return [] }
        var ready: Set<String> = []
        for endpoint in slice["endpoints"]?.array ?? [] where endpoint[path: ["conditions", "ready"]]?.bool != false {
            for address in endpoint["addresses"]?.array ?? [] { if let a = address.string { ready.insert(a) } }
            if let podName = endpoint[path: ["targetRef", "name"]]?.string,
               endpoint[path: ["targetRef", "kind"]]?.string == "Pod" { ready.insert("pod/" + podName) }
        }
        let before = slices.updateValue(ready, forKey: key) ?? []
        return before.symmetricDifference(ready)
    }

    /// Forgets a deleted slice; returns the addresses and `pod/NAME`s it listed.
    @discardableResult
    public mutating func remove(_ slice: JSONValue) -> Set<String> {
        guard let key = Self.key(slice) else { return [] }
        return slices.removeValue(forKey: key) ?? []
    }

    /// True when some slice lists the pod (by IP or target reference) as ready.
    public func listsReady(podIP: String?, podName: String) -> Bool {
        for set in slices.values {
            if let ip = podIP, set.contains(ip) { return true }
            if set.contains("pod/" + podName) { return true }
        }
        return false
    }

    static func key(_ slice: JSONValue) -> String? {
        guard let name = slice[path: ["metadata", "name"]]?.string else { return nil }
        return (slice[path: ["metadata", "namespace"]]?.string ?? "") + "/" + name
    }
}
