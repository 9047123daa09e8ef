import JSON

/// The ReplicaSet controller (pkg/controller/replicaset): keeps spec.replicas active pods from the
/// template, deletes the least valuable extras first, and reports replicas, fullyLabeledReplicas,
/// readyReplicas, availableReplicas and observedGeneration.
final class ReplicaSetController {
    unowned let engine: ClusterEngine
    var dirty = Set<ObjectKey>()
    /// When each ReplicaSet was last synced, and those with a resync already scheduled.
    private var lastSync: [ObjectKey: Double] = [:]
    private var resyncScheduled = Set<ObjectKey>()
    /// The shortest time between two syncs of one ReplicaSet. The real controller's work queue
    /// coalesces the events of a burst (a rollout's many pod status changes) into few syncs; without
    /// this, a 1,000-pod ReplicaSet would be recounted on every simulation turn.
    static let minSyncInterval = 0.02

    init(engine: ClusterEngine) { self.engine = engine }

    func reconcile() {
        guard !dirty.isEmpty else { return }
        let now = engine.now
        var keys: [ObjectKey] = []
        for key in dirty.sorted() {
            if let last = lastSync[key], now - last < Self.minSyncInterval {
                if resyncScheduled.insert(key).inserted {
                    engine.after(last + Self.minSyncInterval - now, .resync(ObjectRef(resource: Resources.replicaSets, key: key)))
                }
            } else {
                keys.append(key)
            }
        }
        dirty.removeAll()
        for key in keys {
            lastSync[key] = now
            resyncScheduled.remove(key)
            sync(key)
        }
    }

    private func sync(_ key: ObjectKey) {
        guard let rs = engine.cache.get(Resources.replicaSets, key) else { return }
        let owned = engine.cache.podFactsByKey(ownedBy: rs.metaUID)
        var activeCount = 0
        for f in owned.values where f.isActive { activeCount += 1 }
        if !rs.isTerminating {
            let diff = activeCount - rs.specReplicas
            if diff < 0 {
                let template = rs[path: ["spec", "template"]] ?? .emptyObject
                for _ in 0..<(-diff) {
                    engine.create(Resources.pods, namespace: key.namespace, PodTemplates.pod(from: template, owner: rs, ownerKind: "ReplicaSet"))
                }
            } else if diff > 0 {
                let related = relatedPods(rs).filter(\.isActive)
                for pod in Self.podsToDelete(owned.values.filter(\.isActive), count: diff, related: related) {
                    engine.deletePod(pod.key, uid: pod.uid)
                }
            }
        }
        writeStatus(rs, key, owned)
    }

    /// getIndirectlyRelatedPods: the pods of every ReplicaSet of the same Deployment (this one's alone
    /// when it has no controller).
    private func relatedPods(_ rs: JSONValue) -> [PodFacts] {
        guard let owner = rs.controllerUID else { return engine.cache.podFacts(ownedBy: rs.metaUID) }
        return engine.cache.dependents(of: owner, Resources.replicaSets).flatMap { engine.cache.podFacts(ownedBy: $0.metaUID) }
    }

    /// getPodsToDelete with ActivePodsWithRanks (behaviour.md C3): the `count` pods ranked lowest:
    /// unscheduled, pending, not ready, lower `pod-deletion-cost`, more related pods on the same
    /// node, ready for less time, more restarts, newer first.
    static func podsToDelete(_ pods: [PodFacts], count: Int, related: [PodFacts] = []) -> [PodFacts] {
        var onNode: [String: Int] = [:]
        for p in related where !p.nodeName.isEmpty { onNode[p.nodeName, default: 0] += 1 }
        func rank(_ p: PodFacts) -> Int { p.nodeName.isEmpty ? 0 : onNode[p.nodeName] ?? 0 }
        func phaseRank(_ p: PodFacts) -> Int {
            switch p.phase {
            case "Pending", "": return 0
            case "Unknown": return 1
            default: return 2
            }
        }
        let ranked = pods.sorted { a, b in
            let sa = a.nodeName.isEmpty, sb = b.nodeName.isEmpty
            if sa != sb { return sa }
            if phaseRank(a) != phaseRank(b) { return phaseRank(a) < phaseRank(b) }
            if a.ready != b.ready { return !a.ready }
            if a.deletionCost != b.deletionCost { return a.deletionCost < b.deletionCost }
            if rank(a) != rank(b) { return rank(a) > rank(b) }
            if a.ready, a.readySince != b.readySince { return (a.readySince ?? 0) > (b.readySince ?? 0) }
            if a.restarts != b.restarts { return a.restarts > b.restarts }
            if a.creationTimestamp != b.creationTimestamp { return a.creationTimestamp > b.creationTimestamp }
            return a.key.name > b.key.name
        }
        return Array(ranked.prefix(count))
    }

    private func writeStatus(_ rs: JSONValue, _ key: ObjectKey, _ owned: [ObjectKey: PodFacts]) {
        let minReady = rs[path: ["spec", "minReadySeconds"]]?.int ?? 0
        let now = PodTemplates.epochNow
        let templateLabels = JSONValue.stringMap(rs[path: ["spec", "template", "metadata", "labels"]])
        var replicas = 0, fullyLabeled = 0, ready = 0, available = 0
        var nextAvailable: Int?
        for p in owned.values where p.isActive {
            replicas += 1
            if templateLabels.allSatisfy({ p.labels[$0.key] == $0.value }) { fullyLabeled += 1 }
            guard p.ready else { continue }
            ready += 1
            if p.isAvailable(minReadySeconds: minReady, now: now) {
                available += 1
            } else if let since = p.readySince {
                nextAvailable = min(nextAvailable ?? Int.max, since + minReady)
            }
        }
        if let next = nextAvailable {
            engine.after(Double(max(0, next - now)) + 0.05, .resync(ObjectRef(resource: Resources.replicaSets, key: key)))
        }
        var st = rs["status"]?.object ?? JSONObject()
        st["replicas"] = .int(replicas)
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
