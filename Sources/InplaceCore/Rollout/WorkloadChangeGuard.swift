import JSON

/// Watches the spec of a workload a rollout holds for other writers. A change of replicas (an
/// autoscaler, `kubectl scale`) is followed: new pods become the rollout's, pods removed by a
/// scale-down are no longer waited for. Any other change of the spec (template, strategy,
/// `paused`: a GitOps tool re-applying git) voids the plan: the rollout stops, naming the writer
/// from the workload's `managedFields`. Decided from the object alone, against the spec the
/// rollout's own first writes left (`PreparedWorkload.object`), so those never count.
public struct WorkloadChangeGuard: Sendable {
    /// What an observed version of the workload means for the rollout.
    public enum Verdict: Sendable, Equatable {
        /// Nothing but metadata or status changed.
        case unchanged
        /// Only the replicas changed (from, to).
        case scaled(from: Int, to: Int)
        /// Another writer changed these spec fields (`spec.template.spec.containers[app].image`, ...).
        case changed(fields: [String], by: String)
    }

    /// The spec as the rollout's own writes left it, without replicas.
    let baseline: JSONValue
    let workload: Workload
    let prepared: PreparedWorkload
    /// The replicas at the start, the last seen, and the fewest seen.
    public let initialReplicas: Int
    public private(set) var replicas: Int
    public private(set) var fewestReplicas: Int
    /// Pods that appeared after a scale and were handed to the rollout.
    public private(set) var adopted: Set<String> = []
    /// When the replicas last changed (the caller's monotonic time).
    public private(set) var scaledAt: Double?

    /// Guards `workload`, prepared as `prepared`.
    public init(workload: Workload, prepared: PreparedWorkload) {
        self.workload = workload
        self.prepared = prepared
        baseline = Self.specWithoutReplicas(prepared.object)
        initialReplicas = prepared.object[path: ["spec", "replicas"]]?.int ?? workload.replicas ?? 0
        replicas = initialReplicas
        fewestReplicas = initialReplicas
    }

    /// True once the workload was scaled below its replicas at the start: a pod that disappears may
    /// be one the scale-down removed.
    public var scaledDown: Bool { fewestReplicas < initialReplicas }

    /// True once the replicas changed at all during the rollout.
    public var scaled: Bool { fewestReplicas != initialReplicas || replicas != initialReplicas || !adopted.isEmpty }

    /// Judges one observed version of the workload, seen at monotonic time `now`.
    public mutating func judge(_ object: JSONValue, now: Double = 0) -> Verdict {
        let spec = Self.specWithoutReplicas(object)
        if spec != baseline {
            let fields = Self.changedFields(baseline, spec, path: ["spec"])
            return .changed(fields: fields.map(Self.describe), by: Self.writer(of: fields, in: object))
        }
        guard let count = object[path: ["spec", "replicas"]]?.int, count != replicas else { return .unchanged }
        let before = replicas
        replicas = count
        fewestReplicas = min(fewestReplicas, count)
        scaledAt = now
        return .scaled(from: before, to: count)
    }

    /// The stop a verdict calls for, if any: a change by another writer.
    public mutating func stopReason(for object: JSONValue, now: Double = 0) -> RolloutControl.StopReason? {
        guard case .changed(let fields, let by) = judge(object, now: now) else { return nil }
        let shown = fields.prefix(3).joined(separator: ", ") + (fields.count > 3 ? " and \(fields.count - 3) more" : "")
        return .changedBy(writer: by, message: "\(workload.ref) was changed by \(by) while the rollout ran (\(shown)): the plan no longer holds; the rollout record is kept: reconcile the writer (or let it finish), then `resume \(workload.ref)`")
    }

    /// Live pods of the workload that appeared after a scale and are not in the plan: the rollout
    /// takes them on, towards `images` (container → image), with the workload's revision labels.
    public mutating func newcomers(in pods: [String: Pod], planned: Set<String>, images: [String: String]) -> [PodTarget] {
        guard scaled, replicas > 0 else { return [] }
        var out: [PodTarget] = []
        for pod in pods.values.sorted(by: { $0.name < $1.name })
        where !planned.contains(pod.name) && !adopted.contains(pod.name) && !pod.isTerminating && owns(pod) {
            adopted.insert(pod.name)
            let current = Dictionary(pod.containers.map { ($0.name, $0.image) }, uniquingKeysWith: { a, _ in a })
            let changes = images.sorted { $0.key < $1.key }.compactMap { c, to in
                current[c].map { ImageChange(container: c, from: $0, to: to) }
            }
            out.append(PodTarget(name: pod.name, changes: changes, labels: prepared.revisionLabels))
        }
        return out
    }

    /// True while a scale-up has not produced its pods yet (fewer live pods of the workload than its
    /// replicas), for at most `patience` seconds after the scale: the rollout waits for them to join.
    public func awaitsPods(in pods: [String: Pod], now: Double, patience: Double) -> Bool {
        guard let at = scaledAt, now < at + patience, replicas > fewestReplicas || replicas > initialReplicas else { return false }
        return pods.values.filter { !$0.isTerminating && owns($0) }.count < replicas
    }

    /// Whether a pod belongs to the workload: its controller is the workload (StatefulSet,
    /// DaemonSet) or one of the Deployment's ReplicaSets.
    func owns(_ pod: Pod) -> Bool {
        guard let owner = pod.object[path: ["metadata", "ownerReferences"]]?.array?.first(where: { $0["controller"]?.bool == true })
        else { return false }
        switch workload.kind {
        case .deployment:
            guard owner["kind"]?.string == "ReplicaSet" else { return false }
            return prepared.replicaSetNames.isEmpty || prepared.replicaSetNames.contains(owner["name"]?.string ?? "")
        case .pod: return false
        default: return owner["uid"]?.string == workload.uid
        }
    }

    static func specWithoutReplicas(_ object: JSONValue) -> JSONValue {
        var spec = object["spec"] ?? .emptyObject
        spec["replicas"] = nil
        return spec
    }

    /// The paths (as managedFields name them: `f:name`, `k:{"name":"app"}`) whose values differ.
    static func changedFields(_ a: JSONValue, _ b: JSONValue, path: [String]) -> [[String]] {
        let fieldPath = path.map { "f:" + $0 }
        return changed(a, b, at: fieldPath)
    }

    private static func changed(_ a: JSONValue?, _ b: JSONValue?, at path: [String]) -> [[String]] {
        if a == b { return [] }
        switch (a, b) {
        case (.object(let x)?, .object(let y)?):
            let keys = x.keys + y.keys.filter { !x.contains($0) }
            return keys.flatMap { changed(x[$0], y[$0], at: path + ["f:" + $0]) }
        case (.array(let x)?, .array(let y)?)
            where (x + y).allSatisfy({ $0["name"]?.string != nil }) && Set(x.compactMap { $0["name"]?.string }).count == x.count:
            func key(_ item: JSONValue) -> String { #"k:{"name":"# + JSONValue.string(item["name"]?.string ?? "").serialized() + "}" }
            let left = Dictionary(x.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
            let right = Dictionary(y.map { (key($0), $0) }, uniquingKeysWith: { a, _ in a })
            let keys = x.map(key) + y.map(key).filter { left[$0] == nil }
            return keys.flatMap { changed(left[$0], right[$0], at: path + [$0]) }
        default:
            return [path]
        }
    }

    /// `spec.template.spec.containers[app].image` for a managedFields path.
    static func describe(_ path: [String]) -> String {
        var out = ""
        for p in path {
            if p.hasPrefix("f:") {
                out += (out.isEmpty ? "" : ".") + p.dropFirst(2)
            } else if p.hasPrefix("k:"), let v = try? JSONValue(parsing: String(p.dropFirst(2))), let name = v["name"]?.string {
                out += "[\(name)]"
            }
        }
        return out
    }

    /// The manager that owns a changed field (the latest by time when several do), else the
    /// manager of the latest write; `an unknown writer` when the server keeps no managedFields.
    static func writer(of fields: [[String]], in object: JSONValue) -> String {
        let entries = object[path: ["metadata", "managedFields"]]?.array ?? []
        func owns(_ entry: JSONValue, _ path: [String]) -> Bool {
            var node = entry["fieldsV1"]
            for p in path {
                guard let next = node?[p] else { return false }
                if next.object?.isEmpty ?? true { return true }
                node = next
            }
            return true
        }
        let latest: ([JSONValue]) -> JSONValue? = { $0.max { ($0["time"]?.string ?? "") < ($1["time"]?.string ?? "") } }
        for path in fields {
            if let owner = latest(entries.filter { owns($0, path) }), let name = owner["manager"]?.string { return name }
        }
        return latest(entries.filter { !($0["manager"]?.string ?? "").hasPrefix("kubectl-inplace") })?["manager"]?.string
            ?? "an unknown writer"
    }
}
