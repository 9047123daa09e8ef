import JSON

/// An object's resource and key.
struct ObjectRef: Hashable {
    let resource: ResourceType
    let key: ObjectKey
}

/// What controllers ask of a pod again and again, computed once per change (a class: controllers
/// walk a thousand of them per sync, and sharing costs less than copying).
final class PodFacts: Sendable {
    let key: ObjectKey
    let uid: String
    let phase: String
    let terminating: Bool
    let ready: Bool
    /// Epoch second of the Ready condition's last transition (nil when unknown).
    let readySince: Int?
    let nodeName: String
    let labels: [String: String]
    let restarts: Int
    let creationTimestamp: String
    /// `controller.kubernetes.io/pod-deletion-cost` as an int32 (0 when absent or invalid).
    let deletionCost: Int32

    init(_ pod: JSONValue, key: ObjectKey) {
        self.key = key
        uid = pod.metaUID
        phase = pod.podPhase
        terminating = pod.isTerminating
        let readyCondition = pod.condition("Ready")
        ready = readyCondition?["status"]?.string == "True"
        readySince = readyCondition?["lastTransitionTime"]?.string.flatMap(Timestamp.parse)
        nodeName = pod.nodeName
        labels = pod.metaLabels
        restarts = (pod[path: ["status", "containerStatuses"]]?.array ?? []).map { $0["restartCount"]?.int ?? 0 }.max() ?? 0
        creationTimestamp = pod[path: ["metadata", "creationTimestamp"]]?.string ?? ""
        deletionCost = pod[path: ["metadata", "annotations", "controller.kubernetes.io/pod-deletion-cost"]]?.string.flatMap { Int32($0) } ?? 0
    }

    /// FilterActivePods: not terminating and not finished.
    var isActive: Bool { !terminating && phase != "Succeeded" && phase != "Failed" }

    /// IsPodAvailable: Ready for at least minReadySeconds.
    func isAvailable(minReadySeconds: Int, now: Int) -> Bool {
        guard ready else { return false }
        if minReadySeconds <= 0 { return true }
        guard let since = readySince else { return false }
        return since + minReadySeconds <= now
    }
}

/// The simulation's informer cache: the objects the kubelet and controllers care about, as the
/// store's events left them, with indexes by uid, by controller owner and by namespace, and the
/// facts of every pod.
struct ObjectCache {
    static let tracked: Set<ResourceType> = [
        Resources.pods, Resources.replicaSets, Resources.deployments, Resources.statefulSets, Resources.daemonSets,
        Resources.controllerRevisions, Resources.services, Resources.endpointSlices, Resources.endpoints, Resources.nodes,
        Resources.podDisruptionBudgets,
    ]

    private var buckets: [ResourceType: [ObjectKey: JSONValue]] = [:]
    private var byUID: [String: ObjectRef] = [:]
    private var dependents: [String: Set<ObjectRef>] = [:]
    private var byNamespace: [ResourceType: [String: Set<ObjectKey>]] = [:]
    private var facts: [ObjectKey: PodFacts] = [:]
    private var factsByOwner: [String: [ObjectKey: PodFacts]] = [:]

    func get(_ r: ResourceType, _ key: ObjectKey) -> JSONValue? { buckets[r]?[key] }

    func all(_ r: ResourceType) -> [ObjectKey: JSONValue] { buckets[r] ?? [:] }

    /// The objects of a resource in one namespace.
    func inNamespace(_ r: ResourceType, _ ns: String) -> [JSONValue] {
        guard let keys = byNamespace[r]?[ns], let bucket = buckets[r] else { return [] }
        return keys.compactMap { bucket[$0] }
    }

    /// The object with this uid.
    func ref(uid: String) -> ObjectRef? { byUID[uid] }

    /// The objects of a resource whose controller owner has this uid.
    func dependents(of uid: String, _ r: ResourceType) -> [JSONValue] {
        guard let refs = dependents[uid] else { return [] }
        return refs.compactMap { $0.resource == r ? buckets[r]?[$0.key] : nil }
    }

    /// The facts of the pods whose controller owner has this uid.
    func podFacts(ownedBy uid: String) -> [PodFacts] { factsByOwner[uid].map { Array($0.values) } ?? [] }

    /// The facts of the pods whose controller owner has this uid, by pod key (no copy).
    func podFactsByKey(ownedBy uid: String) -> [ObjectKey: PodFacts] { factsByOwner[uid] ?? [:] }

    /// Stores (or with nil removes) an object; returns the previous one.
    @discardableResult
    mutating func apply(_ r: ResourceType, _ key: ObjectKey, _ object: JSONValue?) -> JSONValue? {
        let old = buckets[r]?[key]
        let ref = ObjectRef(resource: r, key: key)
        if let old {
            if byUID[old.metaUID] == ref { byUID[old.metaUID] = nil }
            if let owner = old.controllerUID { dependents[owner]?.remove(ref) }
        }
        if r == Resources.pods {
            let f = object.map { PodFacts($0, key: key) }
            facts[key] = f
            if let owner = old?.controllerUID { factsByOwner[owner]?[key] = nil }
            if let owner = object?.controllerUID { factsByOwner[owner, default: [:]][key] = f }
        }
        if let object {
            buckets[r, default: [:]][key] = object
            byUID[object.metaUID] = ref
            if let owner = object.controllerUID { dependents[owner, default: []].insert(ref) }
            if old == nil { byNamespace[r, default: [:]][key.namespace, default: []].insert(key) }
        } else if old != nil {
            buckets[r]?[key] = nil
            byNamespace[r]?[key.namespace]?.remove(key)
        }
        return old
    }
}

extension JSONValue {
    /// The uid of the controller owner (ownerReferences with controller: true).
    var controllerUID: String? {
        guard let refs = self[path: ["metadata", "ownerReferences"]]?.array else { return nil }
        for r in refs where r["controller"]?.bool == true { return r["uid"]?.string }
        return nil
    }

    /// The controller owner reference.
    var controllerRef: JSONValue? {
        (self[path: ["metadata", "ownerReferences"]]?.array ?? []).first { $0["controller"]?.bool == true }
    }

    /// True when metadata.deletionTimestamp is set.
    var isTerminating: Bool { self[path: ["metadata", "deletionTimestamp"]] != nil && self[path: ["metadata", "deletionTimestamp"]] != .null }

    /// The pod's Ready condition status is "True".
    var isPodReady: Bool { conditionStatus("Ready") == "True" }

    /// The status of a condition in status.conditions.
    func conditionStatus(_ type: String) -> String? {
        for c in self[path: ["status", "conditions"]]?.array ?? [] where c["type"]?.string == type { return c["status"]?.string }
        return nil
    }

    /// A condition in status.conditions.
    func condition(_ type: String) -> JSONValue? {
        (self[path: ["status", "conditions"]]?.array ?? []).first { $0["type"]?.string == type }
    }

    /// status.phase ("" when unset).
    var podPhase: String { self[path: ["status", "phase"]]?.string ?? "" }

    /// spec.nodeName ("" when unset).
    var nodeName: String { self[path: ["spec", "nodeName"]]?.string ?? "" }

    /// spec.replicas (default 1).
    var specReplicas: Int { self[path: ["spec", "replicas"]]?.int ?? 1 }

    /// metadata.generation (default 0).
    var generation: Int { self[path: ["metadata", "generation"]]?.int ?? 0 }

    /// The Int of a status field (0 when absent).
    func statusInt(_ field: String) -> Int { self[path: ["status", field]]?.int ?? 0 }

    /// An object built from string pairs in key order.
    static func stringObject(_ map: [String: String]) -> JSONValue {
        .object(JSONObject(map.sorted { $0.key < $1.key }.map { ($0.key, .string($0.value)) }))
    }
}
