import JSON

/// The watches behind `LiveDisruptionBudgets` for one rollout: the namespace's policy/v1
/// PodDisruptionBudgets, and the pods of each budget that selects the workload (opened, moved and
/// stopped as budgets come, change and go). Through a `SharedWatchCluster` each is a share of the
/// invocation's one watch of the namespace's budgets and of its pods (projected as the rollout's own
/// pod watch is, so it is the same watch). Events go to `post`; the
/// rollout passes them back to `apply` on its own thread (not `Sendable`: its state is that thread's).
final class BudgetWatch {
    /// What the watches saw.
    enum Event: Sendable {
        case budgets(ClusterWatchEvent)
        case pods(budget: String, serial: Int, ClusterWatchEvent)
    }

    let cluster: any ClusterAPI
    let namespace: String
    private(set) var live: LiveDisruptionBudgets
    /// The budgets must be computed again (something they count changed).
    var dirty = true
    private let post: @Sendable (Event) -> Void
    private var budgetWatch: (any WatchStopping)?
    private var podWatches: [String: any WatchStopping] = [:]

    init(cluster: any ClusterAPI, namespace: String, owners: Set<String>, templateLabels: [String: String],
         post: @escaping @Sendable (Event) -> Void) {
        self.cluster = cluster
        self.namespace = namespace
        self.post = post
        live = LiveDisruptionBudgets(owners: owners, templateLabels: templateLabels)
    }

    /// The namespace has budgets (the workload's pods' labels matter to them); false until they are listed.
    var hasBudgets: Bool { !(live.objects?.isEmpty ?? true) }

    /// Opens the watch of the namespace's budgets.
    func start() {
        budgetWatch = cluster.watch(APIResource.podDisruptionBudgets.path(namespace: namespace), labelSelector: nil,
                                    fieldSelector: nil) { [post] in post(.budgets($0)) }
    }

    /// Takes in an event; returns the failure that leaves the rollout blind to the budgets, if any.
    /// A server without policy/v1 (404) has no budgets.
    func apply(_ event: Event) -> ClusterOperationError? {
        dirty = true
        switch event {
        case .budgets(.failed(let e)) where e.kind == .notFound:
            live.apply(budgets: .synced([]))
        case .budgets(.failed(let e)), .pods(_, _, .failed(let e)):
            return e
        case .budgets(let e):
            live.apply(budgets: e)
        case .pods(let budget, let serial, let e):
            live.apply(pods: e, budget: budget, serial: serial)
        }
        return nil
    }

    /// The budgets selecting the workload's `pods` (its own, not terminating) now, with the workload
    /// at `replicas`; the pods watches follow the budgets first. Nil while a watch has not listed.
    func budgets(pods: [Pod], replicas: Int?) -> [DisruptionBudget]? {
        let facts = pods.map { (name: $0.name, labels: $0.labels, ready: $0.isReady) }
        let (open, stop) = live.reconcile(labels: facts.map(\.labels))
        for name in stop { podWatches.removeValue(forKey: name)?.stop() }
        for o in open {
            let owners = live.owners
            podWatches[o.budget] = cluster.watch("/api/v1/namespaces/\(namespace)/pods", labelSelector: o.selector, fieldSelector: nil,
                                                 keeping: RolloutProjections.pod) { [post] event in
                if let event = Self.others(event, owners: owners) { post(.pods(budget: o.budget, serial: o.serial, event)) }
            }
        }
        dirty = false
        return live.budgets(pods: facts, replicas: replicas ?? facts.count)
    }

    /// The event without the workload's own pods (their events come through the rollout's pod watch);
    /// nil when nothing is left.
    private static func others(_ event: ClusterWatchEvent, owners: Set<String>) -> ClusterWatchEvent? {
        func other(_ o: JSONValue) -> Bool { !owners.contains(Pod(o).controllerUID ?? "") }
        switch event {
        case .synced(let items): return .synced(items.filter(other))
        case .added(let o), .modified(let o), .deleted(let o): return other(o) ? event : nil
        case .failed: return event
        }
    }

    /// Whether the workload's pod `new` may count differently under the budgets than `old` did (its
    /// labels or its deletion changed); its readiness the window counts itself.
    static func counts(differently old: Pod, _ new: Pod) -> Bool {
        old.object[path: ["metadata", "labels"]] != new.object[path: ["metadata", "labels"]] || old.isTerminating != new.isTerminating
    }

    /// Stops every watch.
    func stop() {
        budgetWatch?.stop()
        for w in podWatches.values { w.stop() }
        podWatches = [:]
    }
}
