import JSON

/// apps/v1 validation (pkg/apis/apps/validation) for the parts the simulator checks: selectors,
/// template labels, replicas, restart policy, immutable selectors and the StatefulSet spec rule.
enum WorkloadValidation {
    static func validateCreate(_ r: ResourceType, _ obj: JSONValue) -> [FieldError] {
        var errs = ObjectMetaValidation.validate(obj, namespaced: true)
        errs += validateSpec(r, obj)
        return errs
    }

    static func validateSpec(_ r: ResourceType, _ obj: JSONValue) -> [FieldError] {
        var errs: [FieldError] = []
        let spec = obj["spec"]
        if r != Resources.daemonSets, let replicas = spec?["replicas"]?.int, replicas < 0 {
            errs.append(.invalidInt("spec.replicas", replicas, "must be greater than or equal to 0"))
        }
        let selector = spec?["selector"]
        if selector == nil || selector!.isNull {
            errs.append(.required("spec.selector"))
        } else {
            let sel = LabelSelector(object: selector)
            if sel.isEmpty {
                errs.append(FieldError(.invalid, "spec.selector", badValue: GoFormat.labelSelector(selector), "empty selector is invalid for \(r.singular)"))
            }
            let labels = JSONValue.stringMap(spec?[path: ["template", "metadata", "labels"]])
            if !sel.isEmpty && !sel.matches(labels) {
                errs.append(
                    FieldError(.invalid, "spec.template.metadata.labels", badValue: GoFormat.stringMap(labels), "`selector` does not match template `labels`"))
            }
        }
        errs += ObjectMetaValidation.labels(spec?[path: ["template", "metadata", "labels"]], field: "spec.template.metadata.labels")
        errs += PodValidation.validateSpec(spec?[path: ["template", "spec"]], path: "spec.template.spec")
        if let rp = spec?[path: ["template", "spec", "restartPolicy"]]?.string, rp != "Always" {
            errs.append(.notSupported("spec.template.spec.restartPolicy", rp, ["Always"]))
        }
        if r == Resources.statefulSets, let t = spec?[path: ["updateStrategy", "type"]]?.string, !["RollingUpdate", "OnDelete"].contains(t) {
            errs.append(.notSupported("spec.updateStrategy.type", t, ["OnDelete", "RollingUpdate"]))
        }
        if r == Resources.deployments, let t = spec?[path: ["strategy", "type"]]?.string, !["RollingUpdate", "Recreate"].contains(t) {
            errs.append(.notSupported("spec.strategy.type", t, ["Recreate", "RollingUpdate"]))
        }
        return errs
    }

    static func validateUpdate(_ r: ResourceType, new: JSONValue, old: JSONValue) -> [FieldError] {
        var errs = ObjectMetaValidation.validateUpdate(new: new, old: old)
        errs += validateSpec(r, new)
        if r != Resources.controllerRevisions, PodValidation.normalized(new[path: ["spec", "selector"]] ?? .null)
            != PodValidation.normalized(old[path: ["spec", "selector"]] ?? .null)
        {
            errs.append(FieldError(.invalid, "spec.selector", badValue: GoFormat.labelSelector(new[path: ["spec", "selector"]]), "field is immutable"))
        }
        if r == Resources.statefulSets {
            let mutable = ["replicas", "ordinals", "template", "updateStrategy", "revisionHistoryLimit", "persistentVolumeClaimRetentionPolicy", "minReadySeconds"]
            var a = new["spec"] ?? .emptyObject
            var b = old["spec"] ?? .emptyObject
            for k in mutable {
                a[k] = nil
                b[k] = nil
            }
            if PodValidation.normalized(a) != PodValidation.normalized(b) {
                errs.append(
                    .forbidden(
                        "spec",
                        "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'revisionHistoryLimit', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"
                    ))
            }
        }
        return errs
    }
}
