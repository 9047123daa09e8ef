import JSON

/// The mutating admission plugins that shape a new pod: ServiceAccount (serviceAccountName,
/// the projected `kube-api-access-*` token volume and its mount in every container),
/// DefaultTolerationSeconds (not-ready/unreachable NoExecute for 300s) and Priority.
public enum PodAdmission {
    /// Where the service-account token is mounted.
    public static let tokenMountPath = "/var/run/secrets/kubernetes.io/serviceaccount"

    /// Admits a new pod in place; `automountDefault` is the ServiceAccount's automountServiceAccountToken;
    /// `suffix` is the 5-character random suffix of the token volume name.
    public static func admit(_ pod: inout JSONValue, automountDefault: Bool = true, suffix: String) {
        guard var spec = pod["spec"] else { return }
        serviceAccount(&spec, automountDefault: automountDefault, suffix: suffix)
        defaultTolerations(&spec)
        if spec["priority"] == nil { spec["priority"] = 0 }
        if spec["preemptionPolicy"] == nil { spec["preemptionPolicy"] = "PreemptLowerPriority" }
        pod["spec"] = spec
    }

    static func serviceAccount(_ spec: inout JSONValue, automountDefault: Bool, suffix: String) {
        var name = spec["serviceAccountName"]?.string ?? ""
        if name.isEmpty { name = spec["serviceAccount"]?.string ?? "" }
        if name.isEmpty { name = "default" }
        spec["serviceAccountName"] = .string(name)
        spec["serviceAccount"] = .string(name)
        let automount = spec["automountServiceAccountToken"]?.bool ?? automountDefault
        guard automount else { return }
        var volumes = spec["volumes"]?.array ?? []
        var volumeName: String? = volumes.first { v in
            (v["name"]?.string ?? "").hasPrefix("kube-api-access-") && v["projected"] != nil
        }?["name"]?.string
        let containers = (spec["containers"]?.array ?? []) + (spec["initContainers"]?.array ?? [])
        let allMounted = containers.allSatisfy { c in
            (c["volumeMounts"]?.array ?? []).contains { $0["mountPath"]?.string == tokenMountPath }
        }
        if volumeName == nil && !allMounted {
            let n = "kube-api-access-" + suffix
            volumes.append(tokenVolume(name: n))
            spec["volumes"] = .array(volumes)
            volumeName = n
        }
        guard let volumeName else { return }
        for field in ["initContainers", "containers"] {
            guard var list = spec[field]?.array else { continue }
            for i in list.indices {
                var mounts = list[i]["volumeMounts"]?.array ?? []
                if mounts.contains(where: { $0["mountPath"]?.string == tokenMountPath }) { continue }
                mounts.append(["name": .string(volumeName), "readOnly": true, "mountPath": .string(tokenMountPath)])
                list[i]["volumeMounts"] = .array(mounts)
            }
            spec[field] = .array(list)
        }
    }

    /// The projected token volume exactly as the ServiceAccount admission plugin builds it.
    public static func tokenVolume(name: String) -> JSONValue {
        [
            "name": .string(name),
            "projected": [
                "sources": [
                    ["serviceAccountToken": ["expirationSeconds": 3607, "path": "token"]],
                    ["configMap": ["name": "kube-root-ca.crt", "items": [["key": "ca.crt", "path": "ca.crt"]]]],
                    [
                        "downwardAPI": [
                            "items": [["path": "namespace", "fieldRef": ["apiVersion": "v1", "fieldPath": "metadata.namespace"]]]
                        ]
                    ],
                ],
                "defaultMode": 420,
            ],
        ]
    }

    static func defaultTolerations(_ spec: inout JSONValue) {
        var tolerations = spec["tolerations"]?.array ?? []
        for key in ["node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"] {
            let tolerated = tolerations.contains { t in
                let effect = t["effect"]?.string ?? ""
                let tkey = t["key"]?.string ?? ""
                let op = t["operator"]?.string ?? "Equal"
                return (effect.isEmpty || effect == "NoExecute") && (tkey == key || (tkey.isEmpty && op == "Exists"))
            }
            if !tolerated {
                tolerations.append(["key": .string(key), "operator": "Exists", "effect": "NoExecute", "tolerationSeconds": 300])
            }
        }
        spec["tolerations"] = .array(tolerations)
    }
}
