/// How a live pod differs from the desired pod template.
public struct SpecDifference: Sendable, Equatable {
    /// Containers whose image must change, in spec order.
    public var imageChanges: [ImageChange] = []
    /// Field paths that differ and cannot be changed on a live pod (e.g. `spec.containers[app].env`).
    public var blockedFields: [String] = []

    /// cpu and memory requests and limits to change through `pods/resize`, in spec order.
    public var resourceChanges: [ResourceChange] = []

    public init(imageChanges: [ImageChange] = [], blockedFields: [String] = [], resourceChanges: [ResourceChange] = []) {
        self.imageChanges = imageChanges
        self.blockedFields = blockedFields
        self.resourceChanges = resourceChanges
    }

    /// True when the pod already matches the desired template.
    public var isEmpty: Bool { imageChanges.isEmpty && blockedFields.isEmpty && resourceChanges.isEmpty }

    /// True when a container restarts (a new image, or a resource whose resize policy restarts it),
    /// so the pod must leave service first.
    public var restartsContainers: Bool { !imageChanges.isEmpty || resourceChanges.contains(where: \.restarts) }

    /// The native sidecars (`initContainers[]` with `restartPolicy: Always`) among `imageChanges`:
    /// only a kubelet that restarts a running sidecar whose definition changed applies them.
    public var sidecars: [String] = []
}

/// One container's image change: from the pod's current image to the desired one.
public struct ImageChange: Sendable, Equatable, Hashable, Codable {
    public var container: String
    public var from: String
    public var to: String

    public init(container: String, from: String, to: String) {
        self.container = container
        self.from = from
        self.to = to
    }
}
