/// Which pods' kubelets apply a native sidecar's new image. The API server accepts the image of a
/// live pod's `initContainers[]` (ValidatePodUpdate), but only a kubelet that restarts a running
/// sidecar whose definition changed (kuberuntime `computePodActions`, kubernetes PR #126525, first
/// released in 1.32) runs it; an older one leaves the old sidecar running. Kubelets may be older
/// than the API server, so the decision is per pod, from its node's `status.nodeInfo.kubeletVersion`.
public struct SidecarRestartSupport: Sendable, Equatable {
    /// `status.nodeInfo.kubeletVersion` by node name (a node missing here is unknown).
    public var kubeletVersions: [String: String]

    public init(kubeletVersions: [String: String] = [:]) {
        self.kubeletVersions = kubeletVersions
    }

    /// The first minor version whose kubelet restarts a running sidecar on its new image.
    public static let minimum = (major: 1, minor: 32)

    /// Why the image change of `sidecars` cannot be made in place on a pod on `node` (empty: it can).
    public func reasons(_ sidecars: [String], node: String?) -> [String] {
        guard !sidecars.isEmpty else { return [] }
        let kubelet = node.flatMap { kubeletVersions[$0] }
        if let v = ResizeSupport.minor(kubelet), v >= Self.minimum { return [] }
        let names = sidecars.joined(separator: ", ")
        let which = kubelet.map { "kubelet \($0)" } ?? "a kubelet of unknown version (its Node could not be read)"
        return ["native sidecar \(names): node \(node ?? "(none)") runs \(which), which does not restart a running sidecar whose image changed; kubelet 1.32 or later does"]
    }
}
