import JSON

/// The workload after the rollout's first writes: what its pods' revision labels must become and
/// what to restore at the end.
public struct PreparedWorkload: Sendable {
    /// The workload object as the server returned it after the writes.
    public var object: JSONValue
    /// The rollout record as written, with what the rollout changed on the workload and must
    /// restore (`previous`): every later write of the record starts from it.
    public var record: RolloutRecord
    /// Labels every updated pod must carry (`controller-revision-hash`, ...).
    public var revisionLabels: [String: String]
    /// The ReplicaSets the Deployment had before (to prove none is created later).
    public var replicaSetNames: Set<String>

    public init(object: JSONValue, record: RolloutRecord, revisionLabels: [String: String] = [:], replicaSetNames: Set<String> = []) {
        self.object = object
        self.record = record
        self.revisionLabels = revisionLabels
        self.replicaSetNames = replicaSetNames
    }
}
