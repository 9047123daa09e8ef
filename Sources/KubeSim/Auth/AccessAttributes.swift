/// What one request asks to do, as kube-apiserver's RequestInfoFactory and authorizer attributes
/// describe it: verb, API group, resource, subresource, namespace and name, or a non-resource path.
public struct AccessAttributes: Sendable, Equatable {
    /// get, list, watch, create, update, patch, delete, deletecollection.
    public var verb: String
    /// The API group ("" for the core group).
    public var group: String
    /// The plural resource ("" for a non-resource request).
    public var resource: String
    /// The subresource ("" when none).
    public var subresource: String
    /// The namespace ("" for cluster scope).
    public var namespace: String
    /// The object's name ("" for collections).
    public var name: String
    /// True for a request under /api or /apis that addresses a resource.
    public var isResourceRequest: Bool

    /// Attributes of a resource request.
    public init(verb: String, group: String, resource: String, subresource: String = "", namespace: String = "", name: String = "") {
        self.verb = verb
        self.group = group
        self.resource = resource
        self.subresource = subresource
        self.namespace = namespace
        self.name = name
        isResourceRequest = true
    }

    /// The verb of an HTTP method on a resource path (a list or watch with a `metadata.name=X` field
    /// selector is about that name, as the API server reads it).
    static func of(method: String, resource r: ResourceType, namespace: String?, name: String?, subresource: String?,
                   query: QueryParameters) -> AccessAttributes {
        let verb: String
        switch (method, name) {
        case ("GET", nil), ("HEAD", nil): verb = query.flag("watch") ? "watch" : "list"
        case ("GET", _), ("HEAD", _): verb = "get"
        case ("POST", _): verb = "create"
        case ("PUT", _): verb = "update"
        case ("PATCH", _): verb = "patch"
        case ("DELETE", nil): verb = "deletecollection"
        case ("DELETE", _): verb = "delete"
        default: verb = method.lowercased()
        }
        var objectName = name ?? ""
        if name == nil, verb == "list" || verb == "watch", let selector = query["fieldSelector"] {
            let terms = selector.split(separator: ",").map(String.init)
            if terms.count == 1, let t = terms.first {
                for prefix in ["metadata.name==", "metadata.name="] where t.hasPrefix(prefix) {
                    objectName = String(t.dropFirst(prefix.count))
                    break
                }
            }
        }
        return AccessAttributes(verb: verb, group: r.group, resource: r.resource, subresource: subresource ?? "",
                                namespace: namespace ?? "", name: objectName)
    }

    /// "pods/status" or "pods".
    var combinedResource: String { subresource.isEmpty ? resource : "\(resource)/\(subresource)" }

    /// The message of a 403, worded as kube-apiserver's authorization filter words it.
    func forbiddenMessage(_ user: SimUser) -> String {
        let scope = namespace.isEmpty ? "at the cluster scope" : "in the namespace \"\(namespace)\""
        let why = "User \"\(user.name)\" cannot \(verb) resource \"\(combinedResource)\" in API group \"\(group)\" \(scope)"
        let gr = group.isEmpty ? resource : "\(resource).\(group)"
        return name.isEmpty ? "\(gr) is forbidden: \(why)" : "\(gr) \"\(name)\" is forbidden: \(why)"
    }
}
