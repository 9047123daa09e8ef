import Foundation
import InplaceCore
import JSON
import KubeClient
import Locking

/// The cluster operations of the core, over the Kubernetes client.
public final class LiveCluster: ClusterAPI, Sendable {
    public let client: KubeClient

    public init(client: KubeClient) { self.client = client }

    public func workload(_ ref: WorkloadRef) throws -> Workload {
        do {
            return Workload(kind: ref.kind, object: try client.get(ref.path))
        } catch let e where e.isNotFound {
            throw ClusterOperationError(.notFound, "\(ref) not found in namespace \(ref.namespace)")
        } catch {
            throw Self.map(error)
        }
    }

    public func replicaSets(namespace: String, selector: LabelSelector) throws -> [JSONValue] {
        try list("/apis/apps/v1/namespaces/\(namespace)/replicasets", labelSelector: selector.queryString)
    }

    public func pods(namespace: String, selector: LabelSelector, keeping projection: JSONProjection?,
                     onPage: ([Pod]) throws -> Void) throws {
        do {
            _ = try client.listEach("/api/v1/namespaces/\(namespace)/pods", labelSelector: selector.queryString, limit: Self.podPageSize,
                                    projection: projection) { item, _ in
                try onPage([Pod(item)])
            }
        } catch let e as KubeAPIError {
            throw Self.map(e)
        }
    }

    /// Pods per list page: a page is held as its bytes (about 3 kB a pod) while its pods are decoded
    /// one at a time; pages of 200 take as little CPU as larger ones and keep planning 10,000 pods
    /// within 30 MB (kubectl asks for 500).
    static let podPageSize = 200

    public func podDisruptionBudgets(namespace: String) throws -> [JSONValue] {
        do {
            return try list(APIResource.podDisruptionBudgets.path(namespace: namespace), labelSelector: nil)
        } catch let e as ClusterOperationError where e.kind == .notFound {
            return []
        }
    }

    public func workloadNames(_ kind: WorkloadKind, namespace: String) throws -> [String] {
        try list(kind.collectionPath(namespace: namespace), labelSelector: nil).compactMap { $0[path: ["metadata", "name"]]?.string }
    }

    public func get(_ path: String) throws -> JSONValue {
        do { return try client.get(path) } catch { throw Self.map(error) }
    }

    public func patch(_ path: String, type: PatchStrategy, body: JSONValue, dryRun: Bool, keeping projection: JSONProjection?) throws -> JSONValue {
        // Every patch the rollout sends is safe to repeat, so the client may retry it.
        do {
            return try client.patch(path, type: Self.patchType(type), body: body, dryRun: dryRun, idempotent: true, projection: projection)
        } catch {
            throw Self.map(error)
        }
    }

    public func create(_ path: String, body: JSONValue) throws -> JSONValue {
        do { return try client.post(path, body: body) } catch { throw Self.map(error) }
    }

    /// Writes go out on the client's write loop.
    public var writesAsynchronously: Bool { true }

    /// The client's watch loop.
    public func watchLoop() -> (any WaitLoop)? { client.watchLoop() }

    public func patch(_ path: String, type: PatchStrategy, body: JSONValue, dryRun: Bool, keeping projection: JSONProjection?,
                      completion: @escaping @Sendable (Result<JSONValue, ClusterOperationError>) -> Void) {
        client.patch(path, type: Self.patchType(type), body: body, dryRun: dryRun, idempotent: true, projection: projection) { result in
            completion(result.mapError { Self.map($0) })
        }
    }

    public func create(_ path: String, body: JSONValue, completion: @escaping @Sendable (Result<JSONValue, ClusterOperationError>) -> Void) {
        create(path, body: body, keeping: nil, completion: completion)
    }

    public func create(_ path: String, body: JSONValue, keeping projection: JSONProjection?,
                       completion: @escaping @Sendable (Result<JSONValue, ClusterOperationError>) -> Void) {
        client.post(path, body: body, projection: projection) { result in completion(result.mapError { Self.map($0) }) }
    }

    private static func patchType(_ type: PatchStrategy) -> PatchType {
        switch type {
        case .strategicMerge: return .strategicMerge
        case .merge: return .merge
        case .json: return .json
        }
    }

    public func replace(_ path: String, body: JSONValue) throws -> JSONValue {
        do { return try client.put(path, body: body) } catch { throw Self.map(error) }
    }

    public func list(_ path: String, labelSelector: String?) throws -> [JSONValue] {
        do { return try client.listAll(path, labelSelector: labelSelector).items } catch { throw Self.map(error) }
    }

    public func watch(_ path: String, labelSelector: String?, fieldSelector: String?, keeping projection: JSONProjection?,
                      handler: @escaping @Sendable (ClusterWatchEvent) -> Void) -> any WatchStopping {
        let handle = WatchHandle()
        let client = self.client
        let thread = Thread {
            do {
                try client.watchWithRelist(path, labelSelector: labelSelector, fieldSelector: fieldSelector, handle: handle,
                                           projection: projection) { event in
                    switch event {
                    case .listed(let items, _): handler(.synced(items))
                    case .added(let o): handler(.added(o))
                    case .modified(let o): handler(.modified(o))
                    case .deleted(let o): handler(.deleted(o))
                    }
                    return handle.isStopped ? .stop : .continue
                }
            } catch {
                if !handle.isStopped { handler(.failed(Self.map(error))) }
            }
        }
        thread.stackSize = 1 << 20
        thread.start()
        return LiveWatch(handle: handle)
    }

    /// Maps the client's errors onto the classes the rollout reacts to. A JSON-patch `test` that
    /// failed (422, its cause naming the test) is a failed precondition: a conflict.
    static func map(_ error: any Error) -> ClusterOperationError {
        guard let error = error as? KubeAPIError else { return ClusterOperationError(.other, "\(error)") }
        var kind: ClusterOperationError.Kind
        switch error.classification {
        case .conflict, .alreadyExists: kind = .conflict
        case .notFound: kind = .notFound
        case .invalid, .badRequest: kind = .invalid
        case .forbidden, .unauthorized, .authentication: kind = .forbidden
        case .tooManyRequests, .serverError, .timeout, .transport: kind = .transient
        default: kind = .other
        }
        var message = error.description
        if case .status(let status) = error, status.code == 422 {
            let causes = status.causes.filter { $0.field.isEmpty && !$0.message.isEmpty }.map(\.message)
            if !causes.isEmpty { message += ": " + causes.joined(separator: "; ") }
            if causes.contains(where: { $0.hasPrefix("testing value ") }) { kind = .conflict }
        }
        return ClusterOperationError(kind, message)
    }

    struct LiveWatch: WatchStopping {
        let handle: WatchHandle
        func stop() { handle.stop() }
    }
}

extension LiveCluster: HandOffTracing {
    public var tracesHandOffs: Bool { client.trace != nil }

    public func handedOff(freed: [(pod: String, resourceVersion: String)], started: [String]) {
        let freedText = freed.map { "\($0.pod)@\($0.resourceVersion)" }.joined(separator: ",")
        client.trace?.mark("handoff \(freedText) \(started.joined(separator: ","))")
    }
}
