import JSON

/// Per-kind registry behaviour (pkg/registry/*/strategy.go): what create and update reset or keep,
/// when the generation moves, and which validation runs.
enum Strategy {
    static let workloads: Set<String> = ["deployments", "replicasets", "statefulsets", "daemonsets"]
    static let dsTemplateGeneration = "deprecated.daemonset.template.generation"

    static func prepareForCreate(_ r: ResourceType, _ obj: inout JSONValue, podGeneration: Bool = false) {
        switch r.resource {
        case "pods":
            obj["status"] = ["phase": "Pending", "qosClass": .string(QoS.of(obj["spec"]))]
            if podGeneration { obj.setMeta("generation", 1) }
        case _ where workloads.contains(r.resource):
            obj["status"] = .emptyObject
            obj.setMeta("generation", 1)
            if r == Resources.daemonSets {
                var ann = obj[path: ["metadata", "annotations"]]?.object ?? JSONObject()
                ann[dsTemplateGeneration] = "1"
                obj.setMeta("annotations", .object(ann))
            }
        case "namespaces":
            obj["status"] = ["phase": "Active"]
            var labels = obj[path: ["metadata", "labels"]]?.object ?? JSONObject()
            labels["kubernetes.io/metadata.name"] = .string(obj.metaName)
            obj.setMeta("labels", .object(labels))
        case "services":
            obj["status"] = ["loadBalancer": .emptyObject]
        default:
            break
        }
    }

    static func prepareForUpdate(_ r: ResourceType, new: inout JSONValue, old: JSONValue) {
        switch r.resource {
        case "pods":
            new["status"] = old["status"]
            if let g = old[path: ["metadata", "generation"]]?.int,
                PodValidation.normalized(new["spec"] ?? .null) != PodValidation.normalized(old["spec"] ?? .null)
            {
                new.setMeta("generation", .int(g + 1))
            }
        case "services", "nodes":
            new["status"] = old["status"]
        case "namespaces":
            new["status"] = old["status"]
            new[path: ["spec", "finalizers"]] = old[path: ["spec", "finalizers"]]
            var labels = new[path: ["metadata", "labels"]]?.object ?? JSONObject()
            labels["kubernetes.io/metadata.name"] = .string(new.metaName)
            new.setMeta("labels", .object(labels))
        case _ where workloads.contains(r.resource):
            new["status"] = old["status"]
            let specChanged = PodValidation.normalized(new["spec"] ?? .null) != PodValidation.normalized(old["spec"] ?? .null)
            let annotationsChanged = new.metaAnnotations != old.metaAnnotations
            if r == Resources.daemonSets {
                var ann = new[path: ["metadata", "annotations"]]?.object ?? JSONObject()
                let oldGen = Int(old.metaAnnotations[dsTemplateGeneration] ?? "1") ?? 1
                let templateChanged = PodValidation.normalized(new[path: ["spec", "template"]] ?? .null)
                    != PodValidation.normalized(old[path: ["spec", "template"]] ?? .null)
                ann[dsTemplateGeneration] = .string(String(templateChanged ? oldGen + 1 : oldGen))
                new.setMeta("annotations", .object(ann))
            }
            if specChanged || (r == Resources.deployments && annotationsChanged) {
                new.setMeta("generation", .int((old[path: ["metadata", "generation"]]?.int ?? 1) + 1))
            }
        default:
            break
        }
        if r == Resources.services, let oldIP = old[path: ["spec", "clusterIP"]], (new[path: ["spec", "clusterIP"]]?.string ?? "").isEmpty {
            new[path: ["spec", "clusterIP"]] = oldIP
            new[path: ["spec", "clusterIPs"]] = old[path: ["spec", "clusterIPs"]]
            if new[path: ["spec", "ipFamilies"]] == nil { new[path: ["spec", "ipFamilies"]] = old[path: ["spec", "ipFamilies"]] }
            if new[path: ["spec", "ipFamilyPolicy"]] == nil { new[path: ["spec", "ipFamilyPolicy"]] = old[path: ["spec", "ipFamilyPolicy"]] }
        }
    }

    static func prepareForStatusUpdate(_ r: ResourceType, new: inout JSONValue, old: JSONValue) {
        new["spec"] = old["spec"]
        switch r.resource {
        case "pods":
            new.setMeta("ownerReferences", old[path: ["metadata", "ownerReferences"]])
            if new[path: ["status", "qosClass"]] == nil { new[path: ["status", "qosClass"]] = old[path: ["status", "qosClass"]] }
        case "deployments":
            new.setMeta("labels", old[path: ["metadata", "labels"]])
        default:
            break
        }
    }

    /// BeforeUpdate's common part: identity and system fields come from the stored object.
    static func keepSystemFields(new: inout JSONValue, old: JSONValue) {
        new.setMeta("generation", old[path: ["metadata", "generation"]])
        if new.metaUID.isEmpty { new.setMeta("uid", old[path: ["metadata", "uid"]]) }
        new.setMeta("creationTimestamp", old[path: ["metadata", "creationTimestamp"]])
        if let dt = old[path: ["metadata", "deletionTimestamp"]] { new.setMeta("deletionTimestamp", dt) }
        if let gp = old[path: ["metadata", "deletionGracePeriodSeconds"]], new[path: ["metadata", "deletionGracePeriodSeconds"]] == nil {
            new.setMeta("deletionGracePeriodSeconds", gp)
        }
        new.setMeta("managedFields", nil)
        new.setMeta("selfLink", nil)
    }

    static func validateCreate(_ r: ResourceType, _ obj: JSONValue) -> [FieldError] {
        switch r.resource {
        case "pods":
            return ObjectMetaValidation.validate(obj, namespaced: true) + PodValidation.validateSpec(obj["spec"], path: "spec")
        case _ where workloads.contains(r.resource):
            return WorkloadValidation.validateCreate(r, obj)
        case "namespaces", "services":
            return ObjectMetaValidation.validate(obj, namespaced: r.namespaced, nameIsLabel: true)
        default:
            return ObjectMetaValidation.validate(obj, namespaced: r.namespaced)
        }
    }

    static func validateUpdate(_ r: ResourceType, new: JSONValue, old: JSONValue) -> [FieldError] {
        switch r.resource {
        case "pods": return PodValidation.validateUpdate(new: new, old: old)
        case _ where workloads.contains(r.resource): return WorkloadValidation.validateUpdate(r, new: new, old: old)
        default: return ObjectMetaValidation.validateUpdate(new: new, old: old)
        }
    }

    static func validateStatusUpdate(_ r: ResourceType, new: JSONValue, old: JSONValue) -> [FieldError] {
        switch r.resource {
        case "pods": return PodValidation.validateStatusUpdate(new: new, old: old)
        default: return ObjectMetaValidation.validateUpdate(new: new, old: old)
        }
    }

    /// Whether DELETE answers with the object (true) or with a Success Status.
    static func returnsDeletedObject(_ r: ResourceType) -> Bool { ["pods", "services", "namespaces"].contains(r.resource) }

    /// Whether PUT on a missing object creates it.
    static func allowCreateOnUpdate(_ r: ResourceType) -> Bool { ["endpoints", "leases", "events", "endpointslices"].contains(r.resource) }
}

/// The QoS class of a pod spec (BestEffort, Burstable, Guaranteed).
enum QoS {
    static func of(_ spec: JSONValue?) -> String {
        let containers = (spec?["containers"]?.array ?? []) + (spec?["initContainers"]?.array ?? [])
        var anyRequest = false
        var guaranteed = true
        for c in containers {
            let requests = c[path: ["resources", "requests"]]?.object ?? JSONObject()
            let limits = c[path: ["resources", "limits"]]?.object ?? JSONObject()
            for m in requests where m.key == "cpu" || m.key == "memory" {
                if let q = m.value.string, Quantity.milliValue(q) ?? 1 != 0 { anyRequest = true }
            }
            for m in limits where m.key == "cpu" || m.key == "memory" { if m.value.string != nil { anyRequest = true } }
            for res in ["cpu", "memory"] {
                guard let l = limits[res]?.string else { guaranteed = false; continue }
                let r = requests[res]?.string ?? l
                if Quantity.milliValue(l) != Quantity.milliValue(r) { guaranteed = false }
            }
        }
        if !anyRequest { return "BestEffort" }
        return guaranteed ? "Guaranteed" : "Burstable"
    }
}
