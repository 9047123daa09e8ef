import JSON

/// A workload object (Deployment, StatefulSet, DaemonSet or bare Pod) as the API returns it,
/// with typed accessors for the fields planning and rollouts need.
public struct Workload: Sendable, Equatable {
    /// The whole object.
    public var object: JSONValue
    /// Which kind it is.
    public let kind: WorkloadKind

    public init(kind: WorkloadKind, object: JSONValue) {
        self.kind = kind
        self.object = object
    }

    /// Kind, namespace and name.
    public var ref: WorkloadRef { WorkloadRef(kind: kind, namespace: namespace, name: name) }
    public var name: String { object[path: ["metadata", "name"]]?.string ?? "" }
    public var namespace: String { object[path: ["metadata", "namespace"]]?.string ?? "default" }
    public var uid: String { object[path: ["metadata", "uid"]]?.string ?? "" }
    public var resourceVersion: String? { object[path: ["metadata", "resourceVersion"]]?.string }
    public var generation: Int { object[path: ["metadata", "generation"]]?.int ?? 0 }
    public var annotations: [String: String] { object[path: ["metadata", "annotations"]]?.stringMap ?? [:] }

    /// The pod template (`spec.template`); for a bare Pod, its own metadata and spec.
    public var template: JSONValue {
        if kind == .pod {
            return ["metadata": object["metadata"] ?? .emptyObject, "spec": object["spec"] ?? .emptyObject]
        }
        return object[path: ["spec", "template"]] ?? .emptyObject
    }

    /// `spec.replicas` (Deployment/StatefulSet; default 1), or nil for kinds without replicas.
    public var replicas: Int? {
        switch kind {
        case .deployment, .statefulSet: return object[path: ["spec", "replicas"]]?.int ?? 1
        case .daemonSet: return object[path: ["status", "desiredNumberScheduled"]]?.int
        case .pod: return 1
        }
    }

    /// The label selector (`spec.selector`) as a query string, or nil for a bare Pod.
    public var selector: LabelSelector? {
        guard kind != .pod, let s = object[path: ["spec", "selector"]] else { return nil }
        return LabelSelector(s)
    }

    /// `spec.paused` of a Deployment.
    public var isPaused: Bool { object[path: ["spec", "paused"]]?.bool ?? false }
}

extension JSONValue {
    /// An object of strings as a dictionary (labels, annotations, matchLabels).
    public var stringMap: [String: String]? {
        guard let o = object else { return nil }
        var out: [String: String] = [:]
        for m in o { if let s = m.value.string { out[m.key] = s } }
        return out
    }
}
