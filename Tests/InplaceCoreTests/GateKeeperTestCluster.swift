import Foundation
import JSON
@testable import InplaceCore
import KubeFormats

/// An in-memory cluster for the gate keeper and lease tests: objects by path, resourceVersion
/// preconditions, strategic merge of status conditions by type, watches of collections (projected as
/// the live cluster projects them), scripted failures and a log of writes.
final class GateKeeperTestCluster: ClusterAPI, @unchecked Sendable {
    struct Write: Equatable {
        var method: String
        var path: String
        var body: JSONValue
    }

    private let lock = NSLock()
    private var objects: [String: JSONValue] = [:]
    private var revision = 100
    private var watchers: [(id: Int, collection: String, handler: @Sendable (ClusterWatchEvent) -> Void)] = []
    private var nextWatch = 0
    private var failures: [(method: String, path: String, error: ClusterOperationError)] = []
    private var log: [Write] = []
    private var createAnswers: [(path: String, projection: JSONProjection?, answer: Result<JSONValue, ClusterOperationError>)] = []
    /// Runs before a patch is applied (to change the object under the writer's feet).
    var beforePatch: (@Sendable (String) -> Void)?

    /// Every successful write, in order.
    var writes: [Write] { lock.withLock { log } }

    /// Each `create(…, keeping:, completion:)`: its path, the projection asked for, and the answer as it was read with it.
    var projectedCreates: [(path: String, projection: JSONProjection?, answer: Result<JSONValue, ClusterOperationError>)] {
        lock.withLock { createAnswers }
    }

    /// The stored object at `path`.
    func object(_ path: String) -> JSONValue? { lock.withLock { objects[path] } }

    /// Makes the next `method` on `path` fail with `error`.
    func failNext(_ method: String, _ path: String, _ error: ClusterOperationError) {
        lock.withLock { failures.append((method, path, error)) }
    }

    /// Stores a pod (as the API would: with a new resourceVersion) and tells the watchers.
    @discardableResult
    func put(pod: JSONValue) -> JSONValue {
        let p = Pod(pod)
        return store("/api/v1/namespaces/\(p.namespace)/pods/\(p.name)", pod, added: true)
    }

    /// Stores any object at `path` (a workload, a ReplicaSet) and tells the watchers.
    @discardableResult
    func put(_ path: String, _ object: JSONValue) -> JSONValue {
        store(path, object, added: self.object(path) == nil)
    }

    /// Changes a stored object in place (as another client would) and tells the watchers.
    func mutate(_ path: String, _ change: (inout JSONValue) -> Void) {
        guard var o = object(path) else { return }
        change(&o)
        store(path, o, added: false)
    }

    /// Removes a stored object (as another client would) and tells the watchers.
    func delete(_ path: String) {
        let (gone, targets): (JSONValue?, [@Sendable (ClusterWatchEvent) -> Void]) = lock.withLock {
            guard var o = objects.removeValue(forKey: path) else { return (nil, []) }
            revision += 1
            o[path: ["metadata", "resourceVersion"]] = .string(String(revision))
            return (o, watchers.filter { $0.collection == Self.collection(path) }.map(\.handler))
        }
        if let gone { for h in targets { h(.deleted(gone)) } }
    }

    @discardableResult
    private func store(_ path: String, _ object: JSONValue, added: Bool) -> JSONValue {
        var o = object
        let targets: [@Sendable (ClusterWatchEvent) -> Void] = lock.withLock {
            revision += 1
            o[path: ["metadata", "resourceVersion"]] = .string(String(revision))
            objects[path] = o
            return watchers.filter { $0.collection == Self.collection(path) || ($0.collection == "/api/v1/pods" && path.contains("/pods/")) }
                .map(\.handler)
        }
        for h in targets { h(added ? .added(o) : .modified(o)) }
        return o
    }

    static func collection(_ path: String) -> String {
        String(path[..<path.lastIndex(of: "/")!])
    }

    private func takeFailure(_ method: String, _ path: String) -> ClusterOperationError? {
        lock.withLock {
            guard let i = failures.firstIndex(where: { $0.method == method && $0.path == path }) else { return nil }
            return failures.remove(at: i).error
        }
    }

    // MARK: ClusterAPI

    func workload(_ ref: WorkloadRef) throws -> Workload {
        Workload(kind: ref.kind, object: try get(ref.path))
    }

    func replicaSets(namespace: String, selector: LabelSelector) throws -> [JSONValue] { [] }

    func pods(namespace: String, selector: LabelSelector, keeping projection: JSONProjection?,
              onPage: ([Pod]) throws -> Void) throws {
        let pods = try list("/api/v1/namespaces/\(namespace)/pods", labelSelector: nil)
        try onPage(pods.map { object in Pod(projection.map { Self.project(object, $0) } ?? object) })
    }

    func workloadNames(_ kind: WorkloadKind, namespace: String) throws -> [String] { [] }

    func get(_ path: String) throws -> JSONValue {
        if let e = takeFailure("GET", path) { throw e }
        guard let o = object(path) else { throw ClusterOperationError(.notFound, "\(path) not found") }
        return o
    }

    private func patchWhole(_ path: String, type: PatchStrategy, body: JSONValue, dryRun: Bool) throws -> JSONValue {
        beforePatch?(path)
        if let e = takeFailure("PATCH", path) { throw e }
        let target = path.hasSuffix("/status") ? String(path.dropLast("/status".count)) : path
        guard var o = object(target) else { throw ClusterOperationError(.notFound, "\(target) not found") }
        if let rv = body[path: ["metadata", "resourceVersion"]]?.string, rv != o[path: ["metadata", "resourceVersion"]]?.string {
            throw ClusterOperationError(.conflict, "Operation cannot be fulfilled on \(target): the object has been modified")
        }
        if let conditions = body[path: ["status", "conditions"]]?.array {
            var live = o[path: ["status", "conditions"]]?.array ?? []
            for c in conditions {
                if let i = live.firstIndex(where: { $0["type"] == c["type"] }) { live[i] = c } else { live.append(c) }
            }
            o[path: ["status", "conditions"]] = .array(live)
        }
        if let ops = body.array {
            for op in ops {
                let path = (op["path"]?.string ?? "").split(separator: "/", omittingEmptySubsequences: false).dropFirst()
                    .map { $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~") }
                switch op["op"]?.string {
                case "test":
                    if o[path: path] != op["value"] {
                        throw ClusterOperationError(.conflict, "testing value /\(path.joined(separator: "/")) failed")
                    }
                case "add", "replace": o[path: path] = op["value"]
                case "remove": o[path: path] = nil
                default: break
                }
            }
        }
        if let gates = body[path: ["spec", "template", "spec", "readinessGates"]] {
            o[path: ["spec", "template", "spec", "readinessGates"]] = gates
        }
        if dryRun { return o }
        lock.withLock { log.append(Write(method: "PATCH", path: path, body: body)) }
        return store(target, o, added: false)
    }

    func create(_ path: String, body: JSONValue) throws -> JSONValue {
        if let e = takeFailure("POST", path) { throw e }
        let name = body[path: ["metadata", "name"]]?.string ?? ""
        let target = path + "/" + name
        if object(target) != nil {
            throw ClusterOperationError(.other, "leases.coordination.k8s.io \"\(name)\" already exists")
        }
        lock.withLock { log.append(Write(method: "POST", path: path, body: body)) }
        return store(target, body, added: true)
    }

    func create(_ path: String, body: JSONValue, keeping projection: JSONProjection?,
                completion: @escaping @Sendable (Result<JSONValue, ClusterOperationError>) -> Void) {
        let answer = Self.result { try create(path, body: body) }.map { object in projection.map { Self.project(object, $0) } ?? object }
        lock.withLock { createAnswers.append((path, projection, answer)) }
        completion(answer)
    }

    func replace(_ path: String, body: JSONValue) throws -> JSONValue {
        if let e = takeFailure("PUT", path) { throw e }
        guard let o = object(path) else { throw ClusterOperationError(.notFound, "\(path) not found") }
        if let rv = body[path: ["metadata", "resourceVersion"]]?.string, rv != o[path: ["metadata", "resourceVersion"]]?.string {
            throw ClusterOperationError(.conflict, "Operation cannot be fulfilled on \(path): the object has been modified")
        }
        lock.withLock { log.append(Write(method: "PUT", path: path, body: body)) }
        return store(path, body, added: false)
    }

    func list(_ path: String, labelSelector: String?) throws -> [JSONValue] {
        lock.withLock {
            objects.filter { path == "/api/v1/pods" ? $0.key.contains("/pods/") : Self.collection($0.key) == path }
                .sorted { $0.key < $1.key }.map(\.value)
        }
    }

    func watch(_ path: String, labelSelector: String?, fieldSelector: String?, keeping projection: JSONProjection?,
               handler: @escaping @Sendable (ClusterWatchEvent) -> Void) -> any WatchStopping {
        guard let projection else { return watchWhole(path, labelSelector: labelSelector, handler: handler) }
        return watchWhole(path, labelSelector: labelSelector) { event in
            switch event {
            case .synced(let items): handler(.synced(items.map { Self.project($0, projection) }))
            case .added(let o): handler(.added(Self.project(o, projection)))
            case .modified(let o): handler(.modified(Self.project(o, projection)))
            case .deleted(let o): handler(.deleted(Self.project(o, projection)))
            case .failed: handler(event)
            }
        }
    }

    func patch(_ path: String, type: PatchStrategy, body: JSONValue, dryRun: Bool, keeping projection: JSONProjection?) throws -> JSONValue {
        let object = try patchWhole(path, type: type, body: body, dryRun: dryRun)
        guard let projection else { return object }
        return Self.project(object, projection)
    }

    /// `object` as a server's answer parsed with `projection` reads.
    static func project(_ object: JSONValue, _ projection: JSONProjection) -> JSONValue {
        try! JSONValue(parsing: object.serializedBytes(), projection: projection)
    }

    private func watchWhole(_ path: String, labelSelector: String?,
                            handler: @escaping @Sendable (ClusterWatchEvent) -> Void) -> any WatchStopping {
        let id: Int = lock.withLock {
            nextWatch += 1
            watchers.append((nextWatch, path, handler))
            return nextWatch
        }
        let items = (try? list(path, labelSelector: labelSelector)) ?? []
        handler(.synced(items))
        return Stop { [weak self] in self?.lock.withLock { self?.watchers.removeAll { $0.id == id } } }
    }

    /// Lists `path` again to every watcher of it, as a watch does after its resourceVersion expired.
    func relist(_ path: String) {
        let targets = lock.withLock { watchers.filter { $0.collection == path }.map(\.handler) }
        let items = (try? list(path, labelSelector: nil)) ?? []
        for h in targets { h(.synced(items)) }
    }

    /// Sends a watch failure to every watcher of `path` (and forgets them, as a watch that gave up).
    func failWatches(_ path: String, _ error: ClusterOperationError) {
        let targets = lock.withLock {
            let t = watchers.filter { $0.collection == path }.map(\.handler)
            watchers.removeAll { $0.collection == path }
            return t
        }
        for h in targets { h(.failed(error)) }
    }

    var watchCount: Int { lock.withLock { watchers.count } }

    struct Stop: WatchStopping {
        let action: @Sendable () -> Void
        func stop() { action() }
    }
}

/// A clock the test moves by hand.
final class ManualClock: RolloutClock, @unchecked Sendable {
    private let lock = NSLock()
    private var now: Double
    private let start: Double
    /// The wall time at `start`: 2026-11-29T03:00:00Z, moving with the monotonic time.
    static let wallStart: Double = 1_795_921_200

    init(_ start: Double = 1000) {
        now = start
        self.start = start
    }

    var monotonic: Double { lock.withLock { now } }
    var wall: Double { Self.wallStart + lock.withLock { now - start } }
    var rfc3339: String { RFC3339.format(wall) }
    var rfc3339Millis: String { String(rfc3339.dropLast()) + ".000Z" }

    func advance(_ seconds: Double) { lock.withLock { now += seconds } }
}
