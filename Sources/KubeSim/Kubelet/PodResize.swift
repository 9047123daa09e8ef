import JSON

/// The kubelet's resize state of one pod (pkg/kubelet allocation and status manager): what it
/// admitted (`allocatedResources`), what the runtime applies (`status.containerStatuses[*].resources`),
/// and the `PodResizePending` / `PodResizeInProgress` conditions.
struct PodResizeState {
    /// The node's kubelet supports in-place resize (1.33+); otherwise none of this is reported.
    var tracked = false
    /// Per container: the resources admitted by the kubelet.
    var allocated: [String: JSONValue] = [:]
    /// Per container: the resources the runtime applies.
    var actual: [String: JSONValue] = [:]
    /// `PodResizePending`: reason (`Deferred`, `Infeasible`) and message.
    var pending: (reason: String, message: String)?
    /// `PodResizeInProgress`: admitted, not yet applied.
    var inProgress = false
    /// The containers' spec resources the kubelet last evaluated.
    var seen: [String: JSONValue] = [:]
    /// Bumped on each admitted resize; an actuation timer of an older one is ignored.
    var epoch = 0

    /// The `PodResizePending` and `PodResizeInProgress` condition types.
    static let conditionTypes = ["PodResizePending", "PodResizeInProgress"]
}

extension Kubelet {
    /// Starts tracking the resources of a pod the kubelet takes on, when its node's kubelet resizes.
    func beginResizeTracking(_ rt: PodRuntime, _ pod: JSONValue) {
        guard kubeletResizes(node: rt.node) else { return }
        rt.resize.tracked = true
        let specs = Self.resizable(pod)
        for c in specs {
            let name = c["name"]?.string ?? ""
            let resources = Self.canonical(c["resources"])
            rt.resize.allocated[name] = resources
            rt.resize.actual[name] = resources
            rt.resize.seen[name] = resources
        }
    }

    /// True when the node's kubelet version serves in-place resize.
    func kubeletResizes(node: String) -> Bool {
        let object = engine.cache.get(Resources.nodes, ObjectKey(namespace: "", name: node))
        let version = object?[path: ["status", "nodeInfo", "kubeletVersion"]]?.string ?? engine.api.options.kubernetesVersion
        return (ServerVersion(version) ?? ServerVersion(1, 32)) >= .podResize
    }

    /// The spec asks for resources the kubelet has not evaluated yet.
    func resourcesChanged(_ rt: PodRuntime, _ pod: JSONValue) -> Bool {
        guard rt.resize.tracked else { return false }
        return Self.resizable(pod).contains { c in rt.resize.seen[c["name"]?.string ?? ""] != Self.canonical(c["resources"]) }
    }

    /// The sync's resize part (handlePodResourcesResize): admits the new resources when the node
    /// can hold them (else `PodResizePending` Infeasible or Deferred), restarts the containers whose
    /// changed resource has `restartPolicy: RestartContainer`, and applies the rest after the sync delay.
    func syncResize(_ rt: PodRuntime, _ pod: JSONValue) {
        guard rt.resize.tracked else { return }
        let specs = Self.resizable(pod)
        var desired: [String: JSONValue] = [:]
        for c in specs { desired[c["name"]?.string ?? ""] = Self.canonical(c["resources"]) }
        rt.resize.seen = desired
        let changed = specs.filter { c in
            let name = c["name"]?.string ?? ""
            return desired[name] != rt.resize.allocated[name]
        }
        guard !changed.isEmpty else {
            if rt.resize.pending != nil { rt.resize.pending = nil }
            return
        }
        let node = engine.cache.get(Resources.nodes, ObjectKey(namespace: "", name: rt.node))
        let capacity = (cpu: Self.milli(node?[path: ["status", "allocatable", "cpu"]]) ?? Int.max,
                        memory: Self.milli(node?[path: ["status", "allocatable", "memory"]]) ?? Int.max)
        let wanted = Self.requests(Array(desired.values))
        if wanted.cpu > capacity.cpu || wanted.memory > capacity.memory {
            let what = wanted.memory > capacity.memory
                ? "memory, requested: \(wanted.memory / 1000), capacity: \(capacity.memory / 1000)"
                : "cpu, requested: \(wanted.cpu), capacity: \(capacity.cpu)"
            rt.resize.pending = ("Infeasible", "Node didn't have enough capacity: " + what)
            return
        }
        let others = Self.requests(pods.values.filter { $0.node == rt.node && $0.uid != rt.uid && !$0.terminating }
            .flatMap { other in other.resize.tracked ? Array(other.resize.allocated.values) : Self.specResources(other, engine) })
        if others.cpu + wanted.cpu > capacity.cpu || others.memory + wanted.memory > capacity.memory {
            let what = others.memory + wanted.memory > capacity.memory
                ? "memory, requested: \(wanted.memory / 1000), used: \(others.memory / 1000), capacity: \(capacity.memory / 1000)"
                : "cpu, requested: \(wanted.cpu), used: \(others.cpu), capacity: \(capacity.cpu)"
            rt.resize.pending = ("Deferred", "Node didn't have enough resource: " + what)
            return
        }
        rt.resize.pending = nil
        var restarting = false
        for c in changed {
            let name = c["name"]?.string ?? ""
            let before = rt.resize.allocated[name] ?? .emptyObject
            let after = desired[name] ?? .emptyObject
            rt.resize.allocated[name] = after
            let needsRestart = Self.changedResources(before, after).contains { PodResizeValidation.policy(c, $0) == "RestartContainer" }
            guard needsRestart, let i = rt.containers.firstIndex(where: { $0.name == name }) else { continue }
            rt.resize.actual[name] = after
            restarting = true
            // A container already stopping (its image changed in this sync) starts with the new resources.
            if rt.containers[i].phase == .running {
                changeImage(rt, i, to: rt.containers[i].target, pod: pod,
                            reason: "Container \(name) resize requires a restart, will be restarted")
            }
        }
        rt.resize.epoch += 1
        rt.resize.inProgress = true
        engine.record(pod, .resizeAdmitted, message: restarting ? "resize admitted; restarting containers" : "resize admitted")
        engine.after(engine.options.latencies.sync, .resizeApplied(uid: rt.uid, epoch: rt.resize.epoch))
    }

    /// The runtime applied the admitted resources (UpdateContainerResources).
    func resizeApplied(uid: String, epoch: Int) {
        guard let rt = pods[uid], rt.resize.epoch == epoch, !rt.terminating else { return }
        rt.resize.actual = rt.resize.allocated
        rt.resize.inProgress = false
        if let pod = engine.cache.get(Resources.pods, rt.key), pod.metaUID == uid { engine.record(pod, .resizeApplied) }
        markDirty(uid)
        retryDeferred(node: rt.node, except: uid)
    }

    /// A deferred resize is retried when resources on its node may have been freed.
    func retryDeferred(node: String, except uid: String? = nil) {
        for rt in pods.values where rt.node == node && rt.uid != uid && rt.resize.pending?.reason == "Deferred" {
            guard let pod = engine.cache.get(Resources.pods, rt.key), pod.metaUID == rt.uid else { continue }
            syncResize(rt, pod)
            markDirty(rt.uid)
        }
    }

    /// Adds the kubelet's resize fields to a computed pod status.
    static func addResizeStatus(_ status: inout JSONObject, _ rt: PodRuntime, existing: [JSONValue], now: String) {
        guard rt.resize.tracked else { return }
        if var statuses = status["containerStatuses"]?.array {
            for i in statuses.indices {
                let name = statuses[i]["name"]?.string ?? ""
                if let actual = rt.resize.actual[name], actual.object?.isEmpty == false { statuses[i]["resources"] = actual }
                if let requests = rt.resize.allocated[name]?["requests"], requests.object?.isEmpty == false {
                    statuses[i]["allocatedResources"] = requests
                }
            }
            status["containerStatuses"] = .array(statuses)
        }
        var conditions = (status["conditions"]?.array ?? []).filter { !PodResizeState.conditionTypes.contains($0["type"]?.string ?? "") }
        func keepTime(_ type: String) -> String {
            existing.first { $0["type"]?.string == type && $0["status"]?.string == "True" }?["lastTransitionTime"]?.string ?? now
        }
        if let p = rt.resize.pending {
            conditions.append(PodStatusFactory.condition("PodResizePending", true, at: keepTime("PodResizePending"), reason: p.reason, message: p.message))
        }
        if rt.resize.inProgress {
            conditions.append(PodStatusFactory.condition("PodResizeInProgress", true, at: keepTime("PodResizeInProgress")))
        }
        status["conditions"] = .array(conditions)
    }

    /// The containers whose resources the kubelet resizes: the pod's containers and native sidecars.
    static func resizable(_ pod: JSONValue) -> [JSONValue] {
        (pod[path: ["spec", "containers"]]?.array ?? []) + sidecars(pod)
    }

    /// `{requests, limits}` with canonical quantities and no empty members.
    static func canonical(_ resources: JSONValue?) -> JSONValue {
        var out = JSONObject()
        for kind in ["requests", "limits"] {
            guard let m = resources?[kind]?.object, !m.isEmpty else { continue }
            var o = JSONObject()
            for e in m.sorted(by: { $0.key < $1.key }) {
                o[e.key] = e.value.string.flatMap { Quantity.canonical($0) }.map { .string($0) } ?? e.value
            }
            out[kind] = .object(o)
        }
        return .object(out)
    }

    /// The resource names whose request or limit differs between two `{requests, limits}`.
    static func changedResources(_ a: JSONValue, _ b: JSONValue) -> Set<String> {
        var names = Set<String>()
        for kind in ["requests", "limits"] {
            let x = a[kind]?.object ?? JSONObject(), y = b[kind]?.object ?? JSONObject()
            for k in x.keys + y.keys where x[k] != y[k] { names.insert(k) }
        }
        return names
    }

    /// Total cpu (milli) and memory (milli-bytes) requests of some containers' resources.
    static func requests(_ resources: [JSONValue]) -> (cpu: Int, memory: Int) {
        var cpu = 0, memory = 0
        for r in resources {
            cpu += milli(r[path: ["requests", "cpu"]]) ?? 0
            memory += milli(r[path: ["requests", "memory"]]) ?? 0
        }
        return (cpu, memory)
    }

    static func milli(_ v: JSONValue?) -> Int? { v?.string.flatMap(Quantity.milliValue) }

    /// The spec resources of a pod the kubelet does not track resizes for.
    static func specResources(_ rt: PodRuntime, _ engine: ClusterEngine) -> [JSONValue] {
        guard let pod = engine.cache.get(Resources.pods, rt.key) else { return [] }
        return resizable(pod).map { canonical($0["resources"]) }
    }
}
