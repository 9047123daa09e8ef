/// An API resource the tool reads or writes, with the coordinates that build its paths and name
/// it in RBAC rules. Every path the core calls is built from one of these.
public struct APIResource: Hashable, Sendable, Comparable {
    /// The API group ("" for the core group).
    public var group: String
    /// The version served.
    public var version: String
    /// The plural resource name.
    public var resource: String
    /// True when objects live in a namespace.
    public var namespaced: Bool

    /// A resource.
    public init(group: String, version: String = "v1", resource: String, namespaced: Bool = true) {
        self.group = group
        self.version = version
        self.resource = resource
        self.namespaced = namespaced
    }

    public static let pods = APIResource(group: "", resource: "pods")
    public static let deployments = APIResource(group: "apps", resource: "deployments")
    public static let statefulSets = APIResource(group: "apps", resource: "statefulsets")
    public static let daemonSets = APIResource(group: "apps", resource: "daemonsets")
    public static let replicaSets = APIResource(group: "apps", resource: "replicasets")
    public static let controllerRevisions = APIResource(group: "apps", resource: "controllerrevisions")
    public static let endpointSlices = APIResource(group: "discovery.k8s.io", resource: "endpointslices")
    public static let events = APIResource(group: "", resource: "events")
    public static let leases = APIResource(group: "coordination.k8s.io", resource: "leases")
    public static let podDisruptionBudgets = APIResource(group: "policy", resource: "poddisruptionbudgets")
    public static let nodes = APIResource(group: "", resource: "nodes", namespaced: false)
    public static let selfSubjectAccessReviews = APIResource(group: "authorization.k8s.io", resource: "selfsubjectaccessreviews",
                                                             namespaced: false)

    /// The resource of a workload kind.
    public static func of(_ kind: WorkloadKind) -> APIResource {
        switch kind {
        case .deployment: return .deployments
        case .statefulSet: return .statefulSets
        case .daemonSet: return .daemonSets
        case .pod: return .pods
        }
    }

    /// "/api/v1" or "/apis/GROUP/VERSION".
    public var groupVersionPath: String { group.isEmpty ? "/api/\(version)" : "/apis/\(group)/\(version)" }

    /// The path of the collection in `namespace` (all namespaces when nil), of an object when
    /// `name` is given, of its subresource when `subresource` is given.
    public func path(namespace: String?, name: String? = nil, subresource: String? = nil) -> String {
        var p = groupVersionPath
        if namespaced, let namespace { p += "/namespaces/\(namespace)" }
        p += "/\(resource)"
        if let name { p += "/\(name)" }
        if let subresource { p += "/\(subresource)" }
        return p
    }

    public static func < (a: APIResource, b: APIResource) -> Bool {
        (a.group, a.resource) < (b.group, b.resource)
    }
}
