import JSON

/// What `prepare` does to one workload: add the `InPlaceUpdateReady` readiness gate to its pod
/// template, or say why not.
public enum GatePreparation: Sendable, Equatable {
    /// The template already lists the gate: nothing to write.
    case alreadyPrepared
    /// A bare pod: readiness gates cannot be added to a live pod.
    case barePod
    /// The template change to make, and how the workload's controller will act on it.
    case prepare(ClusterWrite, replacement: Replacement)

    /// How the workload's own controller reacts to the template change.
    public enum Replacement: Sendable, Equatable {
        /// It replaces every pod once, following its rolling update strategy.
        case rolling
        /// `updateStrategy: OnDelete`: existing pods stay; pods get the gate only when recreated.
        case onDelete
    }

    /// Decides for a live workload.
    public static func decide(_ workload: Workload) -> GatePreparation {
        if workload.kind == .pod { return .barePod }
        let gates = workload.object[path: ["spec", "template", "spec", "readinessGates"]]?.array ?? []
        if gates.contains(where: { $0["conditionType"]?.string == InPlace.gateConditionType }) { return .alreadyPrepared }
        return .prepare(patch(workload, keeping: gates), replacement: replacement(workload))
    }

    /// `OnDelete` for a StatefulSet or DaemonSet with that strategy, else rolling.
    public static func replacement(_ workload: Workload) -> Replacement {
        guard workload.kind == .statefulSet || workload.kind == .daemonSet else { return .rolling }
        return workload.object[path: ["spec", "updateStrategy", "type"]]?.string == "OnDelete" ? .onDelete : .rolling
    }

    /// A strategic merge patch of the workload carrying the whole `readinessGates` list (an atomic
    /// list: the existing gates first, then ours), conditional on the resourceVersion it was read at.
    static func patch(_ workload: Workload, keeping gates: [JSONValue]) -> ClusterWrite {
        var metadata = JSONObject()
        if let rv = workload.resourceVersion { metadata["resourceVersion"] = .string(rv) }
        let ours: JSONValue = .object(JSONObject([("conditionType", .string(InPlace.gateConditionType))]))
        let body: JSONValue = .object(JSONObject([
            ("metadata", .object(metadata)),
            ("spec", .object(JSONObject([("template", .object(JSONObject([
                ("spec", .object(JSONObject([("readinessGates", .array(gates + [ours]))]))),
            ])))]))),
        ]))
        return ClusterWrite(path: workload.ref.path, type: .strategicMerge, body: body,
                            summary: "add readiness gate \(InPlace.gateConditionType) to the pod template of \(workload.ref)")
    }
}
