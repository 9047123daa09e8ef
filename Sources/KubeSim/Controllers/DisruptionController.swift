import JSON

/// The disruption controller (pkg/controller/disruption, behaviour.md C6): keeps each
/// PodDisruptionBudget's status from the pods it selects. Expected pods come from the owners'
/// scale (a Deployment's replicas for its ReplicaSets' pods, a ReplicaSet's or StatefulSet's own)
/// when the budget is a percentage or maxUnavailable, from the matching pods for an integer
/// minAvailable; `currentHealthy` counts matching Ready pods not being deleted;
/// `disruptionsAllowed = max(0, currentHealthy − desiredHealthy)`. It syncs on the simulation's
/// turns, so the status lags the pods as the real one's does.
final class DisruptionController {
    unowned let engine: ClusterEngine
    var dirty = Set<ObjectKey>()

    init(engine: ClusterEngine) { self.engine = engine }

    /// Marks every budget of a namespace for a sync (a pod there changed).
    func podChanged(namespace: String) {
        for pdb in engine.cache.inNamespace(Resources.podDisruptionBudgets, namespace) {
            dirty.insert(ObjectKey(namespace: namespace, name: pdb[path: ["metadata", "name"]]?.string ?? ""))
        }
    }

    func reconcile() {
        guard !dirty.isEmpty else { return }
        let keys = dirty.sorted()
        dirty.removeAll()
        for key in keys { sync(key) }
    }

    private func sync(_ key: ObjectKey) {
        guard let pdb = engine.cache.get(Resources.podDisruptionBudgets, key) else { return }
        let status = Self.status(pdb, pods: engine.cache.inNamespace(Resources.pods, key.namespace), owner: { uid in
            self.engine.cache.ref(uid: uid).flatMap { self.engine.cache.get($0.resource, $0.key) }
        })
        var merged = pdb["status"]?.object ?? JSONObject()
        let before = pdb[path: ["status", "conditions"]]?.array?.first { $0["type"]?.string == "DisruptionAllowed" }
        for m in status { merged[m.key] = m.value }
        if let before, before["status"] == status["conditions"]?[0]?["status"] { merged["conditions"] = [before] }
        guard JSONValue.object(merged) != pdb["status"] else { return }
        engine.update(Resources.podDisruptionBudgets, key, status: true) { o in
            o["status"] = .object(merged)
            return true
        }
    }

    /// The status fields of `pdb` over the namespace's `pods`; `owner` finds an object by uid.
    static func status(_ pdb: JSONValue, pods: [JSONValue], owner: (String) -> JSONValue?) -> JSONObject {
        let selected: [JSONValue]
        if let selector = pdb[path: ["spec", "selector"]], selector != .null {
            let s = LabelSelector(object: selector)
            selected = pods.filter { s.matches($0.metaLabels) && $0.podPhase != "Succeeded" && $0.podPhase != "Failed" }
        } else {
            selected = []
        }
        let healthy = selected.filter { $0.isPodReady && !$0.isTerminating }.count
        let minAvailable = pdb[path: ["spec", "minAvailable"]]
        let maxUnavailable = pdb[path: ["spec", "maxUnavailable"]]
        var expected = selected.count
        var desired = 0
        if let m = minAvailable, let n = m.int {
            desired = n
        } else {
            expected = expectedScale(selected, owner: owner)
            if let m = minAvailable {
                desired = WorkloadStatus.resolve(m, total: expected, roundUp: true)
            } else if let m = maxUnavailable {
                desired = max(0, expected - WorkloadStatus.resolve(m, total: expected, roundUp: true))
            }
        }
        var o = JSONObject()
        o["observedGeneration"] = .int(pdb.generation)
        o["currentHealthy"] = .int(healthy)
        o["desiredHealthy"] = .int(desired)
        o["expectedPods"] = .int(expected)
        let allowed = max(0, healthy - desired)
        o["disruptionsAllowed"] = .int(allowed)
        o["conditions"] = [[
            "type": "DisruptionAllowed", "status": allowed > 0 ? "True" : "False",
            "reason": allowed > 0 ? "SufficientPods" : "InsufficientPods", "message": "",
            "observedGeneration": .int(pdb.generation), "lastTransitionTime": .string(Timestamp.now()),
        ]]
        return o
    }

    /// getExpectedScale: the replicas of each distinct controller of the pods (a ReplicaSet owned by
    /// a Deployment counts as the Deployment); pods without a controller count one each.
    static func expectedScale(_ pods: [JSONValue], owner: (String) -> JSONValue?) -> Int {
        var scales: [String: Int] = [:]
        var loose = 0
        for pod in pods {
            guard let uid = pod.controllerUID, let controller = owner(uid) else { loose += 1; continue }
            if controller["kind"]?.string == "ReplicaSet", let parent = controller.controllerUID, let deployment = owner(parent) {
                scales[parent] = deployment.specReplicas
            } else if controller["kind"]?.string == "DaemonSet" {
                scales[uid] = controller[path: ["status", "desiredNumberScheduled"]]?.int ?? 0
            } else {
                scales[uid] = controller.specReplicas
            }
        }
        return scales.values.reduce(loose, +)
    }
}
