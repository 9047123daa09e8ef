import JSON

/// The workload's own guards, which `--max-unavailable` and `--partition` default to: the `-f`
/// manifest's strategy where it states one, else the live workload's (or, while a rollout holds a
/// StatefulSet or DaemonSet on OnDelete, the strategy that rollout recorded as the workload's own).
public struct WorkloadStrategy: Sendable, Equatable {
    /// The workload's maxUnavailable (nil: it states none).
    public var maxUnavailable: PlanSetting?
    /// A StatefulSet's `rollingUpdate.partition` (nil: it states none).
    public var partition: PlanSetting?
    /// A Deployment whose maxUnavailable and maxSurge both resolve to 0 cannot be updated without
    /// surging: recorded so the plan can say so.
    public var maxSurge: IntOrPercent?
    /// The strategy's type when it is not RollingUpdate (Recreate, OnDelete): it states no guard.
    public var type: String?

    public init(maxUnavailable: PlanSetting? = nil, partition: PlanSetting? = nil, maxSurge: IntOrPercent? = nil,
                type: String? = nil) {
        self.type = type
        self.maxUnavailable = maxUnavailable
        self.partition = partition
        self.maxSurge = maxSurge
    }

    /// The strategy of a `kind` workload: the manifest's fields first, then the live object's.
    /// A manifest whose strategy is not RollingUpdate (Recreate, OnDelete) states no guard at all.
    public static func of(kind: WorkloadKind, manifest: JSONValue?, live: JSONValue) -> WorkloadStrategy {
        if let type = manifest.flatMap({ strategyObject(kind: kind, object: $0) })?["type"]?.string, type != "RollingUpdate" {
            return WorkloadStrategy(type: type)
        }
        let fromManifest = manifest.map { read(kind: kind, strategy: strategyObject(kind: kind, object: $0), source: .manifest) }
        let fromLive = read(kind: kind, strategy: liveStrategy(kind: kind, live: live), source: .workload)
        return WorkloadStrategy(
            maxUnavailable: fromManifest?.maxUnavailable ?? fromLive.maxUnavailable,
            partition: fromManifest?.partition ?? fromLive.partition,
            maxSurge: fromManifest?.maxSurge ?? fromLive.maxSurge, type: fromManifest?.type ?? fromLive.type)
    }

    /// `spec.strategy` of a Deployment, `spec.updateStrategy` of a StatefulSet or DaemonSet.
    static func strategyObject(kind: WorkloadKind, object: JSONValue) -> JSONValue? {
        switch kind {
        case .deployment: return object[path: ["spec", "strategy"]]
        case .statefulSet, .daemonSet: return object[path: ["spec", "updateStrategy"]]
        case .pod: return nil
        }
    }

    /// The live strategy; a StatefulSet or DaemonSet that a rollout switched to OnDelete has its own
    /// in the rollout record (`previous.updateStrategy`).
    static func liveStrategy(kind: WorkloadKind, live: JSONValue) -> JSONValue? {
        let strategy = strategyObject(kind: kind, object: live)
        guard kind == .statefulSet || kind == .daemonSet, strategy?["type"]?.string == "OnDelete",
              let recorded = RolloutRecord(workload: live)?.previous["updateStrategy"], recorded.object != nil else { return strategy }
        return recorded
    }

    static func read(kind: WorkloadKind, strategy: JSONValue?, source: PlanSetting.Source) -> WorkloadStrategy {
        guard let strategy else { return WorkloadStrategy() }
        let type = strategy["type"]?.string ?? "RollingUpdate"
        guard type == "RollingUpdate" else { return WorkloadStrategy(type: type) }
        let rolling = strategy["rollingUpdate"]
        let maxUnavailable = IntOrPercent(json: rolling?["maxUnavailable"]).map { PlanSetting($0, source: source) }
        let partition = kind == .statefulSet ? IntOrPercent(json: rolling?["partition"]).map { PlanSetting($0, source: source) } : nil
        let maxSurge = kind == .deployment ? IntOrPercent(json: rolling?["maxSurge"]) : nil
        return WorkloadStrategy(maxUnavailable: maxUnavailable, partition: partition, maxSurge: maxSurge)
    }
}
