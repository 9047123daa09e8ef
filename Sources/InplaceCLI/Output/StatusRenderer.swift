import Foundation
import InplaceCore
import JSON
import YAML
import KubeFormats

/// Renders rollout statuses as `kubectl get` prints objects: a header row and one row per workload
/// (`-o wide` adds the rollout, holder and images; `-A` the namespace), the details that do not fit a
/// row below the table; or as a `RolloutStatusList` in JSON or YAML.
struct StatusRenderer {
    /// The text shapes of `-o`.
    enum Format { case text, wide, json, yaml }

    let format: Format
    let allNamespaces: Bool
    let style: Style
    let program: String

    /// The header row of the table.
    var header: [String] {
        var h = ["WORKLOAD", "PHASE", "PODS", "IN-FLIGHT", "HELD", "FAILED", "AGE"]
        if allNamespaces { h.insert("NAMESPACE", at: 0) }
        if format == .wide { h += ["ROLLOUT", "HOLDER", "RENEWED", "IMAGES"] }
        return h
    }

    /// The whole output for `statuses` (a list in JSON/YAML; a table with its header in text).
    func render(_ statuses: [RolloutStatus], now: Double = Date().timeIntervalSince1970) -> String {
        switch format {
        case .json: return list(statuses).serialized() + "\n"
        case .yaml: return YAML.emit(list(statuses))
        case .text, .wide: return table(statuses, header: true, now: now)
        }
    }

    /// Rows (with the header when `header`) and each workload's details below them.
    func table(_ statuses: [RolloutStatus], header withHeader: Bool, now: Double = Date().timeIntervalSince1970) -> String {
        var table = TableWriter(header: header)
        for s in statuses { table.add(row(s, now: now)) }
        var text = table.render { column, cell in
            guard self.header[column] == "PHASE" else { return cell }
            return self.colour(phase: cell)
        }
        if !withHeader { text = String(text.drop { $0 != "\n" }.dropFirst()) }
        for s in statuses {
            let lines = details(s)
            guard !lines.isEmpty else { continue }
            text += "\(s.ref):\n" + lines.map { "  \($0)\n" }.joined()
        }
        return text
    }

    /// The one line of `-w` for a status that changed (JSON: its object; text: its row and details).
    func update(_ s: RolloutStatus) -> String {
        switch format {
        case .json: return s.json.serialized() + "\n"
        case .yaml: return "---\n" + YAML.emit(s.json)
        case .text, .wide: return table([s], header: false)
        }
    }

    /// `RolloutStatusList`.
    func list(_ statuses: [RolloutStatus]) -> JSONValue {
        .object(JSONObject([("kind", "RolloutStatusList"), ("items", .array(statuses.map(\.json)))]))
    }

    /// The phase as shown: a running rollout whose holder is gone is interrupted or abandoned.
    static func phase(_ s: RolloutStatus) -> String {
        switch s.record.phase {
        case .complete: return s.record.rollbackOf.isEmpty ? "complete" : "rolled-back"
        case .failed: return "failed"
        case .paused: return "paused"
        case .running: return s.holderLive ? "running" : s.abandoned ? "abandoned" : "interrupted"
        }
    }

    /// What a record rolls to: `container=image`, then `container/requests.cpu=150m`, then
    /// `labels/KEY=value` (`labels/KEY-` for a removed key, as `kubectl label` writes it).
    static func target(_ record: RolloutRecord) -> [String] {
        record.images.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            + record.resources.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
            + record.targetMetadata.map { m in m.to.map { "\(m.recordKey)=\($0)" } ?? "\(m.recordKey)-" }
    }

    func row(_ s: RolloutStatus, now: Double) -> [String] {
        let done = s.record.rollbackOf.isEmpty ? s.updated : s.rolledBack
        var r = [s.ref.description, Self.phase(s), "\(done)/\(s.total)", "\(s.inFlight)", "\(s.held)", "\(s.failed.count)",
                 Self.age(s.record.startedAt, now: now)]
        if allNamespaces { r.insert(s.ref.namespace, at: 0) }
        if format == .wide {
            let renewed = s.record.phase == .running ? Self.age(s.record.renewTime, now: now) : "-"
            r += [s.record.id, s.record.holder, renewed, Self.target(s.record).joined(separator: ",")]
        }
        return r
    }

    /// What a row cannot say: the record's message, a rollback's target, an abandoned holder, the pods
    /// left out of service, and each failed pod with the kubelet's reason (each said once).
    func details(_ s: RolloutStatus) -> [String] {
        var out: [String] = []
        if !s.record.rollbackOf.isEmpty {
            out.append("rolled back to \(Self.target(s.record).joined(separator: ", ")) after rollout \(s.record.rollbackOf) failed")
        }
        let failures = s.failed.map { "\(style.red("failed")) \($0.pod): \($0.reason)\($0.message.isEmpty ? "" : ": \($0.message)")" }
        let message = s.record.message
        if !message.isEmpty && !s.failed.contains(where: { message.contains($0.reason) && message.contains($0.pod) }) {
            out.append(message)
        }
        if s.abandoned {
            out.append("\(s.record.holder) stopped renewing its \(DurationText.format(s.record.leaseSeconds)) lease \(RolloutAdmission.ago(s.record.renewTime)): nobody drives this rollout; continue it with `\(program) resume \(s.ref)`")
        }
        if !s.holderLive && !s.outOfService.isEmpty {
            out.append("\(s.outOfService.count) pod(s) out of service: \(s.outOfService.joined(separator: ", "))")
        }
        return out + failures
    }

    func colour(phase cell: String) -> String {
        switch cell.trimmingCharacters(in: .whitespaces) {
        case "complete", "rolled-back": return style.green(cell)
        case "failed", "abandoned": return style.red(cell)
        case "paused", "interrupted": return style.yellow(cell)
        case "running": return style.cyan(cell)
        default: return cell
        }
    }

    /// kubectl's AGE: seconds under two minutes, then minutes, hours, days.
    static func age(_ time: String, now: Double) -> String {
        guard let t = RFC3339.parse(time) else { return "<unknown>" }
        let s = max(0, Int(now - t))
        if s < 120 { return "\(s)s" }
        if s < 3 * 3600 { return "\(s / 60)m" }
        if s < 48 * 3600 { return "\(s / 3600)h" }
        return "\(s / 86400)d"
    }
}
