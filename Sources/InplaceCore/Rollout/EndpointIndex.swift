#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import JSON

/// Which pod addresses and pod names some EndpointSlice lists as ready, kept up to date from a slice
/// watch (`EndpointListings` keeps one per namespace). Every ready address is kept (a stale endpoint
/// of another pod may carry the address a pod of ours has now). A slice's listing is kept as its
/// digest has it, one entry per endpoint, and the count of listings of each address and name is
/// moved by the entries an event changed, found by comparing the versions' entries from both ends:
/// the entries a watch read before are the values it read then, so the ones that did not change
/// compare at once.
public struct EndpointIndex: Sendable {
    /// What one slice lists: its digest's `endpoints`, `[[addresses], pod]` each (`EndpointSliceDigest`).
    public struct Listing: Sendable, Equatable {
        var entries: [JSONValue] = []

        init() {}

        init(_ slice: JSONValue) {
            entries = slice["endpoints"]?.array ?? []
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

    /// Moves the counts from one listing of a slice to the next, by the entries between the
    /// listings' common start and common end; true when what they list as ready differs (an
    /// endpoint added, removed or changed while not ready changes nothing).
    private mutating func counted(_ before: Listing, _ after: Listing) -> Bool {
        let (start, oldEnd, newEnd) = Self.middle(before.entries, after.entries)
        let (gone, goneNames) = Self.listed(before.entries[start..<oldEnd])
        let (come, comeNames) = Self.listed(after.entries[start..<newEnd])
        guard gone != come || goneNames != comeNames else { return false }
        Self.move(&addresses, from: gone, to: come)
        Self.move(&pods, from: goneNames, to: comeNames)
        return true
    }

    /// The ready addresses and pod names of some entries, in order.
    private static func listed(_ entries: ArraySlice<JSONValue>) -> (addresses: [String], pods: [String]) {
        var addresses: [String] = [], pods: [String] = []
        for entry in entries {
            guard case .array(let parts) = entry, parts.count == 2 else { continue }
            if case .array(let listed) = parts[0] {
                for address in listed { if case .string(let a) = address { addresses.append(a) } }
            }
            if case .string(let pod) = parts[1] { pods.append(pod) }
        }
        return (addresses, pods)
    }

    /// Where two arrays differ: the end of their common start, and where their common end begins in each.
    static func middle(_ old: [JSONValue], _ new: [JSONValue]) -> (start: Int, oldEnd: Int, newEnd: Int) {
        old.withUnsafeBufferPointer { o in
            new.withUnsafeBufferPointer { n in
                var start = 0
                while start < o.count && start < n.count && same(o, start, n, start) { start += 1 }
                var oldEnd = o.count, newEnd = n.count
                while oldEnd > start && newEnd > start && same(o, oldEnd - 1, n, newEnd - 1) {
                    oldEnd -= 1
                    newEnd -= 1
                }
                return (start, oldEnd, newEnd)
            }
        }
    }

    /// True when two entries are equal. An entry the watch read before is the very value it read
    /// then (the same storage, so the same bytes): that is found by comparing the bytes in place,
    /// with no copy of either; entries whose bytes differ are compared as values.
    @inline(__always)
    private static func same(_ a: UnsafeBufferPointer<JSONValue>, _ i: Int, _ b: UnsafeBufferPointer<JSONValue>, _ j: Int) -> Bool {
        memcmp(UnsafeRawPointer(a.baseAddress! + i), UnsafeRawPointer(b.baseAddress! + j), MemoryLayout<JSONValue>.size) == 0
            || a[i] == b[j]
    }

    private static func move(_ counts: inout [String: Int], from old: [String], to new: [String]) {
        for s in old {
            guard let n = counts[s] else { continue }
            counts[s] = n > 1 ? n - 1 : nil
        }
        for s in new { counts[s, default: 0] += 1 }
    }

    static func key(_ slice: JSONValue) -> Key? {
        let metadata = slice["metadata"]
        guard let name = metadata?["name"]?.string else { return nil }
        return Key(namespace: metadata?["namespace"]?.string ?? "", name: name)
    }
}
