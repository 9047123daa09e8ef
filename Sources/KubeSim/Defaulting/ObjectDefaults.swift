import JSON

/// The decoder defaults of every served kind (core/v1 and apps/v1 defaults.go), applied to an
/// object on create, update and patch, before admission and validation.
public enum ObjectDefaults {
    /// Defaults `obj` of `resource` in place.
    public static func apply(_ resource: ResourceType, _ obj: inout JSONValue) {
        switch resource.resource {
        case "pods":
            if var spec = obj["spec"] {
                PodSpecDefaults.apply(&spec)
                obj["spec"] = spec
            }
        case "deployments": deployment(&obj)
        case "replicasets":
            if obj[path: ["spec", "replicas"]] == nil { obj[path: ["spec", "replicas"]] = 1 }
            template(&obj)
        case "statefulsets": statefulSet(&obj)
        case "daemonsets": daemonSet(&obj)
        case "services": service(&obj)
        case "namespaces":
            if obj[path: ["spec", "finalizers"]] == nil { obj[path: ["spec", "finalizers"]] = ["kubernetes"] }
            if obj[path: ["status", "phase"]] == nil { obj[path: ["status", "phase"]] = "Active" }
        case "secrets":
            if obj["type"] == nil { obj["type"] = "Opaque" }
        default: break
        }
    }

    /// Defaults the pod template of a workload (`spec.template`).
    static func template(_ obj: inout JSONValue) {
        guard obj[path: ["spec", "template"]] != nil else { return }
        if obj[path: ["spec", "template", "metadata"]] == nil { obj[path: ["spec", "template", "metadata"]] = .emptyObject }
        if obj[path: ["spec", "template", "metadata", "creationTimestamp"]] == nil {
            obj[path: ["spec", "template", "metadata", "creationTimestamp"]] = .null
        }
        if var spec = obj[path: ["spec", "template", "spec"]] {
            PodSpecDefaults.apply(&spec)
            obj[path: ["spec", "template", "spec"]] = spec
        }
    }

    static func deployment(_ obj: inout JSONValue) {
        if obj[path: ["spec", "replicas"]] == nil { obj[path: ["spec", "replicas"]] = 1 }
        if obj[path: ["spec", "strategy", "type"]] == nil { obj[path: ["spec", "strategy", "type"]] = "RollingUpdate" }
        if obj[path: ["spec", "strategy", "type"]]?.string == "RollingUpdate" {
            if obj[path: ["spec", "strategy", "rollingUpdate", "maxUnavailable"]] == nil {
                obj[path: ["spec", "strategy", "rollingUpdate", "maxUnavailable"]] = "25%"
            }
            if obj[path: ["spec", "strategy", "rollingUpdate", "maxSurge"]] == nil {
                obj[path: ["spec", "strategy", "rollingUpdate", "maxSurge"]] = "25%"
            }
        }
        if obj[path: ["spec", "revisionHistoryLimit"]] == nil { obj[path: ["spec", "revisionHistoryLimit"]] = 10 }
        if obj[path: ["spec", "progressDeadlineSeconds"]] == nil { obj[path: ["spec", "progressDeadlineSeconds"]] = 600 }
        template(&obj)
    }

    static func statefulSet(_ obj: inout JSONValue) {
        if obj[path: ["spec", "podManagementPolicy"]] == nil { obj[path: ["spec", "podManagementPolicy"]] = "OrderedReady" }
        if obj[path: ["spec", "updateStrategy", "type"]] == nil { obj[path: ["spec", "updateStrategy", "type"]] = "RollingUpdate" }
        if obj[path: ["spec", "updateStrategy", "type"]]?.string == "RollingUpdate",
            obj[path: ["spec", "updateStrategy", "rollingUpdate", "partition"]] == nil
        {
            obj[path: ["spec", "updateStrategy", "rollingUpdate", "partition"]] = 0
        }
        if obj[path: ["spec", "persistentVolumeClaimRetentionPolicy", "whenDeleted"]] == nil {
            obj[path: ["spec", "persistentVolumeClaimRetentionPolicy", "whenDeleted"]] = "Retain"
        }
        if obj[path: ["spec", "persistentVolumeClaimRetentionPolicy", "whenScaled"]] == nil {
            obj[path: ["spec", "persistentVolumeClaimRetentionPolicy", "whenScaled"]] = "Retain"
        }
        if obj[path: ["spec", "replicas"]] == nil { obj[path: ["spec", "replicas"]] = 1 }
        if obj[path: ["spec", "revisionHistoryLimit"]] == nil { obj[path: ["spec", "revisionHistoryLimit"]] = 10 }
        if var claims = obj[path: ["spec", "volumeClaimTemplates"]]?.array {
            for i in claims.indices {
                if claims[i]["apiVersion"] == nil { claims[i]["apiVersion"] = "v1" }
                if claims[i]["kind"] == nil { claims[i]["kind"] = "PersistentVolumeClaim" }
                if claims[i][path: ["metadata", "creationTimestamp"]] == nil { claims[i][path: ["metadata", "creationTimestamp"]] = .null }
                if claims[i][path: ["spec", "volumeMode"]] == nil { claims[i][path: ["spec", "volumeMode"]] = "Filesystem" }
                if case .object(var req)? = claims[i][path: ["spec", "resources", "requests"]] {
                    PodSpecDefaults.canonicalize(&req)
                    claims[i][path: ["spec", "resources", "requests"]] = .object(req)
                }
                if claims[i][path: ["status", "phase"]] == nil { claims[i][path: ["status", "phase"]] = "Pending" }
            }
            obj[path: ["spec", "volumeClaimTemplates"]] = .array(claims)
        }
        template(&obj)
    }

    static func daemonSet(_ obj: inout JSONValue) {
        if obj[path: ["spec", "updateStrategy", "type"]] == nil { obj[path: ["spec", "updateStrategy", "type"]] = "RollingUpdate" }
        if obj[path: ["spec", "updateStrategy", "type"]]?.string == "RollingUpdate" {
            if obj[path: ["spec", "updateStrategy", "rollingUpdate", "maxUnavailable"]] == nil {
                obj[path: ["spec", "updateStrategy", "rollingUpdate", "maxUnavailable"]] = 1
            }
            if obj[path: ["spec", "updateStrategy", "rollingUpdate", "maxSurge"]] == nil {
                obj[path: ["spec", "updateStrategy", "rollingUpdate", "maxSurge"]] = 0
            }
        }
        if obj[path: ["spec", "revisionHistoryLimit"]] == nil { obj[path: ["spec", "revisionHistoryLimit"]] = 10 }
        template(&obj)
    }

    static func service(_ obj: inout JSONValue) {
        if obj[path: ["spec", "type"]] == nil { obj[path: ["spec", "type"]] = "ClusterIP" }
        if obj[path: ["spec", "sessionAffinity"]] == nil { obj[path: ["spec", "sessionAffinity"]] = "None" }
        let type = obj[path: ["spec", "type"]]?.string ?? "ClusterIP"
        if type != "ExternalName" {
            if obj[path: ["spec", "internalTrafficPolicy"]] == nil { obj[path: ["spec", "internalTrafficPolicy"]] = "Cluster" }
        }
        if var ports = obj[path: ["spec", "ports"]]?.array {
            for i in ports.indices {
                if ports[i]["protocol"] == nil { ports[i]["protocol"] = "TCP" }
                if ports[i]["targetPort"] == nil, let p = ports[i]["port"] { ports[i]["targetPort"] = p }
            }
            obj[path: ["spec", "ports"]] = .array(ports)
        }
        if type == "NodePort" || type == "LoadBalancer" {
            if obj[path: ["spec", "externalTrafficPolicy"]] == nil { obj[path: ["spec", "externalTrafficPolicy"]] = "Cluster" }
        }
        if obj["status"] == nil { obj["status"] = ["loadBalancer": .emptyObject] }
    }
}
