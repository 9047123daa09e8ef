import Synchronization
import JSON

/// `--dry-run=server`: sends the workload writes and the first write of each pod with `dryRun=All`
/// and reports what the server said; nothing is stored.
public struct ServerDryRun: Sendable {
    public let cluster: any ClusterAPI

    public init(cluster: any ClusterAPI) { self.cluster = cluster }

    /// One reported write: what it was and the server's answer (nil when accepted).
    public struct Line: Sendable, Equatable {
        public var summary: String
        public var error: String?
    }

    /// Runs the dry run for one planned workload.
    public func run(workload: Workload, template: JSONValue, plan: WorkloadPlan, record: RolloutRecord, now: String) -> [Line] {
        var lines: [Line] = []
        let collector = LineCollector()
        let consistency = WorkloadConsistency(cluster: cluster, dryRun: true) { collector.add($0) }
        var labels: [String: String] = [:]
        do {
            labels = try consistency.prepare(workload, template: template, record: record).revisionLabels
            lines += collector.take().map { Line(summary: $0, error: nil) }
        } catch {
            var taken = collector.take().map { Line(summary: $0, error: nil) }
            if !taken.isEmpty { taken[taken.count - 1].error = "\(error)" }
            return lines + taken
        }
        for pod in plan.pods where pod.action == .update {
            let target = PodTarget(name: pod.name, changes: pod.changes, resources: pod.resources, labels: labels, metadata: pod.metadata)
            do {
                let live = Pod(try cluster.get("/api/v1/namespaces/\(workload.namespace)/pods/\(pod.name)"))
                let write = target.metadataOnly ? PodWrites.patch(pod: live, target: target)
                    : PodWrites.record(pod: live, target: target, rolloutID: record.id, now: now)
                do {
                    _ = try cluster.patch(write.path, type: write.type, body: write.body, dryRun: true)
                    lines.append(Line(summary: write.summary, error: nil))
                } catch {
                    lines.append(Line(summary: write.summary, error: "\(error)"))
                }
                if !target.resources.isEmpty {
                    let resize = PodWrites.resize(pod: live, target: target)
                    do {
                        _ = try cluster.patch(resize.path, type: resize.type, body: resize.body, dryRun: true)
                        lines.append(Line(summary: resize.summary, error: nil))
                    } catch {
                        lines.append(Line(summary: resize.summary, error: "\(error)"))
                    }
                }
            } catch {
                lines.append(Line(summary: "read pod \(pod.name)", error: "\(error)"))
            }
        }
        return lines
    }

    /// Gathers the summaries `WorkloadConsistency` reports.
    final class LineCollector: Sendable {
        private let lines = Mutex<[String]>([])
        func add(_ s: String) { lines.withLock { $0.append(s) } }
        func take() -> [String] { lines.withLock { l in defer { l = [] }; return l } }
    }
}
