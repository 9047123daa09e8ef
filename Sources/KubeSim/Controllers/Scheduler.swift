import JSON

/// The scheduler: binds pods without a node to one (the node a DaemonSet pod's affinity names,
/// else the least loaded node matching the pod's nodeSelector), setting PodScheduled, or marks
/// them Unschedulable.
final class Scheduler {
    unowned let engine: ClusterEngine
    private var pending = Set<ObjectKey>()
    private var podsPerNode: [String: Int] = [:]

    init(engine: ClusterEngine) { self.engine = engine }

    var hasWork: Bool { !pending.isEmpty }

    func podChanged(old: JSONValue?, new: JSONValue?) {
        if let old, !old.nodeName.isEmpty { podsPerNode[old.nodeName, default: 1] -= 1 }
        if let new, !new.nodeName.isEmpty { podsPerNode[new.nodeName, default: 0] += 1 }
        if let new, new.nodeName.isEmpty, !new.isTerminating {
            let scheduled = new.conditionStatus("PodScheduled")
            if scheduled != "False" { pending.insert(ObjectKey(namespace: new.metaNamespace, name: new.metaName)) }
        }
    }

    /// Nodes changed: retry every unscheduled pod.
    func nodesChanged() {
        for (key, pod) in engine.cache.all(Resources.pods) where pod.nodeName.isEmpty && !pod.isTerminating { pending.insert(key) }
    }

    func reconcile() {
        guard !pending.isEmpty else { return }
        let keys = pending.sorted()
        pending.removeAll()
        let nodes = engine.cache.all(Resources.nodes).values.filter { $0[path: ["spec", "unschedulable"]]?.bool != true }
            .sorted { $0.metaName < $1.metaName }
        for key in keys {
            guard let pod = engine.cache.get(Resources.pods, key), pod.nodeName.isEmpty, !pod.isTerminating else { continue }
            let fits = nodes.filter { Self.fits(pod, $0) }
            if let node = fits.min(by: { (podsPerNode[$0.metaName] ?? 0, $0.metaName) < (podsPerNode[$1.metaName] ?? 0, $1.metaName) }) {
                bind(pod, key, node.metaName)
            } else {
                unschedulable(pod, key, total: nodes.count)
            }
        }
    }

    /// Whether a pod may run on a node: its nodeSelector and required node affinity (matchFields
    /// on metadata.name and matchExpressions on labels with In/NotIn/Exists/DoesNotExist).
    static func fits(_ pod: JSONValue, _ node: JSONValue) -> Bool {
        let labels = node.metaLabels
        for (k, v) in JSONValue.stringMap(pod[path: ["spec", "nodeSelector"]]) where labels[k] != v { return false }
        guard let terms = pod[path: ["spec", "affinity", "nodeAffinity", "requiredDuringSchedulingIgnoredDuringExecution", "nodeSelectorTerms"]]?.array,
            !terms.isEmpty
        else { return true }
        return terms.contains { term in
            let fields = (term["matchFields"]?.array ?? []).allSatisfy { req in
                requirement(req, value: req["key"]?.string == "metadata.name" ? node.metaName : nil)
            }
            let exprs = (term["matchExpressions"]?.array ?? []).allSatisfy { req in requirement(req, value: labels[req["key"]?.string ?? ""]) }
            return fields && exprs
        }
    }

    private static func requirement(_ req: JSONValue, value: String?) -> Bool {
        let values = (req["values"]?.array ?? []).compactMap(\.string)
        switch req["operator"]?.string ?? "" {
        case "In": return value.map(values.contains) ?? false
        case "NotIn": return value.map { !values.contains($0) } ?? true
        case "Exists": return value != nil
        case "DoesNotExist": return value == nil
        default: return false
        }
    }

    private func bind(_ pod: JSONValue, _ key: ObjectKey, _ node: String) {
        let uid = pod.metaUID
        engine.writeDirect(Resources.pods, key) { current in
            guard current.metaUID == uid, current.nodeName.isEmpty else { return nil }
            var next = current
            next[path: ["spec", "nodeName"]] = .string(node)
            Self.setScheduled(&next, PodStatusFactory.condition("PodScheduled", true, at: Timestamp.now()))
            return next
        }
    }

    private func unschedulable(_ pod: JSONValue, _ key: ObjectKey, total: Int) {
        let uid = pod.metaUID
        let message = total == 0
            ? "no nodes available to schedule pods"
            : "0/\(total) nodes are available: \(total) node(s) didn't match Pod's node affinity/selector. preemption: 0/\(total) nodes are available: \(total) Preemption is not helpful for scheduling."
        engine.writeDirect(Resources.pods, key) { current in
            guard current.metaUID == uid, current.nodeName.isEmpty else { return nil }
            var next = current
            Self.setScheduled(&next, PodStatusFactory.condition("PodScheduled", false, at: Timestamp.now(), reason: "Unschedulable", message: message))
            return next
        }
    }

    private static func setScheduled(_ pod: inout JSONValue, _ condition: JSONValue) {
        var conditions = pod[path: ["status", "conditions"]]?.array ?? []
        if let i = conditions.firstIndex(where: { $0["type"]?.string == "PodScheduled" }) {
            conditions[i] = condition
        } else {
            conditions.append(condition)
        }
        pod[path: ["status", "conditions"]] = .array(conditions)
    }
}
