import JSON

/// The priority and scatter rules that order one workload's pods to update, resolved from the flags
/// and the workload's annotations, and the order they give. Pods already not Ready go first (they are
/// out of service anyway); then the priority rule; then, among pods of equal priority, the scatter
/// rule; ties keep the default order (StatefulSet: highest ordinal first; else by name). `plan` shows
/// this order and the rollout follows it.
public struct UpdateOrder: Sendable, Equatable {
    /// Workload annotations that set the rules when no flag does (values as the flags', entries joined by `;`).
    public static let priorityWeightAnnotation = "inplace.kubectl.io/priority-weight"
    public static let priorityOrderAnnotation = "inplace.kubectl.io/priority-order"
    public static let scatterAnnotation = "inplace.kubectl.io/scatter"
    public static let scatterByAnnotation = "inplace.kubectl.io/scatter-by"

    public var priority: UpdatePriority?
    /// Where `priority` came from: the flag (or the record being resumed), the manifest's or the live workload's annotation.
    public var prioritySource: PlanSetting.Source
    public var scatter: UpdateScatter?
    public var scatterSource: PlanSetting.Source
    /// For `scatter-by`: the label's value on each node that carries it, by node name; nil when no node
    /// of the workload's pods carries it (or nodes cannot be read): then the pods' own label is used.
    public var nodeValues: [String: String]?

    public init(priority: UpdatePriority? = nil, prioritySource: PlanSetting.Source = .flag, scatter: UpdateScatter? = nil,
                scatterSource: PlanSetting.Source = .flag, nodeValues: [String: String]? = nil) {
        self.priority = priority
        self.prioritySource = prioritySource
        self.scatter = scatter
        self.scatterSource = scatterSource
        self.nodeValues = nodeValues
    }

    /// True when neither rule is set: the default order.
    public var isDefault: Bool { priority == nil && scatter == nil }

    /// The rules for a workload: each kind from its flag, else the `-f` manifest's annotation, else
    /// the live workload's. Both kinds of priority (or of scatter) in one place is an error.
    public static func resolve(ref: WorkloadRef, options: PlanOptions, manifest: JSONValue?, live: JSONValue) throws(TargetError) -> UpdateOrder {
        var order = UpdateOrder(priority: options.priority, scatter: options.scatter)
        let sources: [(JSONValue, PlanSetting.Source)] = (manifest.map { [($0, .manifest)] } ?? []) + [(live, .workload)]
        if order.priority == nil {
            for (object, source) in sources {
                guard let found = try read(ref, object, priorityWeightAnnotation, UpdatePriority.weights(parsing:),
                                           priorityOrderAnnotation, UpdatePriority.orderKeys(parsing:)) else { continue }
                order.priority = found
                order.prioritySource = source
                break
            }
        }
        if order.scatter == nil {
            for (object, source) in sources {
                guard let found = try read(ref, object, scatterAnnotation, UpdateScatter.terms(parsing:),
                                           scatterByAnnotation, UpdateScatter.by(parsing:)) else { continue }
                order.scatter = found
                order.scatterSource = source
                break
            }
        }
        return order
    }

    /// The rule one object's annotations set (one of two kinds), if any.
    static func read<T>(_ ref: WorkloadRef, _ object: JSONValue, _ first: String, _ parseFirst: (String) throws(UpdateOrderError) -> T,
                        _ second: String, _ parseSecond: (String) throws(UpdateOrderError) -> T) throws(TargetError) -> T? {
        let annotations = object[path: ["metadata", "annotations"]]
        let a = annotations?[first]?.string, b = annotations?[second]?.string
        if a != nil && b != nil { throw .conflictingAnnotations(ref, first, second) }
        guard let (name, text) = a.map({ (first, $0) }) ?? b.map({ (second, $0) }) else { return nil }
        do {
            return name == first ? try parseFirst(text) : try parseSecond(text)
        } catch {
            throw .invalidAnnotation(ref, annotation: name, problem: error.description)
        }
    }

    /// The value of `pod` the priority rule compares: its summed weight, or the integer at the end of
    /// its first ordered key's value (nil: the pod has none of the keys, or the value ends in no integer).
    public func priorityValue(_ pod: PodFacts) -> Int? {
        switch priority {
        case .weights(let terms)?:
            return terms.reduce(0) { sum, t in t.matches(pod.labels) ? sum + t.weight : sum }
        case .orderKeys(let keys)?:
            return orderedKey(pod, keys).map(\.value)
        case nil:
            return nil
        }
    }

    /// The ordered key that ranks `pod`, if any: the first of `keys` whose value ends in an integer.
    public func priorityKey(_ pod: PodFacts) -> String? {
        guard case .orderKeys(let keys)? = priority else { return nil }
        return orderedKey(pod, keys).map { keys[$0.level] }
    }

    /// The group `pod` is scattered in: the `KEY=VALUE` it carries, or its value of the scatter-by
    /// label (nil: none).
    public func scatterValue(_ pod: PodFacts) -> String? {
        switch scatter {
        case .terms(let terms)?: return terms.first { pod.labels[$0.key] == $0.value }?.text
        case .by(let key)?: return nodeValues.map { values in pod.node.flatMap { values[$0] } } ?? pod.labels[key]
        case nil: return nil
        }
    }

    /// `pods` in update order.
    public func sorted(_ pods: [PodFacts], kind: WorkloadKind) -> [PodFacts] {
        let base = Planner.order(pods, kind: kind)
        guard !isDefault else { return base }
        let ranked = base.enumerated().map { (i, pod) in (pod: pod, key: [pod.ready ? 1 : 0] + rank(pod), index: i) }
            .sorted { a, b in a.key != b.key ? a.key.lexicographicallyPrecedes(b.key) : a.index < b.index }
        var out: [PodFacts] = []
        var run: [PodFacts] = []
        var runKey: [Int] = []
        for entry in ranked {
            if entry.key != runKey, !run.isEmpty {
                out += scattered(run)
                run = []
            }
            runKey = entry.key
            run.append(entry.pod)
        }
        return out + scattered(run)
    }

    /// The priority part of a pod's sort key: smaller first.
    func rank(_ pod: PodFacts) -> [Int] {
        switch priority {
        case .weights?: return [-(priorityValue(pod) ?? 0)]
        case .orderKeys(let keys)?:
            guard let found = orderedKey(pod, keys) else { return [Int.max, 0] }
            return [found.level, -found.value]
        case nil: return []
        }
    }

    /// The index of the first of `keys` whose value on the pod ends in an integer, and that integer.
    func orderedKey(_ pod: PodFacts, _ keys: [String]) -> (level: Int, value: Int)? {
        for (level, key) in keys.enumerated() {
            if let value = pod.labels[key].flatMap(Self.trailingInteger) { return (level, value) }
        }
        return nil
    }

    /// The integer at the end of a label value (`rack-12` → 12); nil when it ends in no digit (or
    /// the digits do not fit an Int).
    static func trailingInteger(_ value: String) -> Int? {
        let digits = value.reversed().prefix { $0.isASCII && $0.isNumber }
        return digits.isEmpty ? nil : Int(String(digits.reversed()))
    }

    /// One run of pods of equal priority, scattered.
    func scattered(_ run: [PodFacts]) -> [PodFacts] {
        guard run.count > 1 else { return run }
        switch scatter {
        case .terms?: return spread(run)
        case .by?: return interleaved(run)
        case nil: return run
        }
    }

    /// Each group (a term's pods, and the pods matching none) spread evenly over the run: the j-th of
    /// a group of k takes the place (j + ½)/k of the way through, keeping the order within the group.
    func spread(_ run: [PodFacts]) -> [PodFacts] {
        var groups: [String: [Int]] = [:]
        for (i, pod) in run.enumerated() { groups[scatterValue(pod) ?? "", default: []].append(i) }
        var place = [Double](repeating: 0, count: run.count)
        for members in groups.values {
            for (j, i) in members.enumerated() { place[i] = (Double(j) + 0.5) / Double(members.count) }
        }
        return run.indices.sorted { place[$0] != place[$1] ? place[$0] < place[$1] : $0 < $1 }.map { run[$0] }
    }

    /// Round robin over the label's values (pods without it form one more group), groups in the order
    /// their first pod comes: no value loses a second pod before every value has lost one.
    func interleaved(_ run: [PodFacts]) -> [PodFacts] {
        var order: [String?] = []
        var groups: [String?: [PodFacts]] = [:]
        for pod in run {
            let value = scatterValue(pod)
            if groups[value] == nil { order.append(value) }
            groups[value, default: []].append(pod)
        }
        var out: [PodFacts] = []
        var round = 0
        while out.count < run.count {
            for value in order where round < groups[value]!.count { out.append(groups[value]![round]) }
            round += 1
        }
        return out
    }

    /// What ordered the pods, for `plan`: `priority-weight 100:track=canary (flag), then scatter-by zone (node label, workload)`.
    public var summary: String {
        var parts: [String] = []
        if let priority {
            parts.append("\(priority.flagName) \(priority.text.replacingSemicolons) (\(prioritySource.rawValue))")
        }
        if let scatter {
            switch scatter {
            case .by(let key):
                parts.append("scatter-by \(key) (\(nodeValues == nil ? "pod label" : "node label"), \(scatterSource.rawValue))")
            case .terms:
                parts.append("scatter \(scatter.text.replacingSemicolons) (\(scatterSource.rawValue))")
            }
        }
        return parts.joined(separator: ", then ")
    }
}

extension String {
    /// `a;b` as `a, b`, for reading.
    fileprivate var replacingSemicolons: String { split(separator: ";").joined(separator: ", ") }
}
