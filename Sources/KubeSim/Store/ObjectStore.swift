import Foundation
import JSON
import Synchronization

/// What a transaction on one object decided to do.
public enum StoreWrite: Sendable {
    /// Store this object (create or replace); unchanged content is not written again.
    case put(JSONValue)
    /// Remove the object; the value is its final state as watchers see it.
    case delete(JSONValue)
    /// Write nothing.
    case none
}

/// The result of a transaction: the object now stored (or deleted), and the event if one was written.
public struct StoreCommit: Sendable {
    /// The object as stored (for deletions: its final state).
    public let object: JSONValue?
    /// The event written, nil when nothing changed.
    public let event: StoreEvent?
}

/// The simulator's etcd: objects by resource and key, one global resourceVersion counter, a ring
/// of recent events for watches, snapshots at older versions for paginated lists, and
/// subscriptions that receive every committed change in order. Thread-safe.
public final class ObjectStore: Sendable {
    struct State {
        var resourceVersion = 0
        var buckets: [ResourceType: [ObjectKey: JSONValue]] = [:]
        var history: EventRing
        var subscriptions: [Int: StoreSubscription] = [:]
        var nextSubscriptionID = 1
    }

    let state: Mutex<State>

    /// A store that keeps the last `historySize` events for watches and list snapshots.
    public init(historySize: Int = 10_000) {
        state = Mutex(State(history: EventRing(capacity: historySize)))
    }

    /// The newest resourceVersion.
    public var resourceVersion: Int { state.withLock { $0.resourceVersion } }

    /// Versions up to this one are no longer in the history (watching from them gets 410).
    public var compactedResourceVersion: Int { state.withLock { $0.history.compactedResourceVersion } }

    /// The number of events the history can keep.
    public var historyCapacity: Int { state.withLock { $0.history.capacity } }

    /// One object, or nil.
    public func get(_ resource: ResourceType, namespace: String = "", name: String) -> JSONValue? {
        let key = ObjectKey(namespace: resource.namespaced ? namespace : "", name: name)
        return state.withLock { $0.buckets[resource]?[key] }
    }

    /// Every object of a resource (in one namespace, or all when nil), sorted by namespace and name,
    /// with the store's resourceVersion at the time of reading.
    public func list(_ resource: ResourceType, namespace: String? = nil) -> (items: [JSONValue], resourceVersion: Int) {
        let (bucket, rv) = state.withLock { s in (s.buckets[resource] ?? [:], s.resourceVersion) }
        return (Self.sortedValues(bucket, namespace: namespace), rv)
    }

    /// The objects of a resource as they were at `resourceVersion`, rebuilt from the history;
    /// throws `.expired` when that version is older than the history.
    public func list(_ resource: ResourceType, namespace: String?, at resourceVersion: Int) throws(StoreError) -> [JSONValue] {
        let result: Result<[ObjectKey: JSONValue], StoreError> = state.withLock { s in
            if resourceVersion < s.history.compactedResourceVersion {
                return .failure(.expired(requested: resourceVersion, oldest: s.history.compactedResourceVersion))
            }
            var bucket = s.buckets[resource] ?? [:]
            for e in s.history.eventsNewestFirst(after: resourceVersion) where e.resource == resource {
                switch e.type {
                case .added: bucket[e.key] = nil
                case .modified, .deleted: bucket[e.key] = e.previous
                }
            }
            return .success(bucket)
        }
        return Self.sortedValues(try result.get(), namespace: namespace)
    }

    /// The number of objects of a resource.
    public func count(_ resource: ResourceType) -> Int { state.withLock { $0.buckets[resource]?.count ?? 0 } }

    private static func sortedValues(_ bucket: [ObjectKey: JSONValue], namespace: String?) -> [JSONValue] {
        var pairs: [(ObjectKey, JSONValue)] = []
        pairs.reserveCapacity(bucket.count)
        for (k, v) in bucket where namespace == nil || k.namespace == namespace! { pairs.append((k, v)) }
        pairs.sort { $0.0 < $1.0 }
        return pairs.map(\.1)
    }

    /// Runs `body` on the current object (nil if absent) and commits what it returns: a new
    /// resourceVersion, uid and creationTimestamp where missing, an event for watchers. A put whose
    /// content equals the stored object (ignoring resourceVersion) writes nothing.
    ///
    /// Optimistic, as the API server's GuaranteedUpdate over etcd: `body` runs outside the lock and
    /// runs again on the newer object when another write got in first, so it must have no side
    /// effects; only the compare-and-swap holds the lock.
    @discardableResult
    public func transact<E: Error>(
        _ resource: ResourceType, _ key: ObjectKey, _ body: (JSONValue?) throws(E) -> StoreWrite
    ) throws(E) -> StoreCommit {
        let key = resource.namespaced ? key : ObjectKey(namespace: "", name: key.name)
        while true {
            let current = state.withLock { s in s.buckets[resource]?[key] }
            let write = try body(current)
            if case .none = write { return StoreCommit(object: current, event: nil) }
            let commit = state.withLock { s -> StoreCommit? in
                let stored = s.buckets[resource]?[key]
                guard Self.sameVersion(stored, current) else { return nil }
                return Self.apply(write, resource: resource, key: key, current: stored, state: &s)
            }
            if let commit { return commit }
        }
    }

    /// Both absent, or the same write of the same object.
    private static func sameVersion(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (let a?, let b?): return a.metaResourceVersion == b.metaResourceVersion && a.metaUID == b.metaUID
        default: return false
        }
    }

    /// Runs several transactions atomically (used by cascading deletion and bulk seeding).
    func batch<R>(_ body: (inout Batch) -> R) -> R {
        state.withLock { s in
            var b = Batch(state: State(history: EventRing(capacity: 1)))
            swap(&b.state, &s)
            let r = body(&b)
            swap(&b.state, &s)
            return r
        }
    }

    /// A set of writes applied under one lock hold.
    struct Batch {
        var state: State
        func get(_ resource: ResourceType, _ key: ObjectKey) -> JSONValue? { state.buckets[resource]?[key] }
        func all(_ resource: ResourceType) -> [ObjectKey: JSONValue] { state.buckets[resource] ?? [:] }
        var resources: [ResourceType] { Array(state.buckets.keys) }
        @discardableResult
        mutating func write(_ resource: ResourceType, _ key: ObjectKey, _ w: StoreWrite) -> StoreCommit {
            let current = state.buckets[resource]?[key]
            return ObjectStore.apply(w, resource: resource, key: key, current: current, state: &state)
        }
    }

    private static func apply(_ write: StoreWrite, resource: ResourceType, key: ObjectKey, current: JSONValue?, state s: inout State)
        -> StoreCommit
    {
        switch write {
        case .none:
            return StoreCommit(object: current, event: nil)
        case .put(var obj):
            if let current {
                var probe = obj
                probe.setMeta("resourceVersion", current[path: ["metadata", "resourceVersion"]])
                if probe == current { return StoreCommit(object: current, event: nil) }
            }
            s.resourceVersion += 1
            let rv = s.resourceVersion
            if current == nil {
                if obj.metaUID.isEmpty { obj.setMeta("uid", .string(UUID().uuidString.lowercased())) }
                if obj[path: ["metadata", "creationTimestamp"]]?.string == nil {
                    obj.setMeta("creationTimestamp", .string(Timestamp.now()))
                }
            }
            obj.setMeta("resourceVersion", .string(String(rv)))
            obj = ObjectMetaOrder.canonical(obj)
            if s.buckets[resource] == nil { s.buckets[resource] = [:] }
            s.buckets[resource]![key] = obj
            let e = StoreEvent(
                type: current == nil ? .added : .modified, resource: resource, object: obj, previous: current,
                resourceVersion: rv, key: key)
            publish(e, &s)
            return StoreCommit(object: obj, event: e)
        case .delete(var final):
            guard let current else { return StoreCommit(object: nil, event: nil) }
            s.resourceVersion += 1
            let rv = s.resourceVersion
            final.setMeta("resourceVersion", .string(String(rv)))
            s.buckets[resource]![key] = nil
            let e = StoreEvent(type: .deleted, resource: resource, object: final, previous: current, resourceVersion: rv, key: key)
            publish(e, &s)
            return StoreCommit(object: final, event: e)
        }
    }

    private static func publish(_ e: StoreEvent, _ s: inout State) {
        s.history.append(e)
        for sub in s.subscriptions.values where sub.filter.matches(e) { sub.deliver(e) }
    }

    /// Subscribes to committed changes. With `after`, the events after that resourceVersion are
    /// replayed first (throws `.expired` when they are no longer in the history).
    public func subscribe(_ filter: StoreSubscription.Filter = .init(), after resourceVersion: Int? = nil) throws(StoreError)
        -> StoreSubscription
    {
        let result: Result<StoreSubscription, StoreError> = state.withLock { s in
            if let rv = resourceVersion, rv < s.history.compactedResourceVersion {
                return .failure(.expired(requested: rv, oldest: s.history.compactedResourceVersion))
            }
            let id = s.nextSubscriptionID
            s.nextSubscriptionID += 1
            let sub = StoreSubscription(id: id, filter: filter) { [weak self] id in
                self?.state.withLock { _ = $0.subscriptions.removeValue(forKey: id) }
            }
            if let rv = resourceVersion {
                for e in s.history.events(after: rv) where filter.matches(e) { sub.deliver(e) }
            }
            s.subscriptions[id] = sub
            return .success(sub)
        }
        return try result.get()
    }

    /// Subscribes and also returns the current objects of the resources in the filter, atomically
    /// (the initial state of a watch started without a resourceVersion).
    public func subscribeWithSnapshot(_ filter: StoreSubscription.Filter) -> (objects: [(ResourceType, JSONValue)], resourceVersion: Int, subscription: StoreSubscription) {
        state.withLock { s in
            let id = s.nextSubscriptionID
            s.nextSubscriptionID += 1
            let sub = StoreSubscription(id: id, filter: filter) { [weak self] id in
                self?.state.withLock { _ = $0.subscriptions.removeValue(forKey: id) }
            }
            var objects: [(ResourceType, JSONValue)] = []
            for (r, bucket) in s.buckets where filter.resources?.contains(r) ?? true {
                for (k, v) in bucket.sorted(by: { $0.key < $1.key }) where filter.namespace == nil || k.namespace == filter.namespace! {
                    objects.append((r, v))
                }
            }
            s.subscriptions[id] = sub
            return (objects, s.resourceVersion, sub)
        }
    }

    /// The number of live subscriptions.
    public var subscriptionCount: Int { state.withLock { $0.subscriptions.count } }

    /// Forgets the whole event history, as an etcd compaction would: watches and list snapshots
    /// from any older resourceVersion now get 410 Expired.
    public func compactHistory() {
        state.withLock { s in s.history.compact(through: s.resourceVersion) }
    }

    // MARK: Convenience writes for Swift callers (controllers, tests, seeding).

    /// Creates an object (uid, creationTimestamp and resourceVersion are filled in).
    @discardableResult
    public func create(_ resource: ResourceType, _ object: JSONValue) throws(StoreError) -> JSONValue {
        let name = object.metaName
        guard !name.isEmpty else { throw .missingName }
        let key = ObjectKey(namespace: resource.namespaced ? object.metaNamespace : "", name: name)
        let commit = try transact(resource, key) { current throws(StoreError) -> StoreWrite in
            if current != nil { throw .alreadyExists(resource: resource, key: key) }
            return .put(object)
        }
        return commit.object!
    }

    /// Changes an object in place with `mutate`; `ifResourceVersion` makes it conditional.
    @discardableResult
    public func update(
        _ resource: ResourceType, namespace: String = "", name: String, ifResourceVersion: String? = nil,
        _ mutate: (inout JSONValue) -> Void
    ) throws(StoreError) -> JSONValue {
        let key = ObjectKey(namespace: namespace, name: name)
        let commit = try transact(resource, key) { current throws(StoreError) -> StoreWrite in
            guard var obj = current else { throw .notFound(resource: resource, key: key) }
            if let rv = ifResourceVersion, rv != obj.metaResourceVersion { throw .conflict(resource: resource, key: key) }
            mutate(&obj)
            return .put(obj)
        }
        return commit.object!
    }

    /// Removes an object at once (no finalizers, no grace period); dependents whose owners are all
    /// gone are removed too when `cascade` is true.
    @discardableResult
    public func delete(_ resource: ResourceType, namespace: String = "", name: String, cascade: Bool = true) throws(StoreError)
        -> JSONValue
    {
        let key = ObjectKey(namespace: resource.namespaced ? namespace : "", name: name)
        let result: Result<JSONValue, StoreError> = batch { b in
            guard let current = b.get(resource, key) else { return .failure(.notFound(resource: resource, key: key)) }
            let commit = b.write(resource, key, .delete(current))
            if cascade { GarbageCollection.collect(ownerUID: current.metaUID, in: &b) }
            return .success(commit.object!)
        }
        return try result.get()
    }
}
