/// One permission a use of the tool needs: a verb on a resource (or one of its subresources), as an
/// RBAC rule and a SelfSubjectAccessReview name it.
public struct ClusterPermission: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// get, list, watch, create, update, patch.
    public var verb: String
    /// What it acts on.
    public var resource: APIResource
    /// "status" for `pods/status`; nil for the object itself.
    public var subresource: String?

    /// A permission.
    public init(_ verb: String, _ resource: APIResource, subresource: String? = nil) {
        self.verb = verb
        self.resource = resource
        self.subresource = subresource
    }

    /// "pods" or "pods/status", as RBAC rules and `kubectl auth can-i` write it.
    public var resourceName: String { subresource.map { "\(resource.resource)/\($0)" } ?? resource.resource }

    /// "patch pods/status" (with the group for the non-core groups: "patch deployments.apps").
    public var description: String {
        resource.group.isEmpty ? "\(verb) \(resourceName)" : "\(verb) \(resource.resource).\(resource.group)\(subresource.map { "/\($0)" } ?? "")"
    }

    public static func < (a: ClusterPermission, b: ClusterPermission) -> Bool {
        (a.resource, a.subresource ?? "", a.verb) < (b.resource, b.subresource ?? "", b.verb)
    }
}
