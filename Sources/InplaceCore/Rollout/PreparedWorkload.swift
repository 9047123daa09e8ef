import JSON

/// The workload after the rollout's first writes: what its pods' revision labels must become and
/// what to restore at the end.
public struct PreparedWorkload: Sendable {
    /// The workload object as the server returned it after the writes.
    public var object: JSONValue
    /// Labels every updated pod must carry (`controller-revision-hash`, ...).
    public var revisionLabels: [String: String]
    /// The ReplicaSets the Deployment had before (to prove none is created later).
    public var replicaSetNames: Set<String>

    public init(object: JSONValue, revisionLabels: [String: String] = [:], replicaSetNames: Set<String> = []) {
        self.object = object
        self.revisionLabels = revisionLabels
        self.replicaSetNames = replicaSetNames
    }
}
