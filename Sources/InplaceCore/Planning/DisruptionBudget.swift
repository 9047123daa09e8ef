import JSON

/// A policy/v1 PodDisruptionBudget as a rollout counts it: how many of the pods it selects must
/// stay healthy (computed as the disruption controller does, behaviour.md C6), the healthy pods it
/// selects outside the workload, and which of the workload's pods it selects. Taking a Ready pod out
/// of service is a voluntary disruption: the window lets one go only while every budget selecting
/// it keeps its desired healthy count.
public struct DisruptionBudget: Sendable, Equatable {
    /// The budget's name.
    public var name: String
    /// `minAvailable 5`, `maxUnavailable 25%`: the spec, for messages.
    public var rule: String
    /// Pods it keeps healthy.
    public var desiredHealthy: Int
    /// Healthy pods it selects that are not the workload's (as the plan saw them).
    public var otherHealthy: Int
    /// The workload's pods it selects, by name.
    public var pods: Set<String>
    /// It selects the workload's pod template, so every pod of the workload (a surge's too) counts.
    public var selectsAll: Bool
    /// The healthy pods outside the workload it counts, by name, when they are known one by one (the
    /// rollout's watches): a pod another workload of the invocation took out is then unhealthy once,
    /// whether the ledger or the pod's readiness shows it. Nil: only their number is known (`plan`).
    public var healthyOthers: Set<String>?

    public init(name: String, rule: String, desiredHealthy: Int, otherHealthy: Int = 0, pods: Set<String> = [], selectsAll: Bool = false,
                healthyOthers: Set<String>? = nil) {
        self.name = name
        self.rule = rule
        self.desiredHealthy = desiredHealthy
        self.otherHealthy = healthyOthers?.count ?? otherHealthy
        self.pods = pods
        self.selectsAll = selectsAll
        self.healthyOthers = healthyOthers
    }

    /// The budget `object` over the workload's pods (name → labels, and whether each is Ready), the
    /// other pods it selects (Ready or not), the workload's replicas and template labels; nil when
    /// it selects none of the workload's pods (or has a null selector, which selects nothing).
    public static func of(_ object: JSONValue, workloadPods: [(name: String, labels: [String: String], ready: Bool)],
                          others: [(ready: Bool, terminating: Bool)], replicas: Int, templateLabels: [String: String]) -> DisruptionBudget? {
        guard let selectorJSON = object[path: ["spec", "selector"]], selectorJSON != .null else { return nil }
        let selector = LabelSelector(selectorJSON)
        let mine = workloadPods.filter { selector.matches($0.labels) }
        guard !mine.isEmpty else { return nil }
        let otherHealthy = others.filter { $0.ready && !$0.terminating }.count
        let name = object[path: ["metadata", "name"]]?.string ?? ""
        let minAvailable = IntOrPercent(json: object[path: ["spec", "minAvailable"]])
        let maxUnavailable = IntOrPercent(json: object[path: ["spec", "maxUnavailable"]])
        let desired: Int
        let rule: String
        if let m = minAvailable, case .count(let n) = m {
            desired = n
            rule = "minAvailable \(m)"
        } else {
            let expected = replicas + others.count
            if let m = minAvailable {
                desired = m.resolve(total: expected, roundUp: true)
                rule = "minAvailable \(m) of \(expected)"
            } else if let m = maxUnavailable {
                desired = max(0, expected - m.resolve(total: expected, roundUp: true))
                rule = "maxUnavailable \(m) of \(expected)"
            } else {
                desired = 0
                rule = "no minimum"
            }
        }
        return DisruptionBudget(name: name, rule: rule, desiredHealthy: desired, otherHealthy: otherHealthy,
                                pods: Set(mine.map(\.name)),
                                selectsAll: mine.count == workloadPods.count && selector.matches(templateLabels))
    }

    /// `of`, over the other pods it selects known by name (`healthyOthers` set from them).
    public static func of(_ object: JSONValue, workloadPods: [(name: String, labels: [String: String], ready: Bool)],
                          otherPods: [String: (ready: Bool, terminating: Bool)], replicas: Int,
                          templateLabels: [String: String]) -> DisruptionBudget? {
        guard var budget = of(object, workloadPods: workloadPods, others: Array(otherPods.values), replicas: replicas,
                              templateLabels: templateLabels) else { return nil }
        budget.healthyOthers = Set(otherPods.lazy.filter { $0.value.ready && !$0.value.terminating }.map(\.key))
        return budget
    }

    /// Whether it counts the pod `name` (the workload's, a surge's when it selects every pod).
    public func counts(_ name: String) -> Bool { selectsAll || pods.contains(name) }

    /// Disruptions it allows with `healthy` of the workload's pods it counts healthy.
    public func allowed(healthy: Int) -> Int { otherHealthy + healthy - desiredHealthy }
}
