import JSON

/// The PodDisruptionBudgets of a workload's namespace as a rollout's watches show them: the budget
/// objects (one watch of the namespace's budgets) and, for each budget that selects the workload,
/// the pods it selects outside the workload (one watch per budget, by its selector). A budget
/// created, changed or deleted, and another workload's pod going unready or coming back, change the
/// budgets the window counts from the next decision on. Pure: the caller opens the watches it asks
/// for and passes their events in; the budgets are recomputed from what they show.
public struct LiveDisruptionBudgets: Sendable {
    /// A pod a budget selects outside the workload, as the budget counts it.
    public struct Other: Sendable, Equatable {
        /// Ready (the budget's currentHealthy counts it unless it is terminating).
        public var ready: Bool
        /// Being deleted.
        public var terminating: Bool
    }

    /// The pods watch of one budget: which watch (a serial, so a stopped watch's late events are
    /// ignored), over which selector, and the pods it listed (nil until it listed them).
    struct Selected: Sendable {
        var serial: Int
        var selector: String
        var pods: [String: Other]?
    }

    /// A pods watch to open: for `budget`, over `selector` (query syntax), numbered `serial`.
    public struct Opening: Sendable, Equatable {
        public var budget: String
        public var selector: String
        public var serial: Int
    }

    /// The workload's controllers (uids): their pods are the window's own, never another's.
    public let owners: Set<String>
    /// The labels of the template the workload's pods end up with.
    public let templateLabels: [String: String]
    /// The budget objects by name; nil until the budget watch listed them.
    public private(set) var objects: [String: JSONValue]?
    private var selected: [String: Selected] = [:]
    private var nextSerial = 0

    /// No budgets known yet, for the workload whose controllers are `owners` and whose template has `templateLabels`.
    public init(owners: Set<String>, templateLabels: [String: String]) {
        self.owners = owners
        self.templateLabels = templateLabels
    }

    /// An event of the namespace's budget watch.
    public mutating func apply(budgets event: ClusterWatchEvent) {
        switch event {
        case .synced(let items):
            objects = Dictionary(items.map { (Self.name($0), $0) }, uniquingKeysWith: { _, b in b })
        case .added(let o), .modified(let o):
            objects?[Self.name(o)] = o
        case .deleted(let o):
            objects?[Self.name(o)] = nil
        case .failed:
            break
        }
    }

    /// An event of the pods watch `serial` of `budget`; pods of the workload and pods the selector
    /// does not match (a server that ignored it) are not the budget's others.
    public mutating func apply(pods event: ClusterWatchEvent, budget: String, serial: Int) {
        guard var entry = selected[budget], entry.serial == serial else { return }
        let selector = objects?[budget]?[path: ["spec", "selector"]].map(LabelSelector.init)
        func other(_ o: JSONValue) -> (String, Other)? {
            let pod = Pod(o)
            guard !owners.contains(pod.controllerUID ?? ""), selector?.matches(pod.labels) ?? false,
                  pod.phase != "Succeeded", pod.phase != "Failed" else { return nil }
            return (pod.name, Other(ready: pod.isReady, terminating: pod.isTerminating))
        }
        switch event {
        case .synced(let items):
            entry.pods = Dictionary(items.compactMap(other), uniquingKeysWith: { _, b in b })
        case .added(let o), .modified(let o):
            guard entry.pods != nil else { return }
            if let (name, o) = other(o) { entry.pods?[name] = o } else { entry.pods?[Pod(o).name] = nil }
        case .deleted(let o):
            entry.pods?[Pod(o).name] = nil
        case .failed:
            return
        }
        selected[budget] = entry
    }

    /// Which pods watches to open and which to stop now, for the workload's pods' `labels`: every
    /// budget that selects one of them or the template has one, over its current selector. The
    /// watches returned as opened are expected from then on (their events carry their serial).
    public mutating func reconcile(labels: [[String: String]]) -> (open: [Opening], stop: [String]) {
        var wanted: [String: String] = [:]
        for (name, o) in objects ?? [:] {
            guard let json = o[path: ["spec", "selector"]], json != .null else { continue }
            let selector = LabelSelector(json)
            if selector.matches(templateLabels) || labels.contains(where: selector.matches) { wanted[name] = selector.queryString }
        }
        var stop: [String] = []
        for name in selected.keys.sorted() where wanted[name] != selected[name]?.selector {
            selected[name] = nil
            stop.append(name)
        }
        var open: [Opening] = []
        for (name, selector) in wanted.sorted(by: { $0.key < $1.key }) where selected[name] == nil {
            nextSerial += 1
            selected[name] = Selected(serial: nextSerial, selector: selector)
            open.append(Opening(budget: name, selector: selector, serial: nextSerial))
        }
        return (open, stop)
    }

    /// The budgets that select the workload's `pods` now (`replicas`: the workload's scale, for
    /// percentages), each counting its other pods as listed; nil while a watch has not listed yet.
    public func budgets(pods: [(name: String, labels: [String: String], ready: Bool)], replicas: Int) -> [DisruptionBudget]? {
        guard let objects else { return nil }
        var out: [DisruptionBudget] = []
        for name in objects.keys.sorted() {
            let o = objects[name]!
            guard let json = o[path: ["spec", "selector"]], json != .null else { continue }
            let selector = LabelSelector(json)
            guard pods.contains(where: { selector.matches($0.labels) }) else { continue }
            guard let entry = selected[name], entry.selector == selector.queryString, let others = entry.pods else { return nil }
            if let budget = DisruptionBudget.of(o, workloadPods: pods, otherPods: others.mapValues { ($0.ready, $0.terminating) },
                                                replicas: replicas, templateLabels: templateLabels) {
                out.append(budget)
            }
        }
        return out
    }

    private static func name(_ o: JSONValue) -> String { o[path: ["metadata", "name"]]?.string ?? "" }
}
