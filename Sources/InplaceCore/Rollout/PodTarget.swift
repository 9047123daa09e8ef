/// What one pod must become: its image changes, resource changes, template labels and annotations,
/// and the revision labels that go with them.
public struct PodTarget: Sendable, Equatable {
    public var name: String
    public var changes: [ImageChange]
    /// cpu and memory changes made through `pods/resize`.
    public var resources: [ResourceChange]
    /// Labels the workload's controller expects on pods of the new revision.
    public var labels: [String: String]
    /// Template labels and annotations set or removed in the image patch.
    public var metadata: [MetadataChange]

    public init(name: String, changes: [ImageChange], resources: [ResourceChange] = [], labels: [String: String] = [:],
                metadata: [MetadataChange] = []) {
        self.name = name
        self.changes = changes
        self.resources = resources
        self.labels = labels
        self.metadata = metadata
    }

    /// No container restarts (only `NotRequired` resizes, labels, annotations): the pod stays in
    /// service and does not count against max-unavailable.
    public var inService: Bool {
        changes.isEmpty && !resources.contains(where: \.restarts) && !(resources.isEmpty && metadata.isEmpty)
    }

    /// Only labels and annotations change: one patch, no record, no restart.
    public var metadataOnly: Bool { changes.isEmpty && resources.isEmpty && !metadata.isEmpty }

    /// True when `pod` shows the patch: the images, the revision labels and the template's labels and annotations.
    /// Reads only the entries it compares (the rollout asks on every change of a pod in flight).
    public func isPatched(_ pod: Pod) -> Bool {
        guard changes.allSatisfy({ Self.specImage(pod, $0.container) == $0.to }) else { return false }
        let labels = pod.object["metadata"]?["labels"]
        guard self.labels.allSatisfy({ labels?[$0.key]?.string == $0.value }) else { return false }
        return metadata.allSatisfy { $0.isMade(on: pod) }
    }

    /// The image of the container named `name` as `Pod.containers` lists it: the first of that name
    /// among the containers, then the native sidecars.
    static func specImage(_ pod: Pod, _ name: String) -> String? {
        let spec = pod.object["spec"]
        for c in spec?["containers"]?.array ?? [] where (c["name"]?.string ?? "") == name { return c["image"]?.string ?? "" }
        for c in spec?["initContainers"]?.array ?? [] where Pod.isSidecar(c) && (c["name"]?.string ?? "") == name {
            return c["image"]?.string ?? ""
        }
        return nil
    }
}
