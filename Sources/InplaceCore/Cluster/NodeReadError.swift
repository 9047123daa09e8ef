/// Why the nodes (cluster-scoped) could not be read: the kubelet versions and `--scatter-by` labels
/// come from them.
public enum NodeReadError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The server refused `verb nodes` (no ClusterRole grants it).
    case forbidden(verb: String)

    /// "reading nodes is forbidden (get nodes; grant it with `kubectl inplace rbac --for rollout`)".
    public var description: String {
        switch self {
        case .forbidden(let verb):
            return "reading nodes is forbidden (\(verb) nodes; grant it with `kubectl inplace rbac --for rollout`, which prints a ClusterRole that reads nodes)"
        }
    }
}
