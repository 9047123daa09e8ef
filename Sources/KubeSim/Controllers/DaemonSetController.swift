import JSON

/// The DaemonSet controller (pkg/controller/daemon: daemon_controller.go, update.go): one pod per
/// eligible node with the `controller-revision-hash` (hash only) and `pod-template-generation`
/// labels, a node affinity on the node's name and the daemon tolerations; RollingUpdate replaces
/// pods of another hash within maxUnavailable (or surges with maxSurge); OnDelete does nothing.
final class DaemonSetController {
    unowned let engine: ClusterEngine
    var dirty = Set<ObjectKey>()
    static let generationLabel = "pod-template-generation"

    init(engine: ClusterEngine) { self.engine = engine }

    func reconcile() {
        guard !dirty.isEmpty else { return }
        let keys = dirty.sorted()
        dirty.removeAll()
        for key in keys { sync(key) }
    }

    /// The node a daemon pod is meant for (spec.nodeName, else its metadata.name affinity).
    static func node(of pod: JSONValue) -> String? {
        if !pod.nodeName.isEmpty { return pod.nodeName }
        let terms = pod[path: ["spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms"]]?.array ?? []
        for t in terms {
            for f in t["matchFields"]?.array ?? [] where f["key"]?.string == "metadata.name" {
                if let v = f["values"]?[0]?.string { return v }
            }
        }
        return nil
    }

    /// IsPodUpdated: the hash label matches, or the template generation does.
    static func isUpdated(_ pod: JSONValue, hash: String, generation: String?) -> Bool {
        let labels = pod.metaLabels
        return (!hash.isEmpty && labels[StatefulSetController.revisionLabel] == hash) || (generation != nil && labels[generationLabel] == generation)
    }

    private func sync(_ key: ObjectKey) {
        guard let ds = engine.cache.get(Resources.daemonSets, key) else { return }
        let revisions = ControllerRevisions.owned(by: ds, in: engine.cache)
        let (current, collisions) = ControllerRevisions.updateRevision(
            engine: engine, owner: ds, kind: "DaemonSet", revisions: revisions, collisionCount: ds[path: ["status", "collisionCount"]]?.int ?? 0)
        guard let cur = current else { return }
        let hash = cur.metaLabels[ControllerRevisions.hashLabel] ?? ""
        let generation = ds.metaAnnotations[Strategy.dsTemplateGeneration]
        let template = ds[path: ["spec", "template"]] ?? .emptyObject
        let nodes = engine.cache.all(Resources.nodes).values.filter { node in
            Scheduler.fits(["spec": ["nodeSelector": template[path: ["spec", "nodeSelector"]] ?? .null, "affinity": template[path: ["spec", "affinity"]] ?? .null]], node)
        }.map(\.metaName).sorted()
        let pods = engine.cache.dependents(of: ds.metaUID, Resources.pods)
        var byNode: [String: [JSONValue]] = [:]
        for p in pods { if let n = Self.node(of: p) { byNode[n, default: []].append(p) } }
        let ns = ds.metaNamespace
        if !ds.isTerminating {
            let maxSurge = Self.isRolling(ds) ? WorkloadStatus.resolve(ds[path: ["spec", "updateStrategy", "rollingUpdate", "maxSurge"]] ?? 0, total: nodes.count, roundUp: true) : 0
            for node in nodes {
                let list = (byNode[node] ?? []).filter { !$0.isTerminating }
                let failed = list.filter { $0.podPhase == "Failed" }
                for p in failed { engine.deletePod(ObjectKey(namespace: ns, name: p.metaName), uid: p.metaUID) }
                let running = list.filter { $0.podPhase != "Failed" }
                if running.isEmpty && (byNode[node] ?? []).allSatisfy({ !$0.isTerminating }) {
                    engine.create(Resources.pods, namespace: ns, Self.pod(ds, template: template, node: node, hash: hash, generation: generation))
                } else if running.count > 1 && maxSurge == 0 {
                    let sorted = running.sorted { ($0[path: ["metadata", "creationTimestamp"]]?.string ?? "", $0.metaName) < ($1[path: ["metadata", "creationTimestamp"]]?.string ?? "", $1.metaName) }
                    for p in sorted.dropFirst() { engine.deletePod(ObjectKey(namespace: ns, name: p.metaName), uid: p.metaUID) }
                }
            }
            for (node, list) in byNode where !nodes.contains(node) {
                for p in list where !p.isTerminating { engine.deletePod(ObjectKey(namespace: ns, name: p.metaName), uid: p.metaUID) }
            }
            if Self.isRolling(ds) { rollingUpdate(ds, nodes: nodes, byNode: byNode, hash: hash, generation: generation, maxSurge: maxSurge) }
        }
        writeStatus(ds, key, nodes: nodes, byNode: byNode, hash: hash, generation: generation, collisions: collisions)
        var live: Set<String> = [cur.metaName]
        for p in pods { if let h = p.metaLabels[StatefulSetController.revisionLabel] { live.insert("\(ds.metaName)-\(h)") } }
        ControllerRevisions.truncate(
            engine: engine, revisions: ControllerRevisions.owned(by: ds, in: engine.cache), live: live,
            limit: ds[path: ["spec", "revisionHistoryLimit"]]?.int ?? 10)
    }

    private static func isRolling(_ ds: JSONValue) -> Bool { (ds[path: ["spec", "updateStrategy", "type"]]?.string ?? "RollingUpdate") == "RollingUpdate" }

    /// rollingUpdate (update.go).
    private func rollingUpdate(_ ds: JSONValue, nodes: [String], byNode: [String: [JSONValue]], hash: String, generation: String?, maxSurge: Int) {
        let maxUnavailable = WorkloadStatus.resolve(ds[path: ["spec", "updateStrategy", "rollingUpdate", "maxUnavailable"]] ?? 1, total: nodes.count, roundUp: true)
        let minReady = ds[path: ["spec", "minReadySeconds"]]?.int ?? 0
        let now = PodTemplates.epochNow
        let ns = ds.metaNamespace
        func available(_ p: JSONValue) -> Bool { PodTemplates.isAvailable(p, minReadySeconds: minReady, now: now) }
        if maxSurge == 0 {
            var unavailable = 0
            var replace: [JSONValue] = []
            var candidates: [JSONValue] = []
            for node in nodes {
                let pods = (byNode[node] ?? []).filter { !$0.isTerminating }
                let new = pods.filter { Self.isUpdated($0, hash: hash, generation: generation) }
                let old = pods.filter { !Self.isUpdated($0, hash: hash, generation: generation) }
                if pods.count > 1 || pods.isEmpty || (!new.isEmpty && !old.isEmpty) {
                    unavailable += 1
                } else if let n = new.first {
                    if !available(n) { unavailable += 1 }
                } else if let o = old.first {
                    if !available(o) {
                        replace.append(o)
                    } else if unavailable < maxUnavailable {
                        candidates.append(o)
                    }
                }
            }
            let remaining = min(max(0, maxUnavailable - unavailable), candidates.count)
            for p in replace + candidates.prefix(remaining) {
                engine.deletePod(ObjectKey(namespace: ns, name: p.metaName), uid: p.metaUID)
            }
            return
        }
        func split(_ node: String) -> (new: [JSONValue], old: [JSONValue]) {
            let pods = (byNode[node] ?? []).filter { !$0.isTerminating }
            return (pods.filter { Self.isUpdated($0, hash: hash, generation: generation) }, pods.filter { !Self.isUpdated($0, hash: hash, generation: generation) })
        }
        var surging = nodes.filter { let s = split($0); return !s.new.isEmpty && !s.old.isEmpty }.count
        for node in nodes {
            let (new, old) = split(node)
            guard !old.isEmpty else { continue }
            if let n = new.first {
                if available(n) { for o in old { engine.deletePod(ObjectKey(namespace: ns, name: o.metaName), uid: o.metaUID) } }
            } else if surging < maxSurge || !old.contains(where: available) {
                engine.create(Resources.pods, namespace: ns, Self.pod(ds, template: ds[path: ["spec", "template"]] ?? .emptyObject, node: node, hash: hash, generation: generation))
                surging += 1
            }
        }
    }

    /// A daemon pod for `node`: template labels plus the revision hash and template generation,
    /// node affinity on the node's name, and the daemon tolerations.
    static func pod(_ ds: JSONValue, template: JSONValue, node: String, hash: String, generation: String?) -> JSONValue {
        var extra = [StatefulSetController.revisionLabel: hash]
        extra[generationLabel] = generation ?? "1"
        var pod = PodTemplates.pod(from: template, owner: ds, ownerKind: "DaemonSet", extraLabels: extra)
        let term: JSONValue = ["matchFields": [["key": "metadata.name", "operator": "In", "values": [.string(node)]]]]
        pod[path: ["spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms"]] = [term]
        var tolerations = pod[path: ["spec", "tolerations"]]?.array ?? []
        var add = Seeder.daemonSetTolerations
        if template[path: ["spec", "hostNetwork"]]?.bool == true {
            add.append(["key": "node.kubernetes.io/network-unavailable", "operator": "Exists", "effect": "NoSchedule"])
        }
        for t in add where !tolerations.contains(t) { tolerations.append(t) }
        pod[path: ["spec", "tolerations"]] = .array(tolerations)
        return pod
    }

    private func writeStatus(
        _ ds: JSONValue, _ key: ObjectKey, nodes: [String], byNode: [String: [JSONValue]], hash: String, generation: String?, collisions: Int
    ) {
        let minReady = ds[path: ["spec", "minReadySeconds"]]?.int ?? 0
        let now = PodTemplates.epochNow
        var current = 0, ready = 0, updated = 0, available = 0, misscheduled = 0
        for node in nodes {
            let pods = (byNode[node] ?? []).filter { !$0.isTerminating }
            guard !pods.isEmpty else { continue }
            current += 1
            let newest = pods.first { Self.isUpdated($0, hash: hash, generation: generation) } ?? pods[0]
            if newest.isPodReady { ready += 1 }
            if PodTemplates.isAvailable(newest, minReadySeconds: minReady, now: now) { available += 1 }
            if pods.contains(where: { Self.isUpdated($0, hash: hash, generation: generation) }) { updated += 1 }
        }
        for (node, list) in byNode where !nodes.contains(node) && list.contains(where: { !$0.isTerminating }) { misscheduled += 1 }
        var st = ds["status"]?.object ?? JSONObject()
        st["currentNumberScheduled"] = .int(current)
        st["numberMisscheduled"] = .int(misscheduled)
        st["desiredNumberScheduled"] = .int(nodes.count)
        st["numberReady"] = .int(ready)
        st["observedGeneration"] = .int(ds.generation)
        st["updatedNumberScheduled"] = updated > 0 ? .int(updated) : nil
        st["numberAvailable"] = available > 0 ? .int(available) : nil
        st["numberUnavailable"] = nodes.count - available > 0 ? .int(nodes.count - available) : nil
        if collisions > 0 { st["collisionCount"] = .int(collisions) }
        let status = JSONValue.object(st)
        guard status != ds["status"] else { return }
        engine.update(Resources.daemonSets, key, status: true) { o in
            o["status"] = status
            return true
        }
    }
}
