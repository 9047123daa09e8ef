/// What the cluster offers for in-place resource changes: the API server must serve `pods/resize`
/// (discovery, 1.33+) and each pod's kubelet must actuate it (its node's `kubeletVersion`, 1.33+).
public struct ResizeSupport: Sendable, Equatable {
    /// The server's `gitVersion` (nil: unknown).
    public var serverVersion: String?
    /// `pods/resize` is listed in the core API's discovery.
    public var servesResize: Bool
    /// `status.nodeInfo.kubeletVersion` by node name (a node missing here is unknown).
    public var kubeletVersions: [String: String]
    /// Why the nodes could not be read (nil: they could, or were not asked).
    public var kubeletsUnread: String?

    public init(serverVersion: String?, servesResize: Bool, kubeletVersions: [String: String] = [:], kubeletsUnread: String? = nil) {
        self.serverVersion = serverVersion
        self.servesResize = servesResize
        self.kubeletVersions = kubeletVersions
        self.kubeletsUnread = kubeletsUnread
    }

    /// The first minor version that serves and actuates `pods/resize`.
    public static let minimum = (major: 1, minor: 33)
    /// The first minor version that lets a `NotRequired` memory limit go down.
    public static let memoryLimitDecrease = (major: 1, minor: 34)

    /// Why `changes` cannot be made in place on a pod on `node` (empty: they can).
    public func reasons(_ changes: [ResourceChange], node: String?) -> [String] {
        guard !changes.isEmpty else { return [] }
        let server = serverVersion ?? "an unknown version"
        guard servesResize, let v = Self.minor(serverVersion), v >= Self.minimum else {
            return ["resource changes need the pods/resize subresource of Kubernetes 1.33 or later; the server is \(server)"]
        }
        var reasons: [String] = []
        let kubelet = node.flatMap { kubeletVersions[$0] }
        if kubelet == nil, let kubeletsUnread {
            reasons.append("the kubelet version of node \(node ?? "(none)") is unknown: \(kubeletsUnread)")
        } else if !(Self.minor(kubelet).map { $0 >= Self.minimum } ?? false) {
            reasons.append("node \(node ?? "(none)") runs kubelet \(kubelet ?? "of an unknown version"); resizing in place needs 1.33 or later")
        }
        if v < Self.memoryLimitDecrease {
            for c in changes where c.lowersMemoryLimit && !c.restarts {
                reasons.append("container \(c.container): the memory limit \(c.from) → \(c.to) cannot go down in place unless its resizePolicy for memory is RestartContainer (server \(server); Kubernetes 1.34 allows it)")
            }
        }
        return reasons
    }

    /// Major and minor of `v1.33.2`.
    static func minor(_ text: String?) -> (major: Int, minor: Int)? {
        guard var t = text else { return nil }
        if t.hasPrefix("v") { t.removeFirst() }
        let parts = t.split(separator: ".")
        guard parts.count >= 2, let major = Int(parts[0]), let minor = Int(parts[1].prefix { $0.isNumber }) else { return nil }
        return (major, minor)
    }
}
