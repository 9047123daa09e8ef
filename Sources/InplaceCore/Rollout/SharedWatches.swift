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
            for (key, o) in informer.cache where filter(informer.meta(key, o)) {
                items.append(o)
                subscriber.matching[key] = Self.version(o)
                // The objects' routes stay: the new subscriber joins those of the objects it matches.
                informer.routes[key]?.matching.append(id)
            }
            handler(.synced(items))
        } else {
            informer.routes = [:]
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
        for informer in informers.values where informer.collection == collection {
            if Self.newer(object, than: informer.cache[key]) { informer.cache[key] = object }
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
            var cache = Dictionary(listed.compactMap { o in Self.key(o).map { ($0, o) } }, uniquingKeysWith: { _, b in b })
            for (key, o) in cache { if let known = informer.cache[key], !Self.newer(o, than: known) { cache[key] = known } }
            informer.cache = cache
            informer.synced = true
            informer.routes = [:]
            informer.metas = [:]
            let items = listed.compactMap { Self.key($0).flatMap { cache[$0] } }
            let metas = items.map { o in Self.key(o).map { informer.meta($0, o) } ?? Meta(o) }
            for s in informer.subscribers.values {
                let mine = items.indices.filter { s.filter(metas[$0]) }.map { items[$0] }
                s.matching = [:]
                for o in mine { if let key = Self.key(o) { s.matching[key] = Self.version(o) } }
                s.handler(.synced(mine))
            }
        case .added(let o), .modified(let o):
            guard let key = Self.key(o) else { return }
            if Self.newer(o, than: informer.cache[key]) { informer.cache[key] = o }
            let version = Self.version(o)
            let labels = o["metadata"]?["labels"]
            func deliver(_ s: Subscriber) {
                if let seen = s.matching[key], let seen, let version, version < seen { return }
                let known = s.matching.updateValue(version, forKey: key) != nil
                s.handler(known ? .modified(o) : .added(o))
            }
            if let route = informer.routes[key], route.labels == labels {
                // The filters read the name, namespace and labels: with the labels as they were, the
                // same subscribers match, and the others hold no entry for the object.
                for id in route.matching { if let s = informer.subscribers[id] { deliver(s) } }
                return
            }
            let meta = informer.meta(key, o)
            var matching: [Int] = []
            // A subscriber that saw a newer version passes this one over, matching or not; then the
            // labels of this version say nothing of what it holds, and no route is kept.
            var routable = true
            for (id, s) in informer.subscribers {
                if let seen = s.matching[key], let seen, let version, version < seen {
                    routable = false
                    continue
                }
                if s.filter(meta) {
                    matching.append(id)
                    deliver(s)
                } else if s.matching.removeValue(forKey: key) != nil {
                    s.handler(.deleted(o))
                }
            }
            informer.routes[key] = routable ? Route(labels: labels, matching: matching) : nil
        case .deleted(let o):
            guard let key = Self.key(o) else { return }
            informer.cache[key] = nil
            informer.routes[key] = nil
            informer.metas[key] = nil
            for s in informer.subscribers.values where s.matching.removeValue(forKey: key) != nil {
                s.handler(.deleted(o))
            }
        case .failed:
            // The watch gave up: its subscribers are told, and the next to ask opens a new one.
            if informers[collectionKey] === informer { informers[collectionKey] = nil }
            for s in informer.subscribers.values { s.handler(event) }
            informer.subscribers = [:]
        }
    }

    /// The resourceVersion as a number, to order versions of one object (nil: not comparable).
    private static func version(_ o: JSONValue) -> Int? { o[path: ["metadata", "resourceVersion"]]?.string.flatMap { Int($0) } }

    /// Whether `o` is at least as new as `old`.
    private static func newer(_ o: JSONValue, than old: JSONValue?) -> Bool {
        guard let old, let a = version(old), let b = version(o) else { return true }
        return b >= a
    }

    private static func key(_ o: JSONValue) -> String? {
        guard let name = o[path: ["metadata", "name"]]?.string else { return nil }
        return (o[path: ["metadata", "namespace"]]?.string ?? "") + "/" + name
    }

    /// One collection's watch, what it shows, and who listens (`@unchecked`: only touched under
    /// the owner's lock).
    private final class Informer: @unchecked Sendable {
        let collection: String
        var upstream: (any WatchStopping)?
        var cache: [String: JSONValue] = [:]
        var synced = false
        var subscribers: [Int: Subscriber] = [:]
        /// For each object, the subscribers its last event matched and the labels it had then;
        /// forgotten when the subscribers change or the collection is listed again.
        var routes: [String: Route] = [:]
        /// What the filters read of each object, with the labels it was read from: read again only
        /// when an object's labels change (a filter reads its name, namespace and labels).
        var metas: [String: (labels: JSONValue?, meta: Meta)] = [:]

        init(collection: String) { self.collection = collection }

        /// What the filters read of `o` (kept under `key`).
        func meta(_ key: String, _ o: JSONValue) -> Meta {
            let labels = o["metadata"]?["labels"]
            if let kept = metas[key], kept.labels == labels { return kept.meta }
            let meta = Meta(o)
            metas[key] = (labels, meta)
            return meta
        }
    }

    /// Which subscribers an object matched, and the labels it matched them with.
    private struct Route {
        var labels: JSONValue?
        var matching: [Int]
    }

    /// One workload's view of a collection: its filter, and the objects it matches now with the
    /// version it saw last (its index). A class, so `matching` changes in place as each event
    /// passes (a struct was copied out of the informer and written back, its index with it).
    private final class Subscriber {
        let filter: @Sendable (Meta) -> Bool
        let handler: @Sendable (ClusterWatchEvent) -> Void
        var matching: [String: Int?] = [:]

        init(filter: @escaping @Sendable (Meta) -> Bool, handler: @escaping @Sendable (ClusterWatchEvent) -> Void) {
            self.filter = filter
            self.handler = handler
        }
    }

    private struct Subscription: WatchStopping {
        let action: @Sendable () -> Void
        func stop() { action() }
    }
}
