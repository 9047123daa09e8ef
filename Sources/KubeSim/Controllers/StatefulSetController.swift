import JSON

/// The StatefulSet controller (pkg/controller/statefulset/stateful_set_control.go): revisions,
/// ordinal pods created in order (OrderedReady waits for each to be Running and Ready), scale-down
/// from the highest ordinal, RollingUpdate deleting stale pods at or above the partition highest
/// first and one at a time, OnDelete leaving pods alone, and the status with current/update revisions.
final class StatefulSetController {
    unowned let engine: ClusterEngine
    var dirty = Set<ObjectKey>()
    static let revisionLabel = "controller-revision-hash"

    init(engine: ClusterEngine) { self.engine = engine }

    func reconcile() {
        guard !dirty.isEmpty else { return }
        let keys = dirty.sorted()
        dirty.removeAll()
        for key in keys { sync(key) }
    }

    static func ordinal(_ pod: JSONValue, set: String) -> Int? {
        let name = pod.metaName
        guard name.hasPrefix(set + "-") else { return nil }
        return Int(name.dropFirst(set.count + 1))
    }

    private static func runningAndReady(_ p: JSONValue) -> Bool { p.podPhase == "Running" && p.isPodReady }
    private static func created(_ p: JSONValue) -> Bool { !p.podPhase.isEmpty }
    private static func revision(_ p: JSONValue) -> String { p.metaLabels[revisionLabel] ?? "" }

    private func sync(_ key: ObjectKey) {
        guard let set = engine.cache.get(Resources.statefulSets, key) else { return }
        let revisions = ControllerRevisions.owned(by: set, in: engine.cache)
        let (update, collisions) = ControllerRevisions.updateRevision(
            engine: engine, owner: set, kind: "StatefulSet", revisions: revisions, collisionCount: set[path: ["status", "collisionCount"]]?.int ?? 0)
        guard let updateRevision = update else { return }
        let currentName = set[path: ["status", "currentRevision"]]?.string ?? ""
        let currentRevision = revisions.first { $0.metaName == currentName } ?? updateRevision
        let pods = engine.cache.dependents(of: set.metaUID, Resources.pods)
        let replicaCount = set.specReplicas
        var replicas = [JSONValue?](repeating: nil, count: replicaCount)
        var condemned: [JSONValue] = []
        for p in pods {
            guard let o = Self.ordinal(p, set: set.metaName) else { continue }
            if o < replicaCount { replicas[o] = p } else { condemned.append(p) }
        }
        condemned.sort { (Self.ordinal($0, set: set.metaName) ?? 0) > (Self.ordinal($1, set: set.metaName) ?? 0) }
        if !set.isTerminating {
            process(set, replicas: &replicas, condemned: condemned, current: currentRevision, update: updateRevision)
        }
        var status = computeStatus(set, pods: pods, current: currentRevision, update: updateRevision, collisions: collisions)
        if set[path: ["spec", "updateStrategy", "type"]]?.string ?? "RollingUpdate" == "RollingUpdate",
            status["updatedReplicas"]?.int ?? 0 == replicaCount, status["readyReplicas"]?.int ?? 0 == replicaCount,
            status["replicas"]?.int ?? 0 == replicaCount
        {
            status["currentReplicas"] = status["updatedReplicas"]
            status["currentRevision"] = status["updateRevision"]
        }
        writeStatus(set, key, status)
        var live: Set<String> = [currentRevision.metaName, updateRevision.metaName, status["currentRevision"]?.string ?? ""]
        for p in pods { live.insert(Self.revision(p)) }
        ControllerRevisions.truncate(
            engine: engine, revisions: ControllerRevisions.owned(by: set, in: engine.cache), live: live,
            limit: set[path: ["spec", "revisionHistoryLimit"]]?.int ?? 10)
    }

    /// updateStatefulSet's pod work; returns when it must wait.
    private func process(_ set: JSONValue, replicas: inout [JSONValue?], condemned: [JSONValue], current: JSONValue, update: JSONValue) {
        let monotonic = (set[path: ["spec", "podManagementPolicy"]]?.string ?? "OrderedReady") != "Parallel"
        let strategy = set[path: ["spec", "updateStrategy", "type"]]?.string ?? "RollingUpdate"
        let partition = set[path: ["spec", "updateStrategy", "rollingUpdate", "partition"]]?.int ?? 0
        let ns = set.metaNamespace
        for i in replicas.indices {
            if let p = replicas[i] {
                if p.podPhase == "Failed" || p.podPhase == "Succeeded" {
                    if !p.isTerminating { engine.deletePod(ObjectKey(namespace: ns, name: p.metaName), uid: p.metaUID) }
                    if monotonic { return }
                    continue
                }
                if p.isTerminating && monotonic { return }
                if !Self.runningAndReady(p) && monotonic { return }
                continue
            }
            let useCurrent = strategy == "RollingUpdate" && i < partition
            let revision = useCurrent ? current : update
            let template = ControllerRevisions.template(of: revision) ?? set[path: ["spec", "template"]] ?? .emptyObject
            engine.create(Resources.pods, namespace: ns, Self.pod(set, template: template, ordinal: i, revision: revision.metaName))
            if monotonic { return }
        }
        for p in condemned {
            if p.isTerminating {
                if monotonic { return }
                continue
            }
            engine.deletePod(ObjectKey(namespace: ns, name: p.metaName), uid: p.metaUID)
            if monotonic { return }
        }
        guard strategy == "RollingUpdate" else { return }
        var target = replicas.count - 1
        while target >= partition && target >= 0 {
            guard let p = replicas[target] else { return }
            if Self.revision(p) != update.metaName && !p.isTerminating {
                engine.deletePod(ObjectKey(namespace: ns, name: p.metaName), uid: p.metaUID)
                return
            }
            if !Self.runningAndReady(p) || p.isTerminating { return }
            target -= 1
        }
    }

    /// newStatefulSetPod: identity labels, hostname/subdomain, claim volumes and the revision label.
    static func pod(_ set: JSONValue, template: JSONValue, ordinal: Int, revision: String) -> JSONValue {
        let name = "\(set.metaName)-\(ordinal)"
        var pod = PodTemplates.pod(
            from: template, owner: set, ownerKind: "StatefulSet", name: name,
            extraLabels: [
                "statefulset.kubernetes.io/pod-name": name, "apps.kubernetes.io/pod-index": String(ordinal), revisionLabel: revision,
            ])
        pod[path: ["spec", "hostname"]] = .string(name)
        let service = set[path: ["spec", "serviceName"]]?.string ?? ""
        if !service.isEmpty { pod[path: ["spec", "subdomain"]] = .string(service) }
        let claims = (set[path: ["spec", "volumeClaimTemplates"]]?.array ?? []).compactMap { $0[path: ["metadata", "name"]]?.string }
        if !claims.isEmpty {
            var volumes: [JSONValue] = claims.map { c in ["name": .string(c), "persistentVolumeClaim": ["claimName": .string("\(c)-\(name)")]] }
            volumes += (pod[path: ["spec", "volumes"]]?.array ?? []).filter { !claims.contains($0["name"]?.string ?? "") }
            pod[path: ["spec", "volumes"]] = .array(volumes)
        }
        return pod
    }

    private func computeStatus(_ set: JSONValue, pods: [JSONValue], current: JSONValue, update: JSONValue, collisions: Int) -> JSONObject {
        var replicas = 0, ready = 0, currentCount = 0, updated = 0
        for p in pods {
            if Self.created(p) { replicas += 1 }
            if Self.runningAndReady(p) { ready += 1 }
            if Self.created(p) && !p.isTerminating {
                if Self.revision(p) == current.metaName { currentCount += 1 }
                if Self.revision(p) == update.metaName { updated += 1 }
            }
        }
        var st = set["status"]?.object ?? JSONObject()
        st["observedGeneration"] = .int(set.generation)
        st["replicas"] = .int(replicas)
        st["readyReplicas"] = ready > 0 ? .int(ready) : nil
        st["currentReplicas"] = currentCount > 0 ? .int(currentCount) : nil
        st["updatedReplicas"] = updated > 0 ? .int(updated) : nil
        st["currentRevision"] = .string(current.metaName)
        st["updateRevision"] = .string(update.metaName)
        st["collisionCount"] = .int(collisions)
        st["availableReplicas"] = .int(ready)
        return st
    }

    private func writeStatus(_ set: JSONValue, _ key: ObjectKey, _ st: JSONObject) {
        let status = JSONValue.object(st)
        guard status != set["status"] else { return }
        engine.update(Resources.statefulSets, key, status: true) { o in
            o["status"] = status
            return true
        }
    }
}
