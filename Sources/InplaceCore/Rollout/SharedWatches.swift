import Foundation
import JSON

/// One list and watch per collection for every workload of an invocation, as client-go's shared
/// informers: the first workload to ask for a collection (a namespace's pods, its EndpointSlices, its
/// Deployments) opens its watch; each workload subscribes with a filter (its selector, its name) and
/// sees the events of the objects it matches as if it had its own watch: a `synced` list of them
/// first, then added, modified and deleted (an object that stops matching is deleted for it).
/// Subscribers' handlers run on the watch's thread, in order, and must not block.
///
/// `@unchecked`: the state is under a recursive lock, because a cluster may deliver the first list
/// inside `watch` (the in-memory one does), re-entering `receive` while `watch` holds it.
public final class SharedWatches: @unchecked Sendable {
    /// What a filter looks at: an object's name, namespace and labels, read once per event.
    public struct Meta: Sendable {
        public let name: String
        public let namespace: String
        public let labels: [String: String]

        /// The metadata of `object`.
        public init(_ object: JSONValue) {
            name = object[path: ["metadata", "name"]]?.string ?? ""
            namespace = object[path: ["metadata", "namespace"]]?.string ?? ""
            labels = object[path: ["metadata", "labels"]]?.stringMap ?? [:]
        }
    }

    public let cluster: any ClusterAPI
    private let lock = NSRecursiveLock()
    private var informers: [String: Informer] = [:]
    private var nextID = 0

    /// Watches opened on `cluster` as workloads ask for them.
    public init(cluster: any ClusterAPI) { self.cluster = cluster }

    /// The events of the objects of `collection` for which `filter` holds, keeping what `projection`
    /// keeps (a collection watched with two projections is two watches); stopping the returned
    /// subscription ends them (the collection's watch stays open for the others until `close`).
    public func watch(_ collection: String, projection: JSONProjection? = nil, filter: @escaping @Sendable (Meta) -> Bool,
                      handler: @escaping @Sendable (ClusterWatchEvent) -> Void) -> any WatchStopping {
        lock.lock()
        defer { lock.unlock() }
        nextID += 1
        let id = nextID
        let informer: Informer
        let key = projection.map { collection + "#" + String(UInt(bitPattern: ObjectIdentifier($0))) } ?? collection
        if let existing = informers[key] {
            informer = existing
        } else {
            informer = Informer(collection: collection)
            informers[key] = informer
            // A synchronous first list (an in-memory cluster) arrives under the lock, before any subscriber.
            let receive: @Sendable (ClusterWatchEvent) -> Void = { [weak self] event in self?.receive(event, key: key, from: informer) }
            informer.upstream = cluster.watch(collection, labelSelector: nil, fieldSelector: nil, keeping: projection, handler: receive)
        }
        let subscriber = Subscriber(filter: filter, handler: handler)
        if informer.synced {
            var items: [JSONValue] = []
            for (slot, entry) in informer.entries.enumerated() {
                guard let entry, filter(informer.meta(slot)) else { continue }
                items.append(entry.object)
                subscriber.match(slot, entry.version)
                // The objects' routes stay: the new subscriber joins those of the objects it matches.
                entry.route?.matching.append(id)
            }
            handler(.synced(items))
        } else {
            informer.forgetRoutes()
        }
        informer.subscribers[id] = subscriber
        return Subscription { [weak self] in self?.unsubscribe(id, key: key) }
    }

    /// A write's answer (`object`, written at `path`): the cache of its collection keeps it, so a
    /// workload subscribing later lists it as it is now, never a version from before its own write
    /// (a watch of its own would list after the write), and older versions still on their way are
    /// not passed to it.
    public func wrote(_ path: String, _ object: JSONValue) {
        var collection = path
        if collection.hasSuffix("/status") || collection.hasSuffix("/resize") { collection = String(collection[..<collection.lastIndex(of: "/")!]) }
        guard let slash = collection.lastIndex(of: "/"), let key = Self.key(object) else { return }
        collection = String(collection[..<slash])
        lock.lock()
        defer { lock.unlock() }
        let version = Self.version(object)
        for informer in informers.values where informer.collection == collection {
            let slot = informer.slot(key)
            if Self.newer(version, than: informer.entries[slot]?.version) { informer.store(object, version: version, at: slot) }
        }
    }

    /// Stops every watch (the invocation is over).
    public func close() {
        lock.lock()
        let all = informers.values
        informers = [:]
        lock.unlock()
        for informer in all { informer.upstream?.stop() }
    }

    /// How many collections are watched now.
    public var watchCount: Int {
        lock.lock()
        defer { lock.unlock() }
        return informers.count
    }

    private func unsubscribe(_ id: Int, key: String) {
        lock.lock()
        defer { lock.unlock() }
        informers[key]?.subscribers[id] = nil
    }

    /// Keeps the collection's objects and passes each change on to the subscribers it concerns.
    private func receive(_ event: ClusterWatchEvent, key collectionKey: String, from informer: Informer) {
        lock.lock()
        defer { lock.unlock() }
        switch event {
        case .synced(let listed):
            // A list can be older than a write whose answer the cache already keeps: the newer stays.
            let (knownSlots, knownEntries) = (informer.slots, informer.entries)
            informer.reset()
            for o in listed {
                guard let key = Self.key(o) else { continue }
                var (object, version) = (o, Self.version(o))
                if let slot = knownSlots[key], let known = knownEntries[slot], !Self.newer(version, than: known.version) {
                    (object, version) = (known.object, known.version)
                }
                informer.store(object, version: version, at: informer.slot(key))
            }
            informer.synced = true
            for s in informer.subscribers.values {
                s.seen = [:]
                var mine: [JSONValue] = []
                for slot in informer.entries.indices where s.filter(informer.meta(slot)) {
                    let entry = informer.entries[slot]!
                    mine.append(entry.object)
                    s.match(slot, entry.version)
                }
                s.handler(.synced(mine))
            }
        case .added(let o), .modified(let o):
            guard let key = Self.key(o) else { return }
            let version = Self.version(o)
            let slot = informer.slot(key)
            if Self.newer(version, than: informer.entries[slot]?.version) { informer.store(o, version: version, at: slot) }
            let labels = o["metadata"]?["labels"]
            func deliver(_ s: Subscriber) {
                let previous = s.seen(slot)
                if let previous, let seen = previous, let version, version < seen { return }
                s.match(slot, version)
                s.handler(previous != nil ? .modified(o) : .added(o))
            }
            let entry = informer.entries[slot]
            if let route = entry?.route, route.labels == labels {
                // The filters read the name, namespace and labels: with the labels as they were, the
                // same subscribers match, and the others hold no entry for the object.
                for id in route.matching { if let s = informer.subscribers[id] { deliver(s) } }
                return
            }
            let meta = Meta(o)
            var matching: [Int] = []
            // A subscriber that saw a newer version passes this one over, matching or not; then the
            // labels of this version say nothing of what it holds, and no route is kept.
            var routable = true
            for (id, s) in informer.subscribers {
                if let seen = s.seen(slot), let seen, let version, version < seen {
                    routable = false
                    continue
                }
                if s.filter(meta) {
                    matching.append(id)
                    deliver(s)
                } else if s.forget(slot) {
                    s.handler(.deleted(o))
                }
            }
            entry?.route = routable ? Route(labels: labels, matching: matching) : nil
        case .deleted(let o):
            guard let key = Self.key(o), let slot = informer.slots[key] else { return }
            informer.free(key, slot)
            for s in informer.subscribers.values where s.forget(slot) { s.handler(.deleted(o)) }
        case .failed:
            // The watch gave up: its subscribers are told, and the next to ask opens a new one.
            if informers[collectionKey] === informer { informers[collectionKey] = nil }
            for s in informer.subscribers.values { s.handler(event) }
            informer.subscribers = [:]
        }
    }

    /// The resourceVersion as a number, to order versions of one object (nil: not comparable).
    private static func version(_ o: JSONValue) -> Int? { o[path: ["metadata", "resourceVersion"]]?.string.flatMap { Int($0) } }

    /// Whether a version is at least as new as `old` (either not comparable: it is).
    private static func newer(_ version: Int?, than old: Int?) -> Bool {
        guard let old, let version else { return true }
        return version >= old
    }

    /// `namespace/name`: what an object is found by.
    private static func key(_ o: JSONValue) -> String? {
        guard let metadata = o["metadata"], let name = metadata["name"]?.string else { return nil }
        return (metadata["namespace"]?.string ?? "") + "/" + name
    }

    /// One collection's watch, what it shows, and who listens (`@unchecked`: only touched under
    /// the owner's lock). Each object has a slot, found by its key once per event; what is known of
    /// it (in `entries`) and what each subscriber saw of it (`Subscriber.seen`) are read by that slot.
    private final class Informer: @unchecked Sendable {
        let collection: String
        var upstream: (any WatchStopping)?
        var synced = false
        var subscribers: [Int: Subscriber] = [:]
        /// The slot of each object, by `namespace/name`.
        var slots: [String: Int] = [:]
        /// What each slot holds: nil for a free slot.
        var entries: [Entry?] = []
        /// Slots of deleted objects, taken again before new ones.
        private var freed: [Int] = []

        init(collection: String) { self.collection = collection }

        /// The slot of the object `key`, given one if it has none.
        func slot(_ key: String) -> Int {
            if let slot = slots[key] { return slot }
            let slot = freed.popLast() ?? entries.count
            if slot == entries.count { entries.append(nil) }
            slots[key] = slot
            return slot
        }

        /// Keeps `object` (of `version`) as what slot `slot` holds; its route and filter view stay.
        func store(_ object: JSONValue, version: Int?, at slot: Int) {
            if let entry = entries[slot] {
                entry.object = object
                entry.version = version
            } else {
                entries[slot] = Entry(object: object, version: version)
            }
        }

        /// Forgets the object `key` (deleted); every subscriber has forgotten it first.
        func free(_ key: String, _ slot: Int) {
            slots[key] = nil
            entries[slot] = nil
            freed.append(slot)
        }

        /// Forgets every object (the collection is listed again).
        func reset() {
            slots = [:]
            entries = []
            freed = []
        }

        /// Forgets every object's route (the subscribers change before the first list).
        func forgetRoutes() {
            for entry in entries { entry?.route = nil }
        }

        /// What the filters read of the object in `slot`: read again only when its labels changed.
        func meta(_ slot: Int) -> Meta {
            let entry = entries[slot]!
            let labels = entry.object["metadata"]?["labels"]
            if let kept = entry.meta, kept.labels == labels { return kept.meta }
            let meta = Meta(entry.object)
            entry.meta = (labels, meta)
            return meta
        }
    }

    /// What an informer knows of one object: its latest version, the subscribers its last event
    /// matched (forgotten when the subscribers change or the collection is listed again), and what
    /// the filters read of it, with the labels it was read from. A class, changed in place under
    /// the owner's lock.
    private final class Entry {
        var object: JSONValue
        var version: Int?
        var route: Route?
        var meta: (labels: JSONValue?, meta: Meta)?

        init(object: JSONValue, version: Int?) {
            self.object = object
            self.version = version
        }
    }

    /// Which subscribers an object matched, and the labels it matched them with.
    private struct Route {
        var labels: JSONValue?
        var matching: [Int]
    }

    /// One workload's view of a collection: its filter, and the objects it matches now with the
    /// version it saw last, by slot (its index: the objects it matches only, a few of a namespace's).
    /// A class, so `seen` changes in place as each event passes (a struct was copied out of the
    /// informer and written back, its index with it).
    private final class Subscriber {
        let filter: @Sendable (Meta) -> Bool
        let handler: @Sendable (ClusterWatchEvent) -> Void
        /// By slot of a matched object: the version seen last (nil: none comparable).
        var seen: [Int: Int?] = [:]

        init(filter: @escaping @Sendable (Meta) -> Bool, handler: @escaping @Sendable (ClusterWatchEvent) -> Void) {
            self.filter = filter
            self.handler = handler
        }

        /// nil when the object in `slot` is not matched; else the version seen last (nil: none comparable).
        func seen(_ slot: Int) -> Int?? { seen[slot] }

        /// Records the object in `slot` as matched, at `version`.
        func match(_ slot: Int, _ version: Int?) { seen[slot] = .some(version) }

        /// Records the object in `slot` as not matched; true when it was.
        func forget(_ slot: Int) -> Bool { seen.removeValue(forKey: slot) != nil }
    }

    private struct Subscription: WatchStopping {
        let action: @Sendable () -> Void
        func stop() { action() }
    }
}
