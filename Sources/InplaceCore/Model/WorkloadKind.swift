/// The kinds of object kubectl-inplace rolls out, with their API coordinates.
public enum WorkloadKind: String, Sendable, CaseIterable, Codable {
    case deployment = "Deployment"
    case statefulSet = "StatefulSet"
    case daemonSet = "DaemonSet"
    case pod = "Pod"

    /// The apiVersion this tool accepts for the kind.
    public var apiVersion: String { self == .pod ? "v1" : "apps/v1" }

    /// The lower-case plural resource name used in API paths.
    public var resource: String {
        switch self {
        case .deployment: return "deployments"
        case .statefulSet: return "statefulsets"
        case .daemonSet: return "daemonsets"
        case .pod: return "pods"
        }
    }

    /// The name used in `TYPE/NAME` references and messages (`deployment`, `statefulset`, ...).
    public var typeName: String { rawValue.lowercased() }

    /// The API path prefix for the kind's collection in a namespace.
    public func collectionPath(namespace: String) -> String {
        let base = self == .pod ? "/api/v1" : "/apis/apps/v1"
        return "\(base)/namespaces/\(namespace)/\(resource)"
    }

    /// The API path listing this kind across every namespace.
    public var allNamespacesPath: String {
        self == .pod ? "/api/v1/\(resource)" : "/apis/apps/v1/\(resource)"
    }

    /// Resolves a kubectl-style type name (`deploy`, `deployments`, `sts`, `ds`, `po`, ...).
    public init?(typeName: String) {
        switch typeName.lowercased() {
        case "deployment", "deployments", "deploy", "deployment.apps", "deployments.apps": self = .deployment
        case "statefulset", "statefulsets", "sts", "statefulset.apps", "statefulsets.apps": self = .statefulSet
        case "daemonset", "daemonsets", "ds", "daemonset.apps", "daemonsets.apps": self = .daemonSet
        case "pod", "pods", "po": self = .pod
        default: return nil
        }
    }
}
