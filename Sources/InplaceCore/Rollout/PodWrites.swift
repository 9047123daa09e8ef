import JSON

/// The four writes of the in-place sequence for one pod, as data.
public enum PodWrites {
    /// Step 1: the update record, conditional on the pod's resourceVersion so it is based on what we saw.
    public static func record(pod: Pod, target: PodTarget, rolloutID: String, now: String) -> ClusterWrite {
        let record = PodUpdateRecord(pod: pod, changes: target.changes, resources: target.resources, rolloutID: rolloutID,
                                     revision: target.labels.values.sorted().joined(separator: ","), now: now)
        var metadata = JSONObject()
        if let rv = pod.resourceVersion { metadata["resourceVersion"] = .string(rv) }
        metadata["annotations"] = .object(JSONObject([(InPlace.podStateAnnotation, .string(record.json.serialized()))]))
        return ClusterWrite(path: podPath(pod), type: .merge, body: .object(JSONObject([("metadata", .object(metadata))])),
                            summary: "record old images on pod \(pod.name)")
    }

    /// Step 2: condition InPlaceUpdateReady=False (strategic merge on /status keeps the other conditions).
    public static func gateOff(pod: Pod, target: PodTarget, now: String) -> ClusterWrite {
        let what = (target.changes.map { "\($0.container) to \($0.to)" } + target.resources.map(\.description)).joined(separator: ", ")
        return ClusterWrite(path: statusPath(pod), type: .strategicMerge,
                            body: condition(status: "False", reason: InPlace.reasonUpdating,
                                            message: "kubectl-inplace is updating \(what)", now: now),
                            summary: "set \(InPlace.gateConditionType)=False on pod \(pod.name)")
    }

    /// Steps 1 and 2 in one write, for a pod with the readiness gate:
    /// a strategic merge on /status (which may change annotations, as kube-apiserver's pod status
    /// strategy resets only spec, deletionTimestamp and ownerReferences) that sets the record and
    /// InPlaceUpdateReady=False together, conditional on the resourceVersion the record was taken from.
    public static func recordAndGateOff(pod: Pod, target: PodTarget, rolloutID: String, now: String) -> ClusterWrite {
        let record = record(pod: pod, target: target, rolloutID: rolloutID, now: now)
        var body = gateOff(pod: pod, target: target, now: now).body
        body["metadata"] = record.body["metadata"]
        return ClusterWrite(path: statusPath(pod), type: .strategicMerge, body: body,
                            summary: "record old images and set \(InPlace.gateConditionType)=False on pod \(pod.name)")
    }

    /// Step 4: only the changed images, the template's labels and annotations (a removed key as
    /// null, which a strategic merge deletes), and the revision labels.
    public static func patch(pod: Pod, target: PodTarget) -> ClusterWrite {
        var body = JSONObject()
        var metadata = JSONObject()
        for field in MetadataChange.Field.allCases {
            var values = JSONObject()
            for change in target.metadata where change.field == field {
                values[change.key] = change.to.map(JSONValue.string) ?? .null
            }
            if field == .labels {
                for (key, value) in target.labels.sorted(by: { $0.key < $1.key }) { values[key] = .string(value) }
            }
            if !values.isEmpty { metadata[field.rawValue] = .object(values) }
        }
        if !metadata.isEmpty { body["metadata"] = .object(metadata) }
        if !target.changes.isEmpty {
            let sidecars = Set(pod.sidecarSpecs.compactMap { $0["name"]?.string })
            var spec = JSONObject()
            for (list, changes) in [("containers", target.changes.filter { !sidecars.contains($0.container) }),
                                    ("initContainers", target.changes.filter { sidecars.contains($0.container) })] where !changes.isEmpty {
                spec[list] = .array(changes.map { .object(JSONObject([("name", .string($0.container)), ("image", .string($0.to))])) })
            }
            body["spec"] = .object(spec)
        }
        var what: [String] = []
        if !target.changes.isEmpty { what.append("set image " + target.changes.map { "\($0.container)=\($0.to)" }.joined(separator: ", ")) }
        for field in MetadataChange.Field.allCases {
            let changed = target.metadata.filter { $0.field == field }
            if !changed.isEmpty { what.append("\(changed.count) \(field.singular)\(changed.count == 1 ? "" : "s")") }
        }
        if what.isEmpty { what.append("set labels") }
        return ClusterWrite(path: podPath(pod), type: .strategicMerge, body: .object(body),
                            summary: "\(what.joined(separator: ", ")) on pod \(pod.name)")
    }

    /// Step 4 for cpu and memory: `PATCH pods/NAME/resize` with only the changed values.
    public static func resize(pod: Pod, target: PodTarget) -> ClusterWrite {
        var byContainer: [(String, JSONObject)] = []
        for r in target.resources {
            var resources = byContainer.first { $0.0 == r.container }?.1 ?? JSONObject()
            var kind = resources[r.kind]?.object ?? JSONObject()
            kind[r.resource] = .string(r.to)
            resources[r.kind] = .object(kind)
            if let i = byContainer.firstIndex(where: { $0.0 == r.container }) {
                byContainer[i].1 = resources
            } else {
                byContainer.append((r.container, resources))
            }
        }
        let containers: [JSONValue] = byContainer.map { .object(JSONObject([("name", .string($0.0)), ("resources", .object($0.1))])) }
        let body: JSONValue = .object(JSONObject([("spec", .object(JSONObject([("containers", .array(containers))])))]))
        let p = ClusterUse.patchPodResize
        return ClusterWrite(path: p.resource.path(namespace: pod.namespace, name: pod.name, subresource: p.subresource),
                            type: .strategicMerge, body: body,
                            summary: "resize \(target.resources.map(\.description).joined(separator: ", ")) on pod \(pod.name)")
    }

    /// Step 6: condition InPlaceUpdateReady=True.
    public static func gateOn(pod: Pod, now: String) -> ClusterWrite {
        ClusterWrite(path: statusPath(pod), type: .strategicMerge,
                     body: condition(status: "True", reason: InPlace.reasonUpdated,
                                     message: "kubectl-inplace updated the pod", now: now),
                     summary: "set \(InPlace.gateConditionType)=True on pod \(pod.name)")
    }

    /// A pod a surge added (already on the new template): InPlaceUpdateReady=True so it can become
    /// Ready, and the lowest `controller.kubernetes.io/pod-deletion-cost`, so the ReplicaSet
    /// controller removes it, not an original pod, when the replicas are lowered again (behaviour.md C3).
    public static func surgeReady(pod: Pod, now: String) -> ClusterWrite {
        var body = condition(status: "True", reason: InPlace.reasonUpdated, message: "kubectl-inplace added the pod for a surge", now: now)
        body["metadata"] = .object(JSONObject([("annotations", .object(JSONObject([
            (InPlace.deletionCostAnnotation, .string(InPlace.surgeDeletionCost)),
        ])))]))
        return ClusterWrite(path: podPath(pod) + "/status", type: .strategicMerge, body: body,
                            summary: "set \(InPlace.gateConditionType)=True and the lowest deletion cost on surge pod \(pod.name)")
    }

    /// The write for a step, or nil for steps that only wait.
    public static func write(for step: PodStep, pod: Pod, target: PodTarget, rolloutID: String, now: String) -> ClusterWrite? {
        switch step {
        case .record: return record(pod: pod, target: target, rolloutID: rolloutID, now: now)
        case .gateOff: return gateOff(pod: pod, target: target, now: now)
        case .patch: return patch(pod: pod, target: target)
        case .resize: return resize(pod: pod, target: target)
        case .gateOn: return gateOn(pod: pod, now: now)
        default: return nil
        }
    }

    static func podPath(_ pod: Pod) -> String { ClusterUse.patchPod.resource.path(namespace: pod.namespace, name: pod.name) }

    static func statusPath(_ pod: Pod) -> String {
        let p = ClusterUse.patchPodStatus
        return p.resource.path(namespace: pod.namespace, name: pod.name, subresource: p.subresource)
    }

    static func condition(status: String, reason: String, message: String, now: String) -> JSONValue {
        .object(JSONObject([("status", .object(JSONObject([("conditions", .array([.object(JSONObject([
            ("type", .string(InPlace.gateConditionType)), ("status", .string(status)),
            ("reason", .string(reason)), ("message", .string(message)), ("lastTransitionTime", .string(now)),
        ]))]))])))]))
    }
}
