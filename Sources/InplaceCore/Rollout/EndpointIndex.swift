import JSON

/// Which pod addresses and pod names some EndpointSlice lists as ready, kept up to date from a slice
/// watch. Every ready address is kept (a stale endpoint of another pod may carry the address a pod
/// of ours has now); ready pod names are counted only where the index's fixed `names` rule holds (a
/// workload's own pods: each of many workloads sharing a namespace's slices does not count the
/// others'), and looked up in the listings for any other name. A slice's listing is kept as
/// its digest has it (each of many workloads sharing a namespace's slices holds the same arrays),
/// and the count of listings of each address and name is moved by what an event changed, found by
/// comparing the arrays, not by building sets of them.
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

    /// The addresses and pod names whose listing a batch of slice events changed, gathered once so
    /// that each draining pod is then looked up in it (not compared with every change).
    public struct Moves: Sendable {
        private var addresses: Set<String> = []
        private var pods: Set<String> = []

        /// No moves.
        public init() {}

        /// True when no event changed a listing.
        public var isEmpty: Bool { addresses.isEmpty && pods.isEmpty }

        /// Adds what `change` moved: the addresses and names of the slice's changed middle (between
        /// the common start and end of its arrays before and after) found on one side only. At least
        /// every address and name whose listing in the slice changed (a duplicate listed elsewhere
        /// in the slice may count as moved too).
        public mutating func add(_ change: Change) {
            guard change.before != change.after else { return }
            Self.collect(&addresses, change.before.addresses, change.after.addresses)
            Self.collect(&pods, change.before.pods, change.after.pods)
        }

        /// True when the pod's address or name is among the moved.
        public func moves(podIP: String?, podName: String) -> Bool {
            if let ip = podIP, addresses.contains(ip) { return true }
            return pods.contains(podName)
        }

        private static func collect(_ into: inout Set<String>, _ old: [JSONValue], _ new: [JSONValue]) {
            let (start, oldEnd, newEnd) = EndpointIndex.middle(old, new)
            guard start < oldEnd || start < newEnd else { return }
            let before = Set(old[start..<oldEnd].compactMap(\.string)), after = Set(new[start..<newEnd].compactMap(\.string))
            into.formUnion(before.symmetricDifference(after))
        }
    }

    /// A slice's namespace and name.
    struct Key: Hashable, Sendable {
        var namespace: String
        var name: String
    }

    private var slices: [Key: Listing] = [:]
    /// How many listings have each ready address, and each ready pod name `names` accepts.
    private var addresses: [String: Int] = [:]
    private var pods: [String: Int] = [:]
    /// Which pod names are counted; fixed for the index's life, so every count it moves stays right.
    private let names: @Sendable (String) -> Bool

    /// An index counting the ready pod names `names` accepts (all of them by default).
    public init(names: @escaping @Sendable (String) -> Bool = { _ in true }) { self.names = names }

    /// Replaces the whole set (after a list or relist) from slices read as `RolloutProjections.endpointSlice`
    /// reads them.
    public mutating func reset(_ items: [JSONValue]) {
        slices.removeAll(keepingCapacity: true)
        addresses.removeAll(keepingCapacity: true)
        pods.removeAll(keepingCapacity: true)
        for s in items { record(s) }
    }

    /// Records one slice's ready addresses and pods, from its digest (`EndpointSliceDigest`).
    @discardableResult
    public mutating func record(_ slice: JSONValue) -> Change {
        guard let key = Self.key(slice) else { return Change(before: Listing(), after: Listing()) }
        let after = Listing(slice)
        return counted(Change(before: slices.updateValue(after, forKey: key) ?? Listing(), after: after))
    }

    /// Forgets a deleted slice.
    @discardableResult
    public mutating func forget(_ slice: JSONValue) -> Change {
        guard let key = Self.key(slice) else { return Change(before: Listing(), after: Listing()) }
        return counted(Change(before: slices.removeValue(forKey: key) ?? Listing(), after: Listing()))
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
        if let ip = podIP, addresses[ip] != nil { return true }
        guard names(podName) else { return slices.values.contains { $0.lists(pod: podName) } }
        return pods[podName] != nil
    }

    /// Moves the counts by `change`: what lies between the arrays' common start and common end.
    private mutating func counted(_ change: Change) -> Change {
        Self.move(&addresses, from: change.before.addresses, to: change.after.addresses, counting: { _ in true })
        Self.move(&pods, from: change.before.pods, to: change.after.pods, counting: names)
        return change
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

    private static func move(_ counts: inout [String: Int], from old: [JSONValue], to new: [JSONValue], counting: (String) -> Bool) {
        let (start, oldEnd, newEnd) = middle(old, new)
        for value in old[start..<oldEnd] {
            guard let s = value.string, counting(s), let n = counts[s] else { continue }
            counts[s] = n > 1 ? n - 1 : nil
        }
        for value in new[start..<newEnd] {
            if let s = value.string, counting(s) { counts[s, default: 0] += 1 }
        }
    }

    static func key(_ slice: JSONValue) -> Key? {
        let metadata = slice["metadata"]
        guard let name = metadata?["name"]?.string else { return nil }
        return Key(namespace: metadata?["namespace"]?.string ?? "", name: name)
    }
}
