/// Names one workload in the cluster: kind, namespace and name.
public struct WorkloadRef: Sendable, Hashable, Codable, CustomStringConvertible {
    public var kind: WorkloadKind
    public var namespace: String
    public var name: String

    public init(kind: WorkloadKind, namespace: String, name: String) {
        self.kind = kind
        self.namespace = namespace
        self.name = name
    }

    /// `deployment/web`, as kubectl prints references.
    public var description: String { "\(kind.typeName)/\(name)" }

    /// The API path of the object.
    public var path: String { "\(kind.collectionPath(namespace: namespace))/\(name)" }
}
