/// Problems with the user's manifests, each naming the place: file:line:col or the field path.
public enum ManifestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The document is not a Kubernetes object (not a map, no kind/apiVersion).
    case notAnObject(SourceLocation, String)
    /// A known kind with an apiVersion this tool does not handle.
    case unsupportedAPIVersion(SourceLocation, kind: String, apiVersion: String)
    /// A required field is missing or has the wrong type.
    case invalidField(SourceLocation, field: String, problem: String)
    /// The input held no Deployment, StatefulSet, DaemonSet or Pod.
    case noWorkloads(String)
    /// The same workload appears twice.
    case duplicate(String, SourceLocation, SourceLocation)
    /// The manifest's namespace disagrees with `--namespace`.
    case namespaceMismatch(SourceLocation, manifest: String, flag: String)

    public var description: String {
        switch self {
        case let .notAnObject(loc, why): return "\(loc): \(why)"
        case let .unsupportedAPIVersion(loc, kind, apiVersion):
            let want = kind == "Pod" ? "v1" : "apps/v1"
            return "\(loc): apiVersion \"\(apiVersion)\" is not supported for kind \(kind) (use \(want))"
        case let .invalidField(loc, field, problem): return "\(loc): \(field): \(problem)"
        case let .noWorkloads(input):
            return "\(input): no Deployment, StatefulSet, DaemonSet or Pod found"
        case let .duplicate(what, first, second): return "\(second): \(what) is already defined at \(first)"
        case let .namespaceMismatch(loc, manifest, flag):
            return "\(loc): the namespace from the provided object \"\(manifest)\" does not match the namespace \"\(flag)\". You must pass '--namespace=\(manifest)' to perform this operation."
        }
    }
}
