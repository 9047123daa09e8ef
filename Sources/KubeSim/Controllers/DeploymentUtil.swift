import JSON

/// pkg/controller/deployment/util: revisions, surge and unavailability, replica counts and the
/// annotations the Deployment controller keeps on its ReplicaSets.
enum DeploymentUtil {
    static let revision = "deployment.kubernetes.io/revision"
    static let revisionHistory = "deployment.kubernetes.io/revision-history"
    static let desiredReplicas = "deployment.kubernetes.io/desired-replicas"
    static let maxReplicas = "deployment.kubernetes.io/max-replicas"
    static let hashLabel = "pod-template-hash"
    static let skippedAnnotations: Set<String> = [
        "kubectl.kubernetes.io/last-applied-configuration", revision, revisionHistory, desiredReplicas, maxReplicas,
        "deprecated.deployment.rollback.to",
    ]

    static func revision(of rs: JSONValue) -> Int { Int(rs.metaAnnotations[revision] ?? "") ?? 0 }

    static func isRollingUpdate(_ d: JSONValue) -> Bool { (d[path: ["spec", "strategy", "type"]]?.string ?? "RollingUpdate") == "RollingUpdate" }

    /// ResolveFenceposts: (maxSurge, maxUnavailable) for `desired` replicas.
    static func fenceposts(_ d: JSONValue) -> (surge: Int, unavailable: Int) {
        let desired = d.specReplicas
        let surge = WorkloadStatus.resolve(d[path: ["spec", "strategy", "rollingUpdate", "maxSurge"]] ?? 0, total: desired, roundUp: true)
        var unavailable = WorkloadStatus.resolve(d[path: ["spec", "strategy", "rollingUpdate", "maxUnavailable"]] ?? 0, total: desired, roundUp: false)
        if surge == 0 && unavailable == 0 { unavailable = 1 }
        return (surge, unavailable)
    }

    static func maxSurge(_ d: JSONValue) -> Int { isRollingUpdate(d) ? fenceposts(d).surge : 0 }

    static func maxUnavailable(_ d: JSONValue) -> Int {
        guard isRollingUpdate(d), d.specReplicas > 0 else { return 0 }
        return min(fenceposts(d).unavailable, d.specReplicas)
    }

    /// Sum of spec.replicas.
    static func replicaCount(_ sets: [JSONValue]) -> Int { sets.reduce(0) { $0 + $1.specReplicas } }
    /// Sum of status.replicas.
    static func actualCount(_ sets: [JSONValue]) -> Int { sets.reduce(0) { $0 + $1.statusInt("replicas") } }
    /// Sum of status.readyReplicas.
    static func readyCount(_ sets: [JSONValue]) -> Int { sets.reduce(0) { $0 + $1.statusInt("readyReplicas") } }
    /// Sum of status.availableReplicas.
    static func availableCount(_ sets: [JSONValue]) -> Int { sets.reduce(0) { $0 + $1.statusInt("availableReplicas") } }

    /// ReplicaSetsByCreationTimestamp (then by name).
    static func byCreation(_ a: JSONValue, _ b: JSONValue) -> Bool {
        let ca = a[path: ["metadata", "creationTimestamp"]]?.string ?? ""
        let cb = b[path: ["metadata", "creationTimestamp"]]?.string ?? ""
        return ca == cb ? a.metaName < b.metaName : ca < cb
    }

    /// FindNewReplicaSet: the oldest ReplicaSet whose template equals the Deployment's ignoring the hash label.
    static func findNew(_ d: JSONValue, _ sets: [JSONValue]) -> JSONValue? {
        let template = d[path: ["spec", "template"]]
        return sets.sorted(by: byCreation).first { PodTemplates.equalIgnoreHash($0[path: ["spec", "template"]], template) }
    }

    /// SetReplicasAnnotations; true when something changed.
    static func setReplicasAnnotations(_ rs: inout JSONValue, desired: Int, max: Int) -> Bool {
        var changed = false
        var ann = rs[path: ["metadata", "annotations"]]?.object ?? JSONObject()
        if ann[desiredReplicas]?.string != String(desired) {
            ann[desiredReplicas] = .string(String(desired))
            changed = true
        }
        if ann[maxReplicas]?.string != String(max) {
            ann[maxReplicas] = .string(String(max))
            changed = true
        }
        if changed { rs.setMeta("annotations", .object(ann)) }
        return changed
    }

    /// SetNewReplicaSetAnnotations: copies the Deployment's annotations, raises the revision to
    /// `newRevision` (keeping the old one in revision-history), and for a new set the replica annotations.
    static func setNewReplicaSetAnnotations(_ d: JSONValue, _ rs: inout JSONValue, newRevision: Int, exists: Bool) -> Bool {
        var changed = false
        var ann = rs[path: ["metadata", "annotations"]]?.object ?? JSONObject()
        for m in d[path: ["metadata", "annotations"]]?.object ?? JSONObject() where !skippedAnnotations.contains(m.key) {
            if ann[m.key] != m.value {
                ann[m.key] = m.value
                changed = true
            }
        }
        let oldString = ann[revision]?.string
        let old = Int(oldString ?? "") ?? 0
        if oldString != nil && Int(oldString!) == nil { return changed }
        if old < newRevision {
            ann[revision] = .string(String(newRevision))
            changed = true
            if let oldString {
                let history = ann[revisionHistory]?.string ?? ""
                ann[revisionHistory] = .string(history.isEmpty ? oldString : history + "," + oldString)
            }
        }
        rs.setMeta("annotations", .object(ann))
        if !exists && setReplicasAnnotations(&rs, desired: d.specReplicas, max: d.specReplicas + maxSurge(d)) { changed = true }
        return changed
    }

    /// SetDeploymentCondition: a condition with the same status and reason is left alone; the
    /// transition time survives while the status stays; the changed condition moves to the end.
    static func setCondition(_ status: inout JSONObject, _ condition: JSONValue) {
        var list = status["conditions"]?.array ?? []
        let type = condition["type"]?.string
        var c = condition
        if let cur = list.first(where: { $0["type"]?.string == type }) {
            if cur["status"] == c["status"] && cur["reason"] == c["reason"] { return }
            if cur["status"] == c["status"] { c["lastTransitionTime"] = cur["lastTransitionTime"] }
        }
        list.removeAll { $0["type"]?.string == type }
        list.append(c)
        status["conditions"] = .array(list)
    }

    static func removeCondition(_ status: inout JSONObject, _ type: String) {
        guard var list = status["conditions"]?.array else { return }
        list.removeAll { $0["type"]?.string == type }
        status["conditions"] = .array(list)
    }

    static func condition(_ status: JSONObject, _ type: String) -> JSONValue? {
        (status["conditions"]?.array ?? []).first { $0["type"]?.string == type }
    }

    /// NewDeploymentCondition.
    static func newCondition(_ type: String, _ status: String, _ reason: String, _ message: String) -> JSONValue {
        let now = Timestamp.now()
        var c = JSONObject()
        c["type"] = .string(type)
        c["status"] = .string(status)
        c["lastUpdateTime"] = .string(now)
        c["lastTransitionTime"] = .string(now)
        c["reason"] = .string(reason)
        c["message"] = .string(message)
        return .object(c)
    }
}
