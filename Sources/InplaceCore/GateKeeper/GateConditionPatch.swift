import JSON

/// The one write a gate keeper makes: `InPlaceUpdateReady=True` on a new pod's status.
public enum GateConditionPatch {
    /// The condition reason a gate keeper writes.
    public static let reason = "GateKeeperInitialized"

    /// A strategic merge patch of the pod's `/status` carrying only the gate condition (the other
    /// conditions are kept), conditional on the pod's resourceVersion so that a rollout marking the
    /// pod in flight in between makes it fail with a conflict instead of being overwritten.
    public static func markReady(pod: Pod, writer: String, now: String) -> ClusterWrite {
        var metadata = JSONObject()
        if let rv = pod.resourceVersion { metadata["resourceVersion"] = .string(rv) }
        let condition: JSONValue = .object(JSONObject([
            ("type", .string(InPlace.gateConditionType)), ("status", "True"), ("reason", .string(reason)),
            ("message", .string("new pod starts in service; set by \(writer)")), ("lastTransitionTime", .string(now)),
        ]))
        let body: JSONValue = .object(JSONObject([
            ("metadata", .object(metadata)),
            ("status", .object(JSONObject([("conditions", .array([condition]))]))),
        ]))
        return ClusterWrite(path: "/api/v1/namespaces/\(pod.namespace)/pods/\(pod.name)/status", type: .strategicMerge,
                            body: body, summary: "set \(InPlace.gateConditionType)=True on pod \(pod.name)")
    }

    /// The step `resume` takes for a pod whose abandoned rollout already restarted it on its target
    /// images: `InPlaceUpdateReady=True`, conditional on the resourceVersion the decision was made on.
    public static func restore(pod: Pod, rollout: String, writer: String, now: String) -> ClusterWrite {
        var metadata = JSONObject()
        if let rv = pod.resourceVersion { metadata["resourceVersion"] = .string(rv) }
        let condition: JSONValue = .object(JSONObject([
            ("type", .string(InPlace.gateConditionType)), ("status", "True"), ("reason", .string(InPlace.reasonUpdated)),
            ("message", .string("kubectl-inplace updated the pod; back in service by \(writer) after rollout \(rollout) was abandoned")),
            ("lastTransitionTime", .string(now)),
        ]))
        let body: JSONValue = .object(JSONObject([
            ("metadata", .object(metadata)),
            ("status", .object(JSONObject([("conditions", .array([condition]))]))),
        ]))
        return ClusterWrite(path: "/api/v1/namespaces/\(pod.namespace)/pods/\(pod.name)/status", type: .strategicMerge,
                            body: body, summary: "set \(InPlace.gateConditionType)=True on pod \(pod.name) of abandoned rollout \(rollout)")
    }
}
