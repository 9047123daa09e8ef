import JSON

/// What the API server and its admission plugins add to a pod that its template did not say.
///
/// Sources: pkg/apis/core/v1/defaults.go (SetDefaults_PodSpec, _Container, _Probe, _HTTPGetAction,
/// _ContainerPort, _ObjectFieldSelector, _SecretVolumeSource, ...), the ServiceAccount, Priority and
/// DefaultTolerationSeconds admission plugins, the scheduler (nodeName) and the StatefulSet and
/// DaemonSet controllers (hostname, subdomain, node affinity and tolerations).
enum ServerDefaults {
    /// Field → value the server fills in when the template leaves it out. Keys are schema paths
    /// relative to the pod spec, with `[]` for list elements.
    static let values: [String: JSONValue] = [
        "dnsPolicy": "ClusterFirst",
        "restartPolicy": "Always",
        "terminationGracePeriodSeconds": 30,
        "schedulerName": "default-scheduler",
        "enableServiceLinks": true,
        "serviceAccountName": "default",
        "containers[].terminationMessagePath": "/dev/termination-log",
        "containers[].terminationMessagePolicy": "File",
        "containers[].ports[].protocol": "TCP",
        "containers[].env[].valueFrom.fieldRef.apiVersion": "v1",
        "initContainers[].terminationMessagePath": "/dev/termination-log",
        "initContainers[].terminationMessagePolicy": "File",
        "initContainers[].ports[].protocol": "TCP",
        "initContainers[].env[].valueFrom.fieldRef.apiVersion": "v1",
        "volumes[].secret.defaultMode": 420,
        "volumes[].configMap.defaultMode": 420,
        "volumes[].downwardAPI.defaultMode": 420,
        "volumes[].downwardAPI.items[].fieldRef.apiVersion": "v1",
        "volumes[].projected.defaultMode": 420,
        "volumes[].projected.sources[].downwardAPI.items[].fieldRef.apiVersion": "v1",
        "volumes[].projected.sources[].serviceAccountToken.expirationSeconds": 3600,
        "volumes[].hostPath.type": "",
        "volumes[].iscsi.iscsiInterface": "default",
        "volumes[].azureDisk.cachingMode": "ReadWrite",
        "volumes[].azureDisk.fsType": "ext4",
        "volumes[].azureDisk.readOnly": false,
        "volumes[].azureDisk.kind": "Shared",
        "volumes[].rbd.pool": "rbd",
        "volumes[].rbd.user": "admin",
        "volumes[].rbd.keyring": "/etc/ceph/keyring",
        "volumes[].scaleIO.storageMode": "ThinProvisioned",
        "volumes[].scaleIO.fsType": "xfs",
    ]

    /// Fields the cluster sets on pods whatever their value (scheduler, admission, controllers).
    static let anyValue: Set<String> = [
        "nodeName", "priority", "preemptionPolicy", "serviceAccount", "hostname", "subdomain", "overhead",
        "containers[].imagePullPolicy", "initContainers[].imagePullPolicy", "ephemeralContainers",
    ]

    /// Probe fields defaulted by SetDefaults_Probe and SetDefaults_HTTPGetAction.
    static let probeDefaults: [String: JSONValue] = [
        "timeoutSeconds": 1, "periodSeconds": 10, "successThreshold": 1, "failureThreshold": 3,
        "httpGet.scheme": "HTTP", "httpGet.path": "/",
    ]

    /// Lifecycle handler fields defaulted like probes' HTTP actions.
    static let handlerDefaults: [String: JSONValue] = ["httpGet.scheme": "HTTP", "httpGet.path": "/"]

    /// Toleration keys added by DefaultTolerationSeconds and the DaemonSet controller.
    static let systemTolerationKeys: Set<String> = [
        "node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable", "node.kubernetes.io/disk-pressure",
        "node.kubernetes.io/memory-pressure", "node.kubernetes.io/pid-pressure",
        "node.kubernetes.io/unschedulable", "node.kubernetes.io/network-unavailable",
    ]

    /// Where the ServiceAccount admission plugin mounts the projected token volume.
    static let serviceAccountMountPath = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// True for the `kube-api-access-xxxxx` volume the ServiceAccount admission plugin adds.
    static func isServiceAccountVolume(_ volume: JSONValue) -> Bool {
        guard let name = volume["name"]?.string else { return false }
        return name.hasPrefix("kube-api-access-") && volume["projected"] != nil
    }

    /// The value the server would have filled in at `schema` when the template omitted it.
    static func defaultValue(at schema: String) -> JSONValue? {
        if let v = values[schema] { return v }
        for (prefix, defaults) in defaultedPrefixes where SchemaPath.hasPrefix(schema, prefix) {
            return defaults[String(schema.dropFirst(prefix.count))]
        }
        return nil
    }

    /// The probe and lifecycle handler paths whose fields default (`containers[].readinessProbe.`),
    /// with those fields' defaults.
    private static let defaultedPrefixes: [(String, [String: JSONValue])] =
        ["livenessProbe", "readinessProbe", "startupProbe"].flatMap { probe in
            ["containers[]", "initContainers[]"].map { ("\($0).\(probe).", probeDefaults) }
        } + ["postStart", "preStop"].flatMap { hook in
            ["containers[]", "initContainers[]"].map { ("\($0).lifecycle.\(hook).", handlerDefaults) }
        }
}
