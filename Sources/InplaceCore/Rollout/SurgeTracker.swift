/// The pods a Deployment's surge added, as the rollout's pod list shows them: which still need
/// their gate and deletion cost, whether all are Ready (no original pod leaves service before),
/// and which original pods are not Ready (the replicas are lowered only once none is). Pure.
struct SurgeTracker: Sendable {
    /// Pods the replicas were raised by (0: no surge).
    let count: Int
    /// Uids of the pods the plan saw: a pod of the workload that is not one of them was added.
    let planned: Set<String>
    /// When the surge was made or found (the rollout's monotonic clock).
    let since: Double
    /// When the surge write was last sent to each pod.
    var sent: [String: Double] = [:]
    /// Every surge pod was Ready once: the window may start.
    private(set) var ready: Bool
    /// The surge pods seen.
    private(set) var uids: Set<String> = []

    /// Seconds before a surge write that left no trace on the pod is sent again.
    static let resendSeconds = 5.0

    init(count: Int, planned: Set<String> = [], since: Double = 0) {
        self.count = count
        self.planned = planned
        self.since = since
        ready = count == 0
    }

    /// A surge pod: one carrying the surge's deletion cost, or one the plan did not see.
    func isSurge(_ pod: Pod) -> Bool {
        pod.annotation(InPlace.deletionCostAnnotation) == InPlace.surgeDeletionCost || !planned.contains(pod.uid)
    }

    /// The live surge pods of the workload, by name.
    func members(pods: [String: Pod], owns: (Pod) -> Bool) -> [Pod] {
        pods.values.filter { owns($0) && !$0.isTerminating && isSurge($0) }.sorted { $0.name < $1.name }
    }

    /// Surge pods that still lack the gate condition or the deletion cost, and whose write is not in flight.
    mutating func pending(pods: [String: Pod], owns: (Pod) -> Bool, now: Double) -> [Pod] {
        let all = members(pods: pods, owns: owns)
        uids.formUnion(all.map(\.uid))
        return all.filter { pod in
            let done = pod.conditionIsTrue(InPlace.gateConditionType)
                && pod.annotation(InPlace.deletionCostAnnotation) == InPlace.surgeDeletionCost
            return !done && (sent[pod.name].map { now - $0 >= Self.resendSeconds } ?? true)
        }
    }

    /// True once `count` surge pods are Ready (it stays true).
    mutating func check(pods: [String: Pod], owns: (Pod) -> Bool) -> Bool {
        if !ready && members(pods: pods, owns: owns).filter(\.isReady).count >= count { ready = true }
        return ready
    }

    /// Surge pods not Ready, by name.
    func unready(pods: [String: Pod], owns: (Pod) -> Bool) -> [String] {
        members(pods: pods, owns: owns).filter { !$0.isReady }.map(\.name)
    }

    /// A surge pod whose container the kubelet reports failing in a way waiting will not mend
    /// (`ContainerRestartCheck.failFastReasons`): its name, the reason and the kubelet's message.
    func failing(pods: [String: Pod], owns: (Pod) -> Bool) -> (pod: String, reason: String, message: String)? {
        for pod in members(pods: pods, owns: owns) {
            for status in pod.object[path: ["status", "containerStatuses"]]?.array ?? [] {
                guard let waiting = status[path: ["state", "waiting"]], let reason = waiting["reason"]?.string,
                      ContainerRestartCheck.failFastReasons.contains(reason) else { continue }
                return (pod.name, reason, waiting["message"]?.string ?? "")
            }
        }
        return nil
    }

    /// Original pods of the workload that are not Ready, by name: lowering the replicas now could remove one.
    func unreadyOriginals(pods: [String: Pod], owns: (Pod) -> Bool) -> [String] {
        pods.values.filter { owns($0) && !$0.isTerminating && !isSurge($0) && !$0.isReady }.map(\.name).sorted()
    }
}
