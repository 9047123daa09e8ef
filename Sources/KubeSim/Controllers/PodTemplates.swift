import JSON

/// What every workload controller shares (pkg/controller/controller_utils.go): pods from a
/// template, controller references, and the active/ready/available tests on pods.
enum PodTemplates {
    /// GetPodFromTemplate: a pod named `<prefix>-…` (or `name`) with the template's labels,
    /// annotations, finalizers and spec, controlled by `owner`.
    static func pod(from template: JSONValue, owner: JSONValue, ownerKind: String, name: String? = nil, extraLabels: [String: String] = [:])
        -> JSONValue
    {
        var meta = JSONObject()
        if let name { meta["name"] = .string(name) }
        meta["generateName"] = .string(owner.metaName + "-")
        meta["namespace"] = .string(owner.metaNamespace)
        var labels = JSONValue.stringMap(template[path: ["metadata", "labels"]])
        for (k, v) in extraLabels { labels[k] = v }
        if !labels.isEmpty { meta["labels"] = JSONValue.stringObject(labels) }
        if let a = template[path: ["metadata", "annotations"]], a.object?.isEmpty == false { meta["annotations"] = a }
        if let f = template[path: ["metadata", "finalizers"]], f.array?.isEmpty == false { meta["finalizers"] = f }
        meta["ownerReferences"] = [controllerRef(owner, kind: ownerKind)]
        return ["apiVersion": "v1", "kind": "Pod", "metadata": .object(meta), "spec": template["spec"] ?? .emptyObject]
    }

    /// metav1.NewControllerRef for an apps/v1 owner.
    static func controllerRef(_ owner: JSONValue, kind: String) -> JSONValue { Seeder.ownerReference(owner, kind: kind) }

    /// FilterActivePods: not terminating and not finished.
    static func isActive(_ pod: JSONValue) -> Bool {
        let phase = pod.podPhase
        return !pod.isTerminating && phase != "Succeeded" && phase != "Failed"
    }

    /// IsPodAvailable: Ready for at least minReadySeconds.
    static func isAvailable(_ pod: JSONValue, minReadySeconds: Int, now: Int) -> Bool {
        guard pod.isPodReady else { return false }
        if minReadySeconds <= 0 { return true }
        guard let t = pod.condition("Ready")?["lastTransitionTime"]?.string, let since = Timestamp.parse(t) else { return false }
        return since + minReadySeconds <= now
    }

    /// The epoch second at which a ready pod becomes available (nil when it is not ready).
    static func availableAt(_ pod: JSONValue, minReadySeconds: Int) -> Int? {
        guard pod.isPodReady, let t = pod.condition("Ready")?["lastTransitionTime"]?.string, let since = Timestamp.parse(t) else { return nil }
        return since + minReadySeconds
    }

    /// Go's semantic equality of two templates (unset and empty values are the same).
    static func semanticallyEqual(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
        PodValidation.normalized(a ?? .null) == PodValidation.normalized(b ?? .null)
    }

    /// The template without the `pod-template-hash` label (EqualIgnoreHash).
    static func withoutHash(_ template: JSONValue?) -> JSONValue {
        var t = template ?? .emptyObject
        if var labels = t[path: ["metadata", "labels"]]?.object {
            labels.removeValue(forKey: "pod-template-hash")
            t[path: ["metadata", "labels"]] = labels.isEmpty ? nil : .object(labels)
        }
        return t
    }

    /// EqualIgnoreHash: two templates are equal apart from the `pod-template-hash` label.
    static func equalIgnoreHash(_ a: JSONValue?, _ b: JSONValue?) -> Bool { semanticallyEqual(withoutHash(a), withoutHash(b)) }

    /// The current epoch second.
    static var epochNow: Int { Timestamp.parse(Timestamp.now()) ?? 0 }
}
