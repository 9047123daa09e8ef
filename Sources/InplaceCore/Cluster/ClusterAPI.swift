import JSON
import Locking

/// The patch content types the API server accepts.
public enum PatchStrategy: String, Sendable {
    case strategicMerge = "application/strategic-merge-patch+json"
    case merge = "application/merge-patch+json"
    case json = "application/json-patch+json"
}

/// What went wrong with a cluster operation, in the terms the rollout reacts to.
public struct ClusterOperationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The class of failure.
    public enum Kind: Sendable, Equatable {
        /// 409: the object changed (or a JSON-patch test failed on a precondition).
        case conflict
        /// 404.
        case notFound
        /// 422 / 400: the server refused the content.
        case invalid
        /// 401 / 403.
        case forbidden
        /// 429, 5xx, connection trouble: worth retrying.
        case transient
        /// Anything else.
        case other
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }
}

/// One change seen by a watch that lists first and relists after it lost track (410, reconnects).
public enum ClusterWatchEvent: Sendable {
    /// The complete current set (after the initial list or a relist).
    case synced([JSONValue])
    case added(JSONValue)
    case modified(JSONValue)
    case deleted(JSONValue)
    /// The watch gave up (an error retrying cannot fix); no more events follow.
    case failed(ClusterOperationError)
}

/// Stops a running watch.
public protocol WatchStopping: Sendable {
    func stop()
}

/// Everything a rollout does to the cluster: reads, patches and watches. The CLI implements it
/// over the Kubernetes client; tests over an in-memory cluster.
public protocol ClusterAPI: ClusterReader {
    /// GET of an object by API path.
    func get(_ path: String) throws -> JSONValue
    /// PATCH of an object (or a subresource path such as `.../pods/x/status`); the object returned
    /// keeps at least what `projection` keeps (nil: all of it; a reader of little of it saves work).
    func patch(_ path: String, type: PatchStrategy, body: JSONValue, dryRun: Bool, keeping projection: JSONProjection?) throws -> JSONValue
    /// POST of a new object to a collection path.
    func create(_ path: String, body: JSONValue) throws -> JSONValue
    /// PUT of a whole object (conditional on its metadata.resourceVersion).
    func replace(_ path: String, body: JSONValue) throws -> JSONValue
    /// LIST of a collection path, all pages.
    func list(_ path: String, labelSelector: String?) throws -> [JSONValue]
    /// Lists then watches a collection, calling `handler` on a background thread for each change;
    /// objects keep at least what `projection` keeps (nil: all of them).
    func watch(_ path: String, labelSelector: String?, fieldSelector: String?, keeping projection: JSONProjection?,
               handler: @escaping @Sendable (ClusterWatchEvent) -> Void) -> any WatchStopping
    /// True when `patch(…, completion:)` and `create(…, completion:)` return at once (a write loop
    /// runs them, so no thread waits for their answers); false when they block until the write has
    /// ended, so callers give each a thread (`WritePool.startAll(onThreads:)`).
    var writesAsynchronously: Bool { get }
    /// `patch`, ending with one call of `completion`: on the implementation's thread when
    /// `writesAsynchronously`, otherwise before it returns.
    func patch(_ path: String, type: PatchStrategy, body: JSONValue, dryRun: Bool, keeping projection: JSONProjection?,
               completion: @escaping @Sendable (Result<JSONValue, ClusterOperationError>) -> Void)
    /// `create`, ending with one call of `completion` (as `patch(…, completion:)`).
    func create(_ path: String, body: JSONValue, completion: @escaping @Sendable (Result<JSONValue, ClusterOperationError>) -> Void)
    /// `create(…, completion:)`, the answer keeping at least what `projection` keeps (a writer that
    /// drops the answer reads it with a projection that builds nothing).
    func create(_ path: String, body: JSONValue, keeping projection: JSONProjection?,
                completion: @escaping @Sendable (Result<JSONValue, ClusterOperationError>) -> Void)
    /// The loop `watch` reads events on, for the rollout's thread to drive while it waits for them;
    /// nil: the watches' own threads deliver them.
    func watchLoop() -> (any WaitLoop)?
}

extension ClusterAPI {
    /// The blocking calls: writes need a thread each.
    public var writesAsynchronously: Bool { false }

    /// No loop to drive.
    public func watchLoop() -> (any WaitLoop)? { nil }

    /// Runs the blocking `patch`, then `completion`.
    public func patch(_ path: String, type: PatchStrategy, body: JSONValue, dryRun: Bool, keeping projection: JSONProjection?,
                      completion: @escaping @Sendable (Result<JSONValue, ClusterOperationError>) -> Void) {
        completion(Self.result { try patch(path, type: type, body: body, dryRun: dryRun, keeping: projection) })
    }

    /// Runs the blocking `create`, then `completion`.
    public func create(_ path: String, body: JSONValue, completion: @escaping @Sendable (Result<JSONValue, ClusterOperationError>) -> Void) {
        completion(Self.result { try create(path, body: body) })
    }

    /// `create(…, completion:)` with the whole answer.
    public func create(_ path: String, body: JSONValue, keeping projection: JSONProjection?,
                       completion: @escaping @Sendable (Result<JSONValue, ClusterOperationError>) -> Void) {
        create(path, body: body, completion: completion)
    }

    /// The outcome of a cluster call, any error not of the cluster's own kind classed `.other`.
    static func result(_ call: () throws -> JSONValue) -> Result<JSONValue, ClusterOperationError> {
        do { return .success(try call()) } catch let e as ClusterOperationError { return .failure(e) } catch {
            return .failure(ClusterOperationError(.other, "\(error)"))
        }
    }

    /// PATCH returning the whole object.
    public func patch(_ path: String, type: PatchStrategy, body: JSONValue, dryRun: Bool) throws -> JSONValue {
        try patch(path, type: type, body: body, dryRun: dryRun, keeping: nil)
    }

    /// A watch of whole objects.
    public func watch(_ path: String, labelSelector: String?, fieldSelector: String?,
                      handler: @escaping @Sendable (ClusterWatchEvent) -> Void) -> any WatchStopping {
        watch(path, labelSelector: labelSelector, fieldSelector: fieldSelector, keeping: nil, handler: handler)
    }
}
