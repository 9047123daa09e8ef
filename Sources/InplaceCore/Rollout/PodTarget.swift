/// What one pod must become: its image changes, resource changes and the revision labels that go with them.
public struct PodTarget: Sendable, Equatable {
    public var name: String
    public var changes: [ImageChange]
    /// cpu and memory changes made through `pods/resize`.
    public var resources: [ResourceChange]
    /// Labels the workload's controller expects on pods of the new revision.
    public var labels: [String: String]

    public init(name: String, changes: [ImageChange], resources: [ResourceChange] = [], labels: [String: String] = [:]) {
        self.name = name
        self.changes = changes
        self.resources = resources
        self.labels = labels
    }

    /// No container restarts (only `NotRequired` resizes): the pod stays in service and does not
    /// count against max-unavailable.
    public var inService: Bool { changes.isEmpty && !resources.isEmpty && !resources.contains(where: \.restarts) }
}
