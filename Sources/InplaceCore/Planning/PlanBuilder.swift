import JSON

/// Builds the plan for a set of desired workloads by reading the live state through a `ClusterReader`.
public struct PlanBuilder: Sendable {
    public let cluster: any ClusterReader
    public let options: PlanOptions

    public init(cluster: any ClusterReader, options: PlanOptions) {
        self.cluster = cluster
        self.options = options
    }

    /// What planning one workload needs afterwards (the rollout reuses it).
    public struct Planned: Sendable {
        public var workload: Workload
        public var desiredTemplate: JSONValue
        public var plan: WorkloadPlan
    }

    /// Plans every target, in order.
    public func plan(_ targets: [DesiredWorkload]) throws -> [Planned] {
        try targets.map { try plan($0) }
    }

    /// Plans one target: reads the workload, derives the desired template, reduces each pod page,
    /// and checks what would make the rollout refuse it.
    public func plan(_ target: DesiredWorkload) throws -> Planned {
        let workload = try cluster.workload(target.ref)
        if let surge = options.maxSurge, surge != .count(0), surge != .percent(0), workload.kind != .deployment {
            throw TargetError.surgeNotSupported(workload.ref)
        }
        let template = try Self.desiredTemplate(for: target, live: workload)
        let replicaSets = try self.replicaSets(of: workload)
        var facts = PodFactsTable(expected: workload.replicas ?? 0)
        let previous = Self.previousMetadata(of: workload)
        var comparisons = SpecComparisonCache(template: template)
        let owners = try forEachPod(of: workload, replicaSets: replicaSets, keeping: PodFacts.projection) { pod in
            facts.add(PodFacts(pod: pod, kind: workload.kind, previous: previous, selector: workload.selector, cache: &comparisons))
        }
        let pods = facts.take()
        let budgets = options.ignorePdb || workload.kind == .pod ? [] : try disruptionBudgets(
            of: workload, pods: Array(pods.lazy.filter { !$0.terminating }.map { ($0.name, $0.labels, $0.ready) }),
            uids: Set(pods.map(\.uid)), template: template)
        var resize: ResizeSupport?
        let resizing = pods.filter { !$0.difference.resourceChanges.isEmpty }
        if !resizing.isEmpty {
            resize = try cluster.resizeSupport(nodes: Set(resizing.compactMap(\.node)))
        }
        var sidecars = SidecarRestartSupport()
        let sidecarNodes = Set(pods.filter { !$0.difference.sidecars.isEmpty }.compactMap(\.node))
        if !sidecarNodes.isEmpty {
            sidecars.kubeletVersions = resize?.kubeletVersions ?? [:]
            sidecars.unread = resize?.kubeletsUnread
            let unread = sidecarNodes.subtracting(sidecars.kubeletVersions.keys)
            if !unread.isEmpty {
                do {
                    sidecars.kubeletVersions.merge(try cluster.kubeletVersions(nodes: unread)) { a, _ in a }
                } catch let e as NodeReadError {
                    sidecars.unread = e.description
                }
            }
        }
        var manifest: JSONValue?
        if case .manifest(let object, _) = target.source { manifest = object }
        var ordering = try UpdateOrder.resolve(ref: workload.ref, options: options, manifest: manifest, live: workload.object)
        var notes: [String] = []
        if case .by(let key)? = ordering.scatter {
            (ordering.nodeValues, notes) = nodeValues(key, nodes: Set(pods.compactMap(\.node)))
        }
        var plan = Planner.plan(
            ref: workload.ref, replicas: workload.replicas, pods: pods, options: options,
            strategy: WorkloadStrategy.of(kind: workload.kind, manifest: manifest, live: workload.object),
            owners: workload.kind == .pod ? [] : owners,
            refusals: RolloutPreconditions.workloadReasons(workload, replicaSets: replicaSets), resize: resize,
            surgeApplied: workload.kind == .deployment ? RolloutRecord(workload: workload.object)?.surge ?? 0 : 0,
            budgets: budgets, ordering: ordering, sidecars: sidecars)
        plan.warnings += notes
        return Planned(workload: workload, desiredTemplate: template, plan: plan)
    }

    /// The scatter-by label's value on each of `nodes` that carries it; nil when none does, so the
    /// pods' own label is used (with a note when the nodes could not be read).
    func nodeValues(_ key: String, nodes: Set<String>) -> ([String: String]?, [String]) {
        do {
            let values = try cluster.nodeLabelValues(key: key).filter { nodes.contains($0.key) }
            return (values.isEmpty ? nil : values, [])
        } catch let e as NodeReadError {
            return (nil, ["\(e): --scatter-by \(key) uses the pods' own label \(key)"])
        } catch {
            return (nil, ["the nodes cannot be read (\(error)): --scatter-by \(key) uses the pods' own label \(key)"])
        }
    }

    /// The PodDisruptionBudgets that select any of the workload's pods, each with the healthy pods it
    /// selects outside the workload.
    func disruptionBudgets(of workload: Workload, pods: [(name: String, labels: [String: String], ready: Bool)], uids: Set<String>,
                           template: JSONValue) throws -> [DisruptionBudget] {
        let templateLabels = template[path: ["metadata", "labels"]]?.stringMap ?? [:]
        var out: [DisruptionBudget] = []
        for object in try cluster.podDisruptionBudgets(namespace: workload.namespace) {
            guard let selector = object[path: ["spec", "selector"]], selector != .null,
                  pods.contains(where: { LabelSelector(selector).matches($0.labels) }) else { continue }
            var others: [(ready: Bool, terminating: Bool)] = []
            try cluster.pods(namespace: workload.namespace, selector: LabelSelector(selector), keeping: PodFacts.projection) { page in
                for pod in page where !uids.contains(pod.uid) { others.append((pod.isReady, pod.isTerminating)) }
            }
            if let budget = DisruptionBudget.of(object, workloadPods: pods, others: others, replicas: workload.replicas ?? pods.count,
                                                templateLabels: templateLabels) {
                out.append(budget)
            }
        }
        return out.sorted { $0.name < $1.name }
    }

    /// Calls `body` for every pod the workload controls (owner references, not just the selector).
    public func forEachPod(of workload: Workload, _ body: (Pod) throws -> Void) throws {
        try forEachPod(of: workload, replicaSets: try replicaSets(of: workload), body)
    }

    /// A Deployment's ReplicaSets (those its selector matches); none for other kinds.
    func replicaSets(of workload: Workload) throws -> [JSONValue] {
        guard workload.kind == .deployment else { return [] }
        guard let selector = workload.selector else { throw TargetError.missingSelector(workload.ref) }
        return try cluster.replicaSets(namespace: workload.namespace, selector: selector)
    }

    /// Calls `body` for every pod whose controller is the workload or one of its ReplicaSets;
    /// returns those controllers' uids.
    @discardableResult
    func forEachPod(of workload: Workload, replicaSets: [JSONValue], keeping projection: JSONProjection? = nil,
                    _ body: (Pod) throws -> Void) throws -> Set<String> {
        if workload.kind == .pod {
            try body(Pod(workload.object))
            return []
        }
        guard let selector = workload.selector else { throw TargetError.missingSelector(workload.ref) }
        var owners: Set<String> = [workload.uid]
        if workload.kind == .deployment {
            owners = Set(replicaSets.compactMap { rs in
                let controller = rs[path: ["metadata", "ownerReferences"]]?.array?.first { $0["controller"]?.bool == true }
                return controller?["uid"]?.string == workload.uid ? rs[path: ["metadata", "uid"]]?.string : nil
            })
        }
        try cluster.pods(namespace: workload.namespace, selector: selector, keeping: projection) { page in
            for pod in page where pod.controllerUID.map(owners.contains) ?? false { try body(pod) }
        }
        return owners
    }

    /// The metadata of the template the workload's pods came from: the live template's, with every
    /// key a recorded rollout changed (a resumed rollout's live template is already the new one).
    /// Only these keys are removed from pods; nil for a bare Pod, which has no template.
    static func previousMetadata(of workload: Workload) -> JSONValue? {
        guard workload.kind != .pod else { return nil }
        var metadata = workload.template["metadata"] ?? .emptyObject
        if let record = RolloutRecord(workload: workload.object) {
            for recordKey in Set(record.metadata.keys).union(record.previousMetadata.keys) {
                guard let (field, key) = MetadataChange.parse(recordKey: recordKey),
                      metadata[path: [field.rawValue, key]] == nil else { continue }
                metadata[path: [field.rawValue, key]] = .string((record.previousMetadata[recordKey] ?? nil) ?? "")
            }
        }
        return metadata
    }

    /// The pod template the pods must end up matching.
    public static func desiredTemplate(for target: DesiredWorkload, live: Workload) throws -> JSONValue {
        switch target.source {
        case .manifest(let object, _):
            return Workload(kind: target.ref.kind, object: object).template
        case .liveTemplate:
            return live.template
        case .previous(let images, let resources, let metadata):
            var template = live.template
            for m in metadata {
                template[path: ["metadata", m.field.rawValue, m.key]] = m.to.map(JSONValue.string)
                if template[path: ["metadata", m.field.rawValue]]?.object?.isEmpty == true {
                    template[path: ["metadata", m.field.rawValue]] = nil
                }
            }
            var containers = template[path: ["spec", "containers"]]?.array ?? []
            for i in containers.indices {
                let name = containers[i]["name"]?.string ?? ""
                if let image = images.first(where: { $0.container == name })?.image { containers[i]["image"] = .string(image) }
                for r in resources where r.container == name {
                    containers[i][path: ["resources", r.kind, r.resource]] = .string(r.from)
                }
            }
            template[path: ["spec", "containers"]] = .array(containers)
            if var initContainers = template[path: ["spec", "initContainers"]]?.array {
                for i in initContainers.indices where Pod.isSidecar(initContainers[i]) {
                    let name = initContainers[i]["name"]?.string ?? ""
                    if let image = images.first(where: { $0.container == name })?.image { initContainers[i]["image"] = .string(image) }
                }
                template[path: ["spec", "initContainers"]] = .array(initContainers)
            }
            return template
        case .images(let pairs):
            var template = live.template
            var containers = template[path: ["spec", "containers"]]?.array ?? []
            var initContainers = template[path: ["spec", "initContainers"]]?.array ?? []
            let names = containers.map { $0["name"]?.string ?? "" }
            let initNames = initContainers.map { $0["name"]?.string ?? "" }
            for (container, image) in pairs {
                if container == "*" {
                    for i in containers.indices { containers[i]["image"] = .string(image) }
                } else if let i = names.firstIndex(of: container) {
                    containers[i]["image"] = .string(image)
                } else if let i = initNames.firstIndex(of: container) {
                    initContainers[i]["image"] = .string(image)
                } else {
                    throw TargetError.unknownContainer(target.ref, container: container, available: names + initNames)
                }
            }
            template[path: ["spec", "containers"]] = .array(containers)
            if !initContainers.isEmpty { template[path: ["spec", "initContainers"]] = .array(initContainers) }
            return template
        }
    }
}
