import InplaceCore
import JSON
import YAML

/// Renders a plan as a table grouped by batch, as the contract's JSON object, or as YAML.
public enum PlanRenderer {
    /// The contract's `{"kind":"Plan","workloads":[...]}` object.
    public static func json(_ plan: Plan) -> JSONValue {
        .object(JSONObject([
            ("kind", "Plan"),
            ("workloads", .array(plan.workloads.map(workloadJSON))),
        ]))
    }

    /// `json(plan).serialized()` written a piece at a time, so 10,000 pods are never one tree or one string.
    public static func writeJSON(_ plan: Plan, to write: (String) -> Void) {
        var buffer = "{\"kind\":\"Plan\",\"workloads\":["
        func flush(over limit: Int) {
            guard buffer.utf8.count > limit else { return }
            write(buffer)
            buffer = ""
        }
        for (i, w) in plan.workloads.enumerated() {
            if i > 0 { buffer += "," }
            buffer += "{"
            for m in workloadHead(w) { buffer += JSONValue.quote(m.key) + ":" + m.value.serialized() + "," }
            buffer += "\"pods\":["
            for (j, p) in w.pods.enumerated() {
                if j > 0 { buffer += "," }
                buffer += podJSON(p).serialized()
                flush(over: 1 << 16)
            }
            buffer += "]"
            for m in workloadTail(w) { buffer += "," + JSONValue.quote(m.key) + ":" + m.value.serialized() }
            buffer += "}"
        }
        buffer += "]}"
        flush(over: 0)
    }

    static func workloadJSON(_ w: WorkloadPlan) -> JSONValue {
        var o = JSONObject(uncheckedMembers: workloadHead(w))
        o["pods"] = .array(w.pods.map(podJSON))
        for m in workloadTail(w) { o[m.key] = m.value }
        return .object(o)
    }

    /// The members of a workload's object before `pods`.
    static func workloadHead(_ w: WorkloadPlan) -> [JSONObject.Member] {
        [JSONObject.Member(key: "kind", value: .string(w.ref.kind.rawValue)),
         JSONObject.Member(key: "namespace", value: .string(w.ref.namespace)),
         JSONObject.Member(key: "name", value: .string(w.ref.name))]
    }

    /// The members of a workload's object after `pods`.
    static func workloadTail(_ w: WorkloadPlan) -> [JSONObject.Member] {
        var o = JSONObject()
        var summary = JSONObject([
            ("update", .int(w.count(.update))), ("keep", .int(w.count(.keep))), ("hold", .int(w.count(.hold))),
            ("blocked", .int(w.count(.blocked))), ("batches", .int(w.batchCount)), ("maxUnavailable", .int(w.maxUnavailable)),
            ("maxUnavailableFrom", .string(w.maxUnavailableSetting.source.rawValue)),
            ("partition", .int(w.partition)), ("partitionFrom", .string(w.partitionSetting.source.rawValue)),
        ])
        if let setting = w.surgeSetting, w.surge > 0 {
            summary["maxSurge"] = .int(w.surge)
            summary["maxSurgeFrom"] = .string(setting.source.rawValue)
        }
        if let budget = w.limitingBudget { summary["limitingBudget"] = .string(budget) }
        if let priority = w.order.priority {
            summary["priority"] = .string("\(priority.flagName) \(priority.text)")
            summary["priorityFrom"] = .string(w.order.prioritySource.rawValue)
        }
        if let scatter = w.order.scatter {
            summary["scatter"] = .string("\(scatter.flagName) \(scatter.text)")
            summary["scatterFrom"] = .string(w.order.scatterSource.rawValue)
            if case .by = scatter { summary["scatterLabelOf"] = .string(w.order.nodeValues == nil ? "pod" : "node") }
        }
        o["summary"] = .object(summary)
        if !w.refusals.isEmpty { o["refused"] = .array(w.refusals.map { .string($0) }) }
        if !w.warnings.isEmpty { o["warnings"] = .array(w.warnings.map { .string($0) }) }
        return o.members
    }

    static func podJSON(_ p: PodPlan) -> JSONValue {
        var o = JSONObject()
        o["name"] = .string(p.name)
        o["action"] = .string(p.action.rawValue)
        if let b = p.batch { o["batch"] = .int(b) }
        if !p.reasons.isEmpty {
            o["reason"] = .string(p.reasons.joined(separator: "; "))
        } else if p.action == .update, p.metadataOnly {
            o["reason"] = .string(metadataOnlyReason)
        }
        if !p.changes.isEmpty {
            o["containers"] = .array(p.changes.map {
                .object(JSONObject([("name", .string($0.container)), ("image", .string($0.to)), ("currentImage", .string($0.from))]))
            })
        }
        if !p.resources.isEmpty {
            o["resources"] = .array(p.resources.map {
                .object(JSONObject([("container", .string($0.container)), ("resource", .string($0.key)), ("value", .string($0.to)),
                                    ("currentValue", .string($0.from))]))
            })
        }
        if !p.metadata.isEmpty {
            o["metadata"] = .array(p.metadata.map { m in
                var c = JSONObject([("kind", .string(m.field.singular)), ("key", .string(m.key))])
                if let to = m.to { c["value"] = .string(to) }
                if let from = m.from { c["currentValue"] = .string(from) }
                return .object(c)
            })
        }
        o["ready"] = .bool(p.ready)
        if let priority = p.priority { o["priority"] = .int(priority) }
        if let key = p.priorityKey { o["priorityKey"] = .string(key) }
        if let scatter = p.scatter { o["scatter"] = .string(scatter) }
        return .object(o)
    }

    /// What an update of labels and annotations alone says in `reason` and the table.
    static let metadataOnlyReason = "metadata only, no restart"

    /// The plan as block YAML.
    public static func yaml(_ plan: Plan) -> String { YAML.emit(json(plan)) }

    /// The human table: one section per workload, pods in update order with their batch.
    public static func text(_ plan: Plan, style: Style) -> String {
        var out = ""
        for (i, w) in plan.workloads.enumerated() {
            if i > 0 { out += "\n" }
            out += style.bold(headline(w)) + "\n"
            if w.ref.kind != .pod { out += settings(w) + "\n" }
            if !w.order.isDefault {
                let ties = w.ref.kind == .statefulSet ? "highest ordinal first" : "by name"
                out += "order: not-ready pods first, then \(w.order.summary), ties \(ties)\n"
            }
            for reason in w.refusals { out += style.red("refused:") + " \(reason)\n" }
            guard !w.pods.isEmpty else { continue }
            var table = TableWriter(header: ["BATCH", "POD", "ACTION", "DETAIL"])
            for p in w.pods {
                table.add([p.batch.map(String.init) ?? "-", p.name, p.action.rawValue, detail(p, order: w.order)])
            }
            out += table.render { column, cell in
                guard column == 2 else { return cell }
                switch cell {
                case "update": return style.green(cell)
                case "blocked": return style.red(cell)
                case "hold": return style.yellow(cell)
                default: return style.dim(cell)
                }
            }
        }
        return out
    }

    static func headline(_ w: WorkloadPlan) -> String {
        let total = w.pods.count
        var parts: [String] = []
        let update = w.count(.update)
        if update > 0 {
            parts.append("\(update) to update in \(w.batchCount) batch\(w.batchCount == 1 ? "" : "es")")
        }
        if w.count(.keep) > 0 { parts.append("\(w.count(.keep)) up to date") }
        if w.count(.hold) > 0 { parts.append("\(w.count(.hold)) held by the partition") }
        if w.count(.blocked) > 0 { parts.append("\(w.count(.blocked)) blocked") }
        if update == 0 && w.count(.blocked) == 0 && w.count(.hold) == 0 { parts = ["nothing to do"] }
        return "\(w.ref) (namespace \(w.ref.namespace)): \(total) pod\(total == 1 ? "" : "s"), \(parts.joined(separator: ", "))"
    }

    /// `max-unavailable 2 (flag), partition 3 (manifest)`: the values that shape the batches and
    /// holds, and where each came from.
    static func settings(_ w: WorkloadPlan) -> String {
        func show(_ name: String, _ value: Int, _ setting: PlanSetting) -> String {
            if case .percent = setting.value { return "\(name) \(value) (\(setting.value) of \(w.desired), \(setting.source.rawValue))" }
            return "\(name) \(value) (\(setting.source.rawValue))"
        }
        var parts = [show("max-unavailable", w.maxUnavailable, w.maxUnavailableSetting)]
        if w.ref.kind == .statefulSet || w.partition > 0 { parts.append(show("partition", w.partition, w.partitionSetting)) }
        if let setting = w.surgeSetting, w.surge > 0 { parts.append(show("max-surge", w.surge, setting)) }
        if let budget = w.limitingBudget { parts.append("limited by PodDisruptionBudget \(budget)") }
        return parts.joined(separator: ", ")
    }

    /// What changes on the pod, and where the order rules placed it (`[priority 80, zone=a]`).
    static func detail(_ p: PodPlan, order: UpdateOrder = UpdateOrder()) -> String {
        switch p.action {
        case .update, .hold:
            var changes = (p.changes.map { "\($0.container): \($0.from) → \($0.to)" }
                + p.resources.map { "\($0.container) \($0.key): \($0.from) → \($0.to)\($0.restarts ? " (restart)" : "")" }
                + p.metadata.map(\.description)).joined(separator: ", ")
            if p.metadataOnly { changes += " (\(metadataOnlyReason))" }
            var scatter = p.scatter
            if case .by(let key)? = order.scatter { scatter = "\(key)=\(p.scatter ?? "(none)")" }
            let placed = [p.priority.map { "priority \($0)" }, scatter].compactMap { $0 }.joined(separator: ", ")
            let shown = placed.isEmpty ? changes : "\(changes) [\(placed)]"
            return p.action == .hold ? "partition (\(shown))" : shown
        case .keep:
            return p.ready ? "" : "not ready"
        case .blocked:
            return p.reasons.joined(separator: "; ")
        }
    }
}
