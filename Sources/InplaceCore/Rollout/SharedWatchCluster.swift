import JSON
import Locking

/// A cluster whose watches are shares of `SharedWatches` (one watch per collection, filtered here as
/// the label and field selectors would filter it on the server); every other operation goes to
/// `base`. The workloads rolled at once each see it as their cluster.
public struct SharedWatchCluster: ClusterAPI {
    public let base: any ClusterAPI
    public let watches: SharedWatches

    /// `base`, with its watches shared through `watches`.
    public init(base: any ClusterAPI, watches: SharedWatches) {
        self.base = base
        self.watches = watches
    }

    public func watch(_ path: String, labelSelector: String?, fieldSelector: String?, keeping projection: JSONProjection?,
                      handler: @escaping @Sendable (ClusterWatchEvent) -> Void) -> any WatchStopping {
        let labels = labelSelector.flatMap { $0.isEmpty ? nil : LabelSelector(parsing: $0) }
        let fields = Self.fields(fieldSelector)
        guard labelSelector.map({ $0.isEmpty || labels != nil }) ?? true, let fields else {
            // A selector this filter cannot read: the server reads it, on a watch of its own.
            return base.watch(path, labelSelector: labelSelector, fieldSelector: fieldSelector, keeping: projection, handler: handler)
        }
        return watches.watch(path, projection: projection, filter: { meta in
            for (field, value) in fields where (field == "metadata.name" ? meta.name : meta.namespace) != value { return false }
            return labels.map { $0.matches(meta.labels) } ?? true
        }, handler: handler)
    }

    /// `metadata.name=x,metadata.namespace=y` as fields and values; nil for anything else.
    static func fields(_ selector: String?) -> [(String, String)]? {
        guard let selector, !selector.isEmpty else { return [] }
        var out: [(String, String)] = []
        for term in selector.split(separator: ",") {
            let parts = term.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2, ["metadata.name", "metadata.namespace"].contains(parts[0]) else { return nil }
            out.append((parts[0], parts[1]))
        }
        return out
    }

    public func get(_ path: String) throws -> JSONValue { try base.get(path) }
    public func patch(_ path: String, type: PatchStrategy, body: JSONValue, dryRun: Bool, keeping projection: JSONProjection?) throws -> JSONValue {
        let object = try base.patch(path, type: type, body: body, dryRun: dryRun, keeping: projection)
        remember(path, object, dryRun: dryRun, projection: projection)
        return object
    }

    /// Keeps a write's answer in the shared watches' cache. A dry run's answer was never stored, and a
    /// digest of the answer is not the object: the cache learns that version from the watch.
    private func remember(_ path: String, _ object: JSONValue, dryRun: Bool, projection: JSONProjection?) {
        if !dryRun, projection?.digest == nil { watches.wrote(path, object) }
    }
    public func create(_ path: String, body: JSONValue) throws -> JSONValue { try base.create(path, body: body) }
    public var writesAsynchronously: Bool { base.writesAsynchronously }
    public func watchLoop() -> (any WaitLoop)? { base.watchLoop() }
    public func patch(_ path: String, type: PatchStrategy, body: JSONValue, dryRun: Bool, keeping projection: JSONProjection?,
                      completion: @escaping @Sendable (Result<JSONValue, ClusterOperationError>) -> Void) {
        base.patch(path, type: type, body: body, dryRun: dryRun, keeping: projection) { [self] result in
            if case .success(let object) = result { remember(path, object, dryRun: dryRun, projection: projection) }
            completion(result)
        }
    }
    public func create(_ path: String, body: JSONValue, completion: @escaping @Sendable (Result<JSONValue, ClusterOperationError>) -> Void) {
        base.create(path, body: body, completion: completion)
    }
    public func create(_ path: String, body: JSONValue, keeping projection: JSONProjection?,
                       completion: @escaping @Sendable (Result<JSONValue, ClusterOperationError>) -> Void) {
        base.create(path, body: body, keeping: projection, completion: completion)
    }
    public func replace(_ path: String, body: JSONValue) throws -> JSONValue {
        let object = try base.replace(path, body: body)
        watches.wrote(path, object)
        return object
    }
    public func list(_ path: String, labelSelector: String?) throws -> [JSONValue] { try base.list(path, labelSelector: labelSelector) }
    public func workload(_ ref: WorkloadRef) throws -> Workload { try base.workload(ref) }
    public func replicaSets(namespace: String, selector: LabelSelector) throws -> [JSONValue] {
        try base.replicaSets(namespace: namespace, selector: selector)
    }
    public func pods(namespace: String, selector: LabelSelector, keeping projection: JSONProjection?,
                     onPage: ([Pod]) throws -> Void) throws {
        try base.pods(namespace: namespace, selector: selector, keeping: projection, onPage: onPage)
    }
    public func workloadNames(_ kind: WorkloadKind, namespace: String) throws -> [String] {
        try base.workloadNames(kind, namespace: namespace)
    }
    public func podDisruptionBudgets(namespace: String) throws -> [JSONValue] { try base.podDisruptionBudgets(namespace: namespace) }
    public func resizeSupport(nodes: Set<String>) throws -> ResizeSupport { try base.resizeSupport(nodes: nodes) }
}
