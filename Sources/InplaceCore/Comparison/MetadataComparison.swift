import JSON

/// Decides which pod labels and annotations an in-place update sets, changes or removes, and which
/// such changes must not be made in place: pod metadata is mutable on a live pod, but a label the
/// workload's selector needs, an annotation that exists to force a restart, or a key a container
/// reads through the downward API in an environment variable is not merely metadata.
public enum MetadataComparison {
    /// Labels the workload controllers write on their pods: never added, changed or removed.
    public static let controllerLabels: Set<String> = [
        "pod-template-hash", "controller-revision-hash", "statefulset.kubernetes.io/pod-name",
        "apps.kubernetes.io/pod-index", "pod-template-generation",
    ]

    /// Annotations whose change is a request to restart the pods (`kubectl rollout restart`).
    public static let restartAnnotations: Set<String> = ["kubectl.kubernetes.io/restartedAt"]

    /// Annotation prefixes whose change is a request to restart the pods (Helm charts' `checksum/config`).
    public static let restartAnnotationPrefixes = ["checksum/"]

    /// The result: the changes to make in place and the reasons a pod cannot be updated in place.
    public struct Result: Sendable, Equatable {
        public var changes: [MetadataChange] = []
        public var blocked: [String] = []
    }

    /// True for keys the rollout leaves alone: controller-owned labels and its own annotations.
    static func isManaged(_ field: MetadataChange.Field, _ key: String) -> Bool {
        switch field {
        case .labels: return controllerLabels.contains(key)
        case .annotations: return key.hasPrefix("inplace.kubectl.io/")
        }
    }

    /// True for an annotation whose change asks for the pods to be restarted.
    public static func forcesRestart(_ key: String) -> Bool {
        restartAnnotations.contains(key) || restartAnnotationPrefixes.contains { key.hasPrefix($0) }
    }

    /// Compares the desired template's `metadata` with the live pod's.
    ///
    /// - Parameters:
    ///   - desired: the desired template's metadata.
    ///   - live: the pod's metadata.
    ///   - previous: the metadata of the template the pods came from (nil: nothing is removed). Only
    ///     keys it has and `desired` lacks are removed from the pod; a key the template never had
    ///     (another writer's, an admission plugin's) stays.
    ///   - containers: the desired template's containers (for downward API references in `env`).
    ///   - restarting: the containers the update restarts anyway (their environment is read again).
    ///   - selector: the workload's selector, which the pod's new labels must still match.
    public static func compare(desired: JSONValue?, live: JSONValue?, previous: JSONValue?, containers: [JSONValue] = [],
                               restarting: Set<String> = [], selector: LabelSelector? = nil) -> Result {
        var result = Result()
        for field in MetadataChange.Field.allCases {
            let want = desired?[field.rawValue]?.object ?? JSONObject()
            let have = live?[field.rawValue]?.stringMap ?? [:]
            for m in want where !isManaged(field, m.key) {
                let value = m.value.string ?? m.value.serialized()
                if have[m.key] != value {
                    result.changes.append(MetadataChange(field: field, key: m.key, from: have[m.key], to: value))
                }
            }
            let removed = (previous?[field.rawValue]?.object?.keys ?? []).filter {
                want[$0] == nil && have[$0] != nil && !isManaged(field, $0)
            }
            for key in removed.sorted() {
                result.changes.append(MetadataChange(field: field, key: key, from: have[key], to: nil))
            }
        }
        for change in result.changes {
            let path = "metadata.\(change.field.rawValue)[\(change.key)]"
            if change.field == .annotations, forcesRestart(change.key), change.to != nil {
                result.blocked.append(
                    "\(path) changed (\(change.from ?? "none") → \(change.to ?? "")): this annotation exists to restart the pods so they read new configuration, which an in-place update would not do; roll the workload out with its own controller")
            }
            let readers = envReaders(of: change, in: containers).filter { !restarting.contains($0.container) }
            for r in readers {
                result.blocked.append(
                    "\(path) is read by container \(r.container) in env \(r.variable) (downward API), which changes only when the container restarts")
            }
        }
        if let selector {
            var labels = live?["labels"]?.stringMap ?? [:]
            for c in result.changes where c.field == .labels { labels[c.key] = c.to }
            if !selector.matches(labels) {
                let keys = result.changes.filter { $0.field == .labels }.map(\.key)
                result.blocked.append(
                    "metadata.labels[\(keys.joined(separator: ","))]: the new labels take the pod out of its workload's selector (\(selector.queryString))")
            }
        }
        return result
    }

    /// The environment variables of `containers` that read the changed key through a `fieldRef`.
    static func envReaders(of change: MetadataChange, in containers: [JSONValue]) -> [(container: String, variable: String)] {
        let paths = ["metadata.\(change.field.rawValue)['\(change.key)']", "metadata.\(change.field.rawValue)[\"\(change.key)\"]"]
        var out: [(String, String)] = []
        for c in containers {
            for env in c["env"]?.array ?? [] {
                if let path = env[path: ["valueFrom", "fieldRef", "fieldPath"]]?.string, paths.contains(path) {
                    out.append((c["name"]?.string ?? "", env["name"]?.string ?? ""))
                }
            }
        }
        return out
    }
}
