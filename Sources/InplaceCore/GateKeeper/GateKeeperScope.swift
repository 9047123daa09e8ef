/// A set of pods a gate keeper watches: one pod collection (a namespace, or all) and a label selector.
public struct GateKeeperScope: Sendable, Equatable {
    /// The pods collection path (`/api/v1/pods` or `/api/v1/namespaces/NS/pods`).
    public var path: String
    /// A label selector query (`app=web,tier in (a,b)`), or nil for every pod.
    public var labelSelector: String?

    public init(path: String, labelSelector: String? = nil) {
        self.path = path
        self.labelSelector = labelSelector
    }

    /// The pods of every namespace.
    public static func allNamespaces(labelSelector: String? = nil) -> GateKeeperScope {
        GateKeeperScope(path: "/api/v1/pods", labelSelector: labelSelector)
    }

    /// The pods of one namespace.
    public static func namespace(_ namespace: String, labelSelector: String? = nil) -> GateKeeperScope {
        GateKeeperScope(path: "/api/v1/namespaces/\(namespace)/pods", labelSelector: labelSelector)
    }
}
