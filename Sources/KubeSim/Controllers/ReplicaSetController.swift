import JSON

/// The ReplicaSet controller (pkg/controller/replicaset): keeps spec.replicas active pods from the
/// template, deletes the least valuable extras first, and reports replicas, fullyLabeledReplicas,
/// readyReplicas, availableReplicas and observedGeneration.
final class ReplicaSetController {
    unowned let engine: ClusterEngine
    var dirty = Set<ObjectKey>()

    init(engine: ClusterEngine) { self.engine = engine }

    func reconcile() {
        guard !dirty.isEmpty else { return }
        let keys = dirty.sorted()
        dirty.removeAll()
        for key in keys { sync(key) }
    }

    private func sync(_ key: ObjectKey) {
        guard let rs = engine.cache.get(Resources.replicaSets, key) else { return }
        let owned = engine.cache.dependents(of: rs.metaUID, Resources.pods)
        let active = owned.filter(PodTemplates.isActive)
        if !rs.isTerminating {
            let diff = active.count - rs.specReplicas
            if diff < 0 {
                let template = rs[path: ["spec", "template"]] ?? .emptyObject
                for _ in 0..<(-diff) {
                    engine.create(Resources.pods, namespace: key.namespace, PodTemplates.pod(from: template, owner: rs, ownerKind: "ReplicaSet"))
                }
            } else if diff > 0 {
                for pod in Self.podsToDelete(active, count: diff) {
                    engine.deletePod(ObjectKey(namespace: pod.metaNamespace, name: pod.metaName), uid: pod.metaUID)
                }
            }
        }
        writeStatus(rs, key, active)
    }

    /// getPodsToDelete: the `count` pods ranked lowest (unscheduled, pending, not ready, ready for
    /// less time, more restarts, newer first).
    static func podsToDelete(_ pods: [JSONValue], count: Int) -> [JSONValue] {
        func phaseRank(_ p: JSONValue) -> Int {
            switch p.podPhase {
            case "Pending", "": return 0
            case "Unknown": return 1
            default: return 2
            }
        }
        func restarts(_ p: JSONValue) -> Int {
            (p[path: ["status", "containerStatuses"]]?.array ?? []).map { $0["restartCount"]?.int ?? 0 }.max() ?? 0
        }
        func readySince(_ p: JSONValue) -> String { p.condition("Ready")?["lastTransitionTime"]?.string ?? "" }
        let ranked = pods.sorted { a, b in
            let sa = a.nodeName.isEmpty, sb = b.nodeName.isEmpty
            if sa != sb { return sa }
            if phaseRank(a) != phaseRank(b) { return phaseRank(a) < phaseRank(b) }
            if a.isPodReady != b.isPodReady { return !a.isPodReady }
            if a.isPodReady, readySince(a) != readySince(b) { return readySince(a) > readySince(b) }
            if restarts(a) != restarts(b) { return restarts(a) > restarts(b) }
            let ca = a[path: ["metadata", "creationTimestamp"]]?.string ?? ""
            let cb = b[path: ["metadata", "creationTimestamp"]]?.string ?? ""
            if ca != cb { return ca > cb }
            return a.metaName > b.metaName
        }
        return Array(ranked.prefix(count))
    }

    private func writeStatus(_ rs: JSONValue, _ key: ObjectKey, _ active: [JSONValue]) {
        let minReady = rs[path: ["spec", "minReadySeconds"]]?.int ?? 0
        let now = PodTemplates.epochNow
        let templateLabels = JSONValue.stringMap(rs[path: ["spec", "template", "metadata", "labels"]])
        let fullyLabeled = active.filter { p in
            let l = p.metaLabels
            return templateLabels.allSatisfy { l[$0.key] == $0.value }
        }.count
        let ready = active.filter(\.isPodReady).count
        let available = active.filter { PodTemplates.isAvailable($0, minReadySeconds: minReady, now: now) }.count
        if minReady > 0, let next = active.compactMap({ PodTemplates.availableAt($0, minReadySeconds: minReady) }).filter({ $0 > now }).min() {
            engine.after(Double(next - now) + 0.05, .resync(ObjectRef(resource: Resources.replicaSets, key: key)))
        }
        var st = rs["status"]?.object ?? JSONObject()
        st["replicas"] = .int(active.count)
        st["fullyLabeledReplicas"] = fullyLabeled > 0 ? .int(fullyLabeled) : nil
        st["readyReplicas"] = ready > 0 ? .int(ready) : nil
        st["availableReplicas"] = available > 0 ? .int(available) : nil
        st["observedGeneration"] = .int(rs.generation)
        let status = JSONValue.object(st)
        guard status != rs["status"] else { return }
        engine.update(Resources.replicaSets, key, status: true) { o in
            o["status"] = status
            return true
        }
    }
}
