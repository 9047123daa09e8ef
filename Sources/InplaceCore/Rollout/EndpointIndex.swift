import JSON

/// Which pod addresses and pod names some EndpointSlice lists as ready, kept up to date from a slice
/// watch (`EndpointListings` keeps one per namespace). Every ready address is kept (a stale endpoint
/// of another pod may carry the address a pod of ours has now). A slice's listing is kept as its
/// digest has it, and the count of listings of each address and name is moved by what an event
/// changed, found by comparing the arrays, not by building sets of them.
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
    }

    /// A slice's namespace and name.
    struct Key: Hashable, Sendable {
        var namespace: String
        var name: String
    }

    private var slices: [Key: Listing] = [:]
    /// How many listings have each ready address, and each ready pod name.
    private var addresses: [String: Int] = [:]
    private var pods: [String: Int] = [:]

    /// An index of no slice.
    public init() {}

    /// Replaces the whole set (after a list or relist) from slices read as `RolloutProjections.endpointSlice`
    /// reads them.
    public mutating func reset(_ items: [JSONValue]) {
        slices.removeAll(keepingCapacity: true)
        addresses.removeAll(keepingCapacity: true)
        pods.removeAll(keepingCapacity: true)
        for s in items { record(s) }
    }

    /// Records one slice's ready addresses and pods, from its digest (`EndpointSliceDigest`); true
    /// when what it lists as ready changed.
    @discardableResult
    public mutating func record(_ slice: JSONValue) -> Bool {
        guard let key = Self.key(slice) else { return false }
        let after = Listing(slice)
        return counted(slices.updateValue(after, forKey: key) ?? Listing(), after)
    }

    /// Forgets a deleted slice; true when it listed anything as ready.
    @discardableResult
    public mutating func forget(_ slice: JSONValue) -> Bool {
        guard let key = Self.key(slice) else { return false }
        return counted(slices.removeValue(forKey: key) ?? Listing(), Listing())
    }

    /// True when some slice lists the pod (by IP or target reference) as ready.
    public func listsReady(podIP: String?, podName: String) -> Bool {
        if let ip = podIP, addresses[ip] != nil { return true }
        return pods[podName] != nil
    }

    /// Moves the counts from one listing of a slice to the next: what lies between the arrays'
    /// common start and common end; true when the listings differ.
    private mutating func counted(_ before: Listing, _ after: Listing) -> Bool {
        guard before != after else { return false }
        Self.move(&addresses, from: before.addresses, to: after.addresses)
        Self.move(&pods, from: before.pods, to: after.pods)
        return true
    }

    /// Where two arrays differ: the end of their common start, and where their common end begins in each.
    static func middle(_ old: [JSONValue], _ new: [JSONValue]) -> (start: Int, oldEnd: Int, newEnd: Int) {
        var start = 0
        while start < old.count && start < new.count && old[start] == new[start] { start += 1 }
        var oldEnd = old.count, newEnd = new.count
        while oldEnd > start && newEnd > start && old[oldEnd - 1] == new[newEnd - 1] {
            oldEnd -= 1
            newEnd -= 1
        }
        return (start, oldEnd, newEnd)
    }

    private static func move(_ counts: inout [String: Int], from old: [JSONValue], to new: [JSONValue]) {
        let (start, oldEnd, newEnd) = middle(old, new)
        for value in old[start..<oldEnd] {
            guard let s = value.string, let n = counts[s] else { continue }
            counts[s] = n > 1 ? n - 1 : nil
        }
        for value in new[start..<newEnd] {
            if let s = value.string { counts[s, default: 0] += 1 }
        }
    }

    static func key(_ slice: JSONValue) -> Key? {
        let metadata = slice["metadata"]
        guard let name = metadata?["name"]?.string else { return nil }
        return Key(namespace: metadata?["namespace"]?.string ?? "", name: name)
    }
}
