import JSON

/// What the planner needs to know about one live pod, reduced from the full object as pages arrive
/// so that planning 10,000 pods does not keep 10,000 pod objects in memory.
public struct PodFacts: Sendable, Equatable {
    public var name: String
    public var uid: String
    public var ordinal: Int?
    public var ready: Bool
    public var terminating: Bool
    public var hasGate: Bool
    /// The pod has the gate in its spec but no `InPlaceUpdateReady` condition at all.
    public var gateConditionMissing: Bool
    public var difference: SpecDifference
    /// The node the pod runs on.
    public var node: String?
    /// The pod's labels (what the priority and scatter rules read).
    public var labels: [String: String] = [:]

    public init(name: String, uid: String = "", ordinal: Int? = nil, ready: Bool = true, terminating: Bool = false,
                hasGate: Bool = true, gateConditionMissing: Bool = false, difference: SpecDifference = SpecDifference()) {
        self.name = name
        self.uid = uid
        self.ordinal = ordinal
        self.ready = ready
        self.terminating = terminating
        self.hasGate = hasGate
        self.gateConditionMissing = gateConditionMissing
        self.difference = difference
    }

    /// What planning reads of a live pod: all of it but managedFields and the status beyond its
    /// conditions (the spec is compared whole; container statuses are most of the status). The
    /// parts the pods of one template repeat byte for byte (owner, probes, environment, tolerations,
    /// the service account volume's sources) are built once for a list of them.
    public static let projection = JSONProjection(dropping: [
        ["metadata", "managedFields"],
        ["status", "containerStatuses"], ["status", "initContainerStatuses"], ["status", "ephemeralContainerStatuses"],
        ["status", "podIPs"], ["status", "hostIPs"], ["status", "hostIP"], ["status", "qosClass"], ["status", "startTime"],
        ["status", "conditions", "lastProbeTime"], ["status", "conditions", "lastTransitionTime"],
    ], sharingAcross: templateParts)

    /// The members of a pod that its template gives it unchanged (a container's mounts name the
    /// pod's own token volume, so the containers themselves are not among them).
    static let templateParts: [[String]] = [
        ["metadata", "ownerReferences"],
        ["spec", "tolerations"], ["spec", "affinity"], ["spec", "topologySpreadConstraints"], ["spec", "securityContext"],
        ["spec", "nodeSelector"], ["spec", "imagePullSecrets"], ["spec", "dnsConfig"], ["spec", "hostAliases"],
        ["spec", "volumes", "projected"], ["spec", "volumes", "configMap"], ["spec", "volumes", "secret"],
    ] + ["containers", "initContainers"].flatMap { list in
        ["env", "envFrom", "ports", "resources", "readinessProbe", "livenessProbe", "startupProbe", "lifecycle",
         "securityContext", "command", "args"].map { ["spec", list, $0] }
    }

    /// Reduces a live pod against the desired template of a `kind` workload; `previous` and
    /// `selector` as in `PodSpecComparison.compare`.
    public init(pod: Pod, template: JSONValue, kind: WorkloadKind, previous: JSONValue? = nil, selector: LabelSelector? = nil) {
        self.init(pod: pod, kind: kind, difference: PodSpecComparison.compare(
            template: template, pod: pod.object, kind: kind, previous: previous, selector: selector))
    }

    /// Reduces a live pod against the template of `cache` (as `init(pod:template:...)` does).
    public init(pod: Pod, kind: WorkloadKind, previous: JSONValue? = nil, selector: LabelSelector? = nil,
                cache: inout SpecComparisonCache) {
        self.init(pod: pod, kind: kind, difference: PodSpecComparison.compare(
            pod: pod.object, kind: kind, previous: previous, selector: selector, cache: &cache))
    }

    private init(pod: Pod, kind: WorkloadKind, difference: SpecDifference) {
        let hasGate = pod.hasReadinessGate()
        self.init(
            name: pod.name,
            uid: pod.uid,
            ordinal: kind == .statefulSet ? pod.ordinal : nil,
            ready: pod.isReady,
            terminating: pod.isTerminating,
            hasGate: hasGate,
            gateConditionMissing: hasGate && pod.condition(InPlace.gateConditionType) == nil,
            difference: difference)
        node = pod.nodeName
        labels = pod.labels
    }
}
