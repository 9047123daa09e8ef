import JSON

/// The contract's `plan -o json` schema:
/// `{"kind":"Plan","workloads":[{"kind","namespace","name","pods":[{"name","action","batch"?,
/// "containers"?:[{"name","image","currentImage"}],"reason"?}]}]}`, plus the documented extensions
/// (`ready`, and where a priority or scatter rule ordered the pods `priority`, `priorityKey` and
/// `scatter`, per pod; `summary`, `warnings` and `refused` — why `rollout` would refuse the whole
/// workload — per workload). Returns every violation.
enum PlanSchema {
    static let actions: Set<String> = ["update", "keep", "hold", "blocked"]
    static let kinds: Set<String> = ["Deployment", "StatefulSet", "DaemonSet", "Pod"]

    /// Every violation of the schema in `plan` (empty when it conforms).
    static func violations(_ plan: JSONValue) -> [String] {
        var out: [String] = []
        guard let root = plan.object else { return ["the plan is not an object"] }
        unexpected(root, allowed: ["kind", "workloads"], at: "$", into: &out)
        if plan["kind"]?.string != "Plan" { out.append("$.kind is not \"Plan\"") }
        guard let workloads = plan["workloads"]?.array else { return out + ["$.workloads is not an array"] }
        for (i, w) in workloads.enumerated() {
            let at = "$.workloads[\(i)]"
            guard let o = w.object else { out.append("\(at) is not an object"); continue }
            unexpected(o, allowed: ["kind", "namespace", "name", "pods", "summary", "warnings", "refused"], at: at, into: &out)
            if !kinds.contains(w["kind"]?.string ?? "") { out.append("\(at).kind \(w["kind"]?.serialized() ?? "missing") is not a workload kind") }
            for key in ["namespace", "name"] where (w[key]?.string ?? "").isEmpty { out.append("\(at).\(key) is not a non-empty string") }
            if let warnings = w["warnings"], warnings.array?.allSatisfy({ $0.string != nil }) != true { out.append("\(at).warnings is not an array of strings") }
            if let refused = w["refused"], refused.array.map({ !$0.isEmpty && $0.allSatisfy { !($0.string ?? "").isEmpty } }) != true {
                out.append("\(at).refused is not a non-empty array of reasons")
            }
            guard let pods = w["pods"]?.array else { out.append("\(at).pods is not an array"); continue }
            for (j, p) in pods.enumerated() { pod(p, at: "\(at).pods[\(j)]", into: &out) }
        }
        return out
    }

    static func pod(_ p: JSONValue, at: String, into out: inout [String]) {
        guard let o = p.object else { out.append("\(at) is not an object"); return }
        unexpected(o, allowed: ["name", "action", "batch", "containers", "resources", "reason", "ready", "priority", "priorityKey", "scatter"],
                   at: at, into: &out)
        if let priority = p["priority"], priority.int == nil { out.append("\(at).priority is not an integer") }
        for key in ["priorityKey", "scatter"] where p[key] != nil && (p[key]?.string ?? "").isEmpty {
            out.append("\(at).\(key) is not a non-empty string")
        }
        if (p["name"]?.string ?? "").isEmpty { out.append("\(at).name is not a non-empty string") }
        let action = p["action"]?.string ?? ""
        if !actions.contains(action) { out.append("\(at).action \(p["action"]?.serialized() ?? "missing") is not one of \(actions.sorted())") }
        if let batch = p["batch"] {
            if (batch.int ?? 0) < 1 { out.append("\(at).batch \(batch.serialized()) is not a positive integer") }
            if action != "update" { out.append("\(at).batch is present on a \(action) pod") }
        } else if action == "update" {
            out.append("\(at).batch is missing on an update pod")
        }
        if let reason = p["reason"], (reason.string ?? "").isEmpty { out.append("\(at).reason is not a non-empty string") }
        if (action == "hold" || action == "blocked") && p["reason"] == nil { out.append("\(at).reason is missing on a \(action) pod") }
        if let ready = p["ready"], ready.bool == nil { out.append("\(at).ready is not a boolean") }
        if let containers = p["containers"] {
            guard let list = containers.array, !list.isEmpty else { out.append("\(at).containers is not a non-empty array"); return }
            for (k, c) in list.enumerated() {
                let cat = "\(at).containers[\(k)]"
                guard let co = c.object else { out.append("\(cat) is not an object"); continue }
                unexpected(co, allowed: ["name", "image", "currentImage"], at: cat, into: &out)
                for key in ["name", "image", "currentImage"] where (c[key]?.string ?? "").isEmpty {
                    out.append("\(cat).\(key) is not a non-empty string")
                }
            }
        } else if action == "update" && p["resources"] == nil {
            out.append("\(at).containers (or resources) is missing on an update pod")
        }
        if let resources = p["resources"] {
            guard let list = resources.array, !list.isEmpty else { out.append("\(at).resources is not a non-empty array"); return }
            for (k, r) in list.enumerated() {
                let rat = "\(at).resources[\(k)]"
                guard let ro = r.object else { out.append("\(rat) is not an object"); continue }
                unexpected(ro, allowed: ["container", "resource", "value", "currentValue"], at: rat, into: &out)
                for key in ["container", "resource", "value", "currentValue"] where (r[key]?.string ?? "").isEmpty {
                    out.append("\(rat).\(key) is not a non-empty string")
                }
            }
        }
    }

    static func unexpected(_ o: JSONObject, allowed: Set<String>, at: String, into out: inout [String]) {
        for key in o.keys where !allowed.contains(key) { out.append("\(at).\(key) is not in the contract") }
    }
}

/// Convenient reads of a parsed plan.
extension JSONValue {
    /// The plan's workloads.
    var planWorkloads: [JSONValue] { self["workloads"]?.array ?? [] }
    /// The pods of the plan's only (or first) workload.
    var planPods: [JSONValue] { planWorkloads.first?["pods"]?.array ?? [] }
    /// `name` of each element.
    var names: [String] { (array ?? []).compactMap { $0["name"]?.string } }
}

extension Array where Element == JSONValue {
    /// `name` of each element.
    var names: [String] { compactMap { $0["name"]?.string } }
    /// The elements whose `action` is `action`.
    func withAction(_ action: String) -> [JSONValue] { filter { $0["action"]?.string == action } }
    /// The batch numbers in order (nil where absent).
    var batches: [Int?] { map { $0["batch"]?.int } }
}
