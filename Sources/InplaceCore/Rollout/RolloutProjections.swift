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
      + ["containers", "initContainers"].flatMap { list in unreadContainerFields.map { ["spec", list, $0] } })

    /// An EndpointSlice as the drain reads it: its digest (`EndpointSliceDigest`), made from its
    /// bytes without building its endpoints.
    public static let endpointSlice = JSONProjection(digest: EndpointSliceDigest.read)
}
