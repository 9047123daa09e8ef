/// What one pod must become: its image changes and the revision labels that go with them.
public struct PodTarget: Sendable, Equatable {
    public var name: String
    public var changes: [ImageChange]
    /// Labels the workload's controller expects on pods of the new revision.
    public var labels: [String: String]

    public init(name: String, changes: [ImageChange], labels: [String: String] = [:]) {
        self.name = name
        self.changes = changes
        self.labels = labels
    }
}
