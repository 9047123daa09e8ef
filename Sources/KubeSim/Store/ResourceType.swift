/// A kind of API object the simulator serves: its group, version, plural resource name, kind and
/// discovery facts. Two values are the same resource when group and resource match.
public struct ResourceType: Hashable, Sendable, CustomStringConvertible {
    /// The API group ("" for the core group).
    public let group: String
    /// The version served ("v1").
    public let version: String
    /// The plural resource name ("pods").
    public let resource: String
    /// The kind ("Pod").
    public let kind: String
    /// The singular name ("pod").
    public let singular: String
    /// True for namespaced resources.
    public let namespaced: Bool
    /// Short names for kubectl ("po").
    public let shortNames: [String]
    /// Subresources served ("status", "scale").
    public let subresources: [String]
    /// Discovery categories ("all").
    public let categories: [String]
    /// The verbs listed in discovery.
    public let verbs: [String]

    /// A resource description.
    public init(
        group: String, version: String, resource: String, kind: String, singular: String? = nil, namespaced: Bool = true,
        shortNames: [String] = [], subresources: [String] = [], categories: [String] = [],
        verbs: [String] = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]
    ) {
        self.group = group
        self.version = version
        self.resource = resource
        self.kind = kind
        self.singular = singular ?? kind.lowercased()
        self.namespaced = namespaced
        self.shortNames = shortNames
        self.subresources = subresources
        self.categories = categories
        self.verbs = verbs
    }

    /// "v1" or "apps/v1".
    public var apiVersion: String { group.isEmpty ? version : "\(group)/\(version)" }
    /// "pods" or "deployments.apps", as error messages name the resource.
    public var groupResource: String { group.isEmpty ? resource : "\(resource).\(group)" }
    /// "Pod" or "Deployment.apps", as Invalid errors name the kind.
    public var groupKind: String { group.isEmpty ? kind : "\(kind).\(group)" }
    /// The kind of the list ("PodList").
    public var listKind: String { kind + "List" }

    public var description: String { groupResource }

    public static func == (a: ResourceType, b: ResourceType) -> Bool { a.group == b.group && a.resource == b.resource }
    public func hash(into h: inout Hasher) {
        h.combine(group)
        h.combine(resource)
    }
}

/// Where an object lives: its namespace ("" for cluster-scoped objects) and name.
public struct ObjectKey: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The namespace, "" for cluster-scoped objects.
    public var namespace: String
    /// The name.
    public var name: String

    /// A key.
    public init(namespace: String, name: String) {
        self.namespace = namespace
        self.name = name
    }

    public static func < (a: ObjectKey, b: ObjectKey) -> Bool {
        a.namespace == b.namespace ? a.name < b.name : a.namespace < b.namespace
    }

    public var description: String { namespace.isEmpty ? name : "\(namespace)/\(name)" }
}
