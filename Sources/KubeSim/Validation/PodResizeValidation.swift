import JSON

/// The `pods/resize` subresource (pkg/registry/core/pod podResizeStrategy and ValidatePodResize):
/// a write keeps only the containers' `resources` and `resizePolicy`, and may change cpu and
/// memory only, without removing a request or limit or changing the pod's QoS class.
enum PodResizeValidation {
    /// The resources the resize subresource may change.
    static let mutable: Set<String> = ["cpu", "memory"]

    /// dropNonResizeUpdates: the stored pod with the written containers' resources and resize
    /// policies; a write that adds, removes, reorders or renames containers is kept as written so
    /// validation refuses it.
    static func prepare(new: inout JSONValue, old: JSONValue) {
        var spec = old["spec"] ?? .emptyObject
        for field in ["containers", "initContainers"] {
            let written = new[path: ["spec", field]]?.array ?? []
            let stored = old[path: ["spec", field]]?.array ?? []
            guard written.count == stored.count else { return }
            var merged = stored
            for i in merged.indices {
                guard merged[i]["name"] == written[i]["name"] else { return }
                merged[i]["resources"] = written[i]["resources"]
                merged[i]["resizePolicy"] = written[i]["resizePolicy"]
            }
            if !merged.isEmpty { spec[field] = .array(merged) }
        }
        let rv = new[path: ["metadata", "resourceVersion"]]
        new["spec"] = spec
        new["status"] = old["status"]
        new["metadata"] = old["metadata"]
        new.setMeta("resourceVersion", rv)
        if let g = old[path: ["metadata", "generation"]]?.int,
            PodValidation.normalized(spec) != PodValidation.normalized(old["spec"] ?? .null)
        {
            new.setMeta("generation", .int(g + 1))
        }
    }

    /// ValidatePodResize on the prepared pod.
    static func validate(new: JSONValue, old: JSONValue, refuseMemoryLimitDecrease: Bool) -> [FieldError] {
        var errs = PodValidation.validateSpec(new["spec"], path: "spec")
        for field in ["containers", "initContainers"] {
            let n = new[path: ["spec", field]]?.array ?? []
            let o = old[path: ["spec", field]]?.array ?? []
            guard n.count == o.count, zip(n, o).allSatisfy({ $0["name"] == $1["name"] }) else {
                errs.append(.forbidden("spec.\(field)", "containers may not be added, removed, reordered or renamed by a resize"))
                return errs
            }
            for (i, (c, was)) in zip(n, o).enumerated() {
                errs += validateContainer(c, old: was, path: "spec.\(field)[\(i)]", refuseMemoryLimitDecrease: refuseMemoryLimitDecrease)
            }
        }
        var unchanged = new["spec"] ?? .emptyObject
        for field in ["containers", "initContainers"] {
            guard var list = unchanged[field]?.array, let olds = old[path: ["spec", field]]?.array else { continue }
            for i in list.indices {
                list[i]["resources"] = olds[i]["resources"]
                list[i]["resizePolicy"] = olds[i]["resizePolicy"]
            }
            unchanged[field] = .array(list)
        }
        if PodValidation.normalized(unchanged) != PodValidation.normalized(old["spec"] ?? .null) {
            errs.append(.forbidden("spec", "only cpu and memory resources and resizePolicy are mutable through resize"))
        }
        let oldQoS = old[path: ["status", "qosClass"]]?.string ?? QoS.of(old["spec"])
        let newQoS = QoS.of(new["spec"])
        if oldQoS != newQoS {
            errs.append(.invalid("spec", newQoS, "Pod QOS Class may not change as a result of resizing"))
        }
        return errs
    }

    private static func validateContainer(_ c: JSONValue, old: JSONValue, path: String, refuseMemoryLimitDecrease: Bool) -> [FieldError] {
        var errs: [FieldError] = []
        for kind in ["requests", "limits"] {
            let now = c[path: ["resources", kind]]?.object ?? JSONObject()
            let was = old[path: ["resources", kind]]?.object ?? JSONObject()
            for m in was where now[m.key] == nil {
                errs.append(.forbidden("\(path).resources.\(kind)", "resource \(kind) cannot be removed"))
            }
            for m in now where !mutable.contains(m.key) && was[m.key] != m.value {
                errs.append(.forbidden("\(path).resources.\(kind)[\(m.key)]", "only cpu and memory resources are mutable"))
            }
        }
        if let req = c[path: ["resources", "requests"]]?.object, let lim = c[path: ["resources", "limits"]]?.object {
            for name in ["cpu", "memory"] {
                if let r = req[name]?.string, let l = lim[name]?.string, let rv = Quantity.milliValue(r), let lv = Quantity.milliValue(l), rv > lv {
                    errs.append(.invalid("\(path).resources.requests", r, "must be less than or equal to \(name) limit of \(l)"))
                }
            }
        }
        if refuseMemoryLimitDecrease,
            let now = c[path: ["resources", "limits", "memory"]]?.string.flatMap(Quantity.milliValue),
            let was = old[path: ["resources", "limits", "memory"]]?.string.flatMap(Quantity.milliValue), now < was,
            policy(c, "memory") != "RestartContainer"
        {
            errs.append(.forbidden("\(path).resources.limits[memory]", "memory limits cannot be decreased unless resizePolicy is RestartContainer"))
        }
        return errs
    }

    /// A container's resize policy for a resource (`NotRequired` when it names none).
    static func policy(_ container: JSONValue, _ resource: String) -> String {
        (container["resizePolicy"]?.array ?? []).first { $0["resourceName"]?.string == resource }?["restartPolicy"]?.string ?? "NotRequired"
    }
}
