import JSON

/// What a rollout reads of the objects it watches and writes once the plan is made, as projections
/// for the parser: the members it never reads are passed over unbuilt in every watch event and write
/// response. The planner reads whole pods.
public enum RolloutProjections {
    /// Container fields a rollout never reads (of spec containers, init containers and sidecars).
    static let unreadContainerFields = [
        "command", "args", "env", "envFrom", "ports", "volumeMounts", "volumeDevices", "livenessProbe", "readinessProbe",
        "startupProbe", "lifecycle", "securityContext", "terminationMessagePath", "terminationMessagePolicy", "workingDir",
        "imagePullPolicy", "stdin", "tty",
    ]

    /// Pod spec fields a rollout never reads: scheduling and identity settings.
    static let unreadSpecFields = [
        "volumes", "tolerations", "affinity", "topologySpreadConstraints", "imagePullSecrets", "hostAliases", "dnsConfig",
        "securityContext", "dnsPolicy", "enableServiceLinks", "preemptionPolicy", "priority", "priorityClassName",
        "schedulerName", "serviceAccount", "serviceAccountName", "automountServiceAccountToken", "terminationGracePeriodSeconds",
        "nodeSelector", "hostname", "subdomain", "runtimeClassName", "overhead",
    ]

    /// A pod as a rollout reads it: metadata (less managedFields), container names, images,
    /// resources, resize and restart policies, readiness gates, node, and status. The rest (volumes,
    /// tolerations, probes, environment, mounts, scheduling settings: most of a pod's bytes, and
    /// managedFields more than all of them on a real server) is dropped.
    public static let pod = JSONProjection(dropping: [
        ["metadata", "managedFields"],
        ["status", "podIPs"], ["status", "hostIPs"], ["status", "hostIP"], ["status", "qosClass"], ["status", "startTime"],
        ["status", "conditions", "lastProbeTime"],
        ["status", "containerStatuses", "volumeMounts"], ["status", "initContainerStatuses", "volumeMounts"],
    ] + unreadSpecFields.map { ["spec", $0] }
      + ["containers", "initContainers"].flatMap { list in unreadContainerFields.map { ["spec", list, $0] } },
      sharing: ownPodMembers, sharingAcross: alikePodMembers, identity: ["metadata", "name"])

    /// The parts of a pod that most of its watch events repeat (one event changes a condition, the
    /// next a container's status, one in eight the spec), taken from the watch's subtree cache when
    /// their bytes did: these are the pod's own (its node, container IDs and update record are in them).
    static let ownPodMembers = [
        ["spec"], ["metadata", "annotations"], ["status", "containerStatuses"], ["status", "initContainerStatuses"],
    ]

    /// The parts of a pod that other pods repeat: the owner and labels of a workload's pods, and
    /// conditions (their times are in seconds: pods that changed together read the same).
    static let alikePodMembers = [["metadata", "ownerReferences"], ["metadata", "labels"], ["status", "conditions"]]

    /// An EndpointSlice as the drain reads it: its digest (`EndpointSliceDigest`), made from its
    /// bytes without building its endpoints.
    public static let endpointSlice = JSONProjection(digest: EndpointSliceDigest.read)

    /// A pod write's answer as the rollout reads it: which version of which pod the write made
    /// (`{"metadata": {name, namespace, uid, resourceVersion}}`). The pod itself is read from the
    /// watch, which delivers that version too; the answer is not built a second time, and is read
    /// only up to its metadata (the API server writes it before the spec and status). It reads
    /// nothing else, so the client asks for the metadata alone (`PartialObjectMetadata`).
    public static let writtenPod = JSONProjection(digest: { (s: inout JSONScanner) throws(JSONParseError) -> JSONValue in
        var members: [JSONObject.Member] = []
        try s.members { s, key throws(JSONParseError) in
            guard key == "metadata" else { return }
            try s.members { s, key throws(JSONParseError) in
                switch key {
                case "name", "namespace", "uid", "resourceVersion":
                    if let value = try s.string() { members.append(.init(key: key.string, value: .string(value))) }
                    if members.count == 4 { s.leaveRest() }  // the rest of the metadata (managedFields) is not needed
                default: break
                }
            }
            s.leaveRest()
        }
        return ["metadata": .object(JSONObject(uncheckedMembers: members))]
    }, reading: ["metadata"])
}
