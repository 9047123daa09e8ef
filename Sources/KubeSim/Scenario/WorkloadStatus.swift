import JSON

/// The statuses workload controllers write, computed from their pods.
public enum WorkloadStatus {
    /// Counts of a workload's pods.
    public struct Counts: Sendable {
        /// Pods that exist.
        public var total: Int
        /// Pods that are Ready.
        public var ready: Int
        /// Pods on the newest revision.
        public var updated: Int
        /// Counts.
        public init(total: Int, ready: Int, updated: Int) {
            self.total = total
            self.ready = ready
            self.updated = updated
        }
    }

    /// True when the pod's Ready condition is True.
    public static func isReady(_ pod: JSONValue) -> Bool {
        (pod[path: ["status", "conditions"]]?.array ?? []).contains { $0["type"]?.string == "Ready" && $0["status"]?.string == "True" }
    }

    /// Resolves an int-or-percent ("25%") against a total, rounding up or down.
    public static func resolve(_ v: JSONValue?, total: Int, roundUp: Bool) -> Int {
        if let i = v?.int { return i }
        guard let s = v?.string, s.hasSuffix("%"), let p = Int(s.dropLast()) else { return 0 }
        let x = p * total
        return roundUp ? (x + 99) / 100 : x / 100
    }

    static func cond(_ type: String, _ status: Bool, _ reason: String, _ message: String, _ time: String) -> JSONValue {
        var c = JSONObject()
        c["type"] = .string(type)
        c["status"] = .string(status ? "True" : "False")
        c["lastUpdateTime"] = .string(time)
        c["lastTransitionTime"] = .string(time)
        c["reason"] = .string(reason)
        c["message"] = .string(message)
        return .object(c)
    }

    /// A Deployment's status with its Available and Progressing conditions.
    public static func deployment(_ d: JSONValue, counts c: Counts, newReplicaSet: String, time: String = Timestamp.now()) -> JSONValue {
        let desired = d[path: ["spec", "replicas"]]?.int ?? 1
        let maxUnavailable = resolve(d[path: ["spec", "strategy", "rollingUpdate", "maxUnavailable"]], total: desired, roundUp: false)
        var s = JSONObject()
        s["observedGeneration"] = .int(d[path: ["metadata", "generation"]]?.int ?? 1)
        s["replicas"] = .int(c.total)
        s["updatedReplicas"] = .int(c.updated)
        if c.ready > 0 { s["readyReplicas"] = .int(c.ready) }
        if c.ready > 0 { s["availableReplicas"] = .int(c.ready) }
        if c.total - c.ready > 0 { s["unavailableReplicas"] = .int(c.total - c.ready) }
        let available = c.ready >= desired - maxUnavailable
        let done = c.updated == desired && c.ready == desired && c.total == desired
        s["conditions"] = [
            available
                ? cond("Available", true, "MinimumReplicasAvailable", "Deployment has minimum availability.", time)
                : cond("Available", false, "MinimumReplicasUnavailable", "Deployment does not have minimum availability.", time),
            done
                ? cond("Progressing", true, "NewReplicaSetAvailable", "ReplicaSet \"\(newReplicaSet)\" has successfully progressed.", time)
                : cond("Progressing", true, "ReplicaSetUpdated", "ReplicaSet \"\(newReplicaSet)\" is progressing.", time),
        ]
        return .object(s)
    }

    /// A ReplicaSet's status.
    public static func replicaSet(_ rs: JSONValue, counts c: Counts) -> JSONValue {
        var s = JSONObject()
        s["replicas"] = .int(c.total)
        s["fullyLabeledReplicas"] = .int(c.total)
        if c.ready > 0 { s["readyReplicas"] = .int(c.ready) }
        if c.ready > 0 { s["availableReplicas"] = .int(c.ready) }
        s["observedGeneration"] = .int(rs[path: ["metadata", "generation"]]?.int ?? 1)
        return .object(s)
    }

    /// A StatefulSet's status.
    public static func statefulSet(_ sts: JSONValue, counts c: Counts, currentRevision: String, updateRevision: String) -> JSONValue {
        var s = JSONObject()
        s["observedGeneration"] = .int(sts[path: ["metadata", "generation"]]?.int ?? 1)
        s["replicas"] = .int(c.total)
        if c.ready > 0 { s["readyReplicas"] = .int(c.ready) }
        s["currentReplicas"] = .int(c.total - (currentRevision == updateRevision ? 0 : c.updated))
        s["updatedReplicas"] = .int(c.updated)
        s["currentRevision"] = .string(currentRevision)
        s["updateRevision"] = .string(updateRevision)
        s["collisionCount"] = 0
        s["availableReplicas"] = .int(c.ready)
        return .object(s)
    }

    /// A DaemonSet's status.
    public static func daemonSet(_ ds: JSONValue, counts c: Counts) -> JSONValue {
        var s = JSONObject()
        s["currentNumberScheduled"] = .int(c.total)
        s["numberMisscheduled"] = 0
        s["desiredNumberScheduled"] = .int(c.total)
        s["numberReady"] = .int(c.ready)
        s["observedGeneration"] = .int(ds[path: ["metadata", "generation"]]?.int ?? 1)
        s["updatedNumberScheduled"] = .int(c.updated)
        s["numberAvailable"] = .int(c.ready)
        if c.total - c.ready > 0 { s["numberUnavailable"] = .int(c.total - c.ready) }
        return .object(s)
    }
}
