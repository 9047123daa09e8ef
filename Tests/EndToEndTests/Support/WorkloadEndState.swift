import Foundation
import JSON
import KubeSim

/// What rollouts leave on a workload, compared whole: the workload's entire spec; its ReplicaSets
/// (Deployment) or the ControllerRevisions its status names (StatefulSet); and each pod's uid,
/// images, gate, readiness, labels and annotations (but the rollout's own). Two clusters that went through different rollouts to the
/// same images must show the same end state.
struct WorkloadEndState: Equatable, CustomStringConvertible {
    var spec: JSONValue
    var owned: [String]
    var pods: [String]

    init(_ c: TestCluster, _ subject: ChainSubject) {
        let object = c.object(subject.resource, subject.objectName)
        spec = object?["spec"] ?? .null
        if subject.resource == Resources.deployments {
            owned = c.replicaSets(of: subject.objectName).map { name, rs in
                "\(name) replicas=\(rs[path: ["spec", "replicas"]]?.serialized() ?? "-") template=\(rs[path: ["spec", "template"]]?.serialized() ?? "-")"
            }.sorted()
        } else {
            let current = object?[path: ["status", "currentRevision"]]?.string ?? "-"
            let update = object?[path: ["status", "updateRevision"]]?.string ?? "-"
            owned = ["current=\(current) update=\(update)"] + Set([current, update]).sorted().map { name in
                "\(name) data=\(c.object(Resources.controllerRevisions, name)?["data"]?.serialized() ?? "-")"
            }
        }
        let annotations = c.podAnnotations(prefix: subject.prefix).mapValues {
            $0.filter { !$0.key.hasPrefix("inplace.kubectl.io/") && $0.key != "controller.kubernetes.io/pod-deletion-cost" }
        }
        pods = c.facts(prefix: subject.prefix).values.map { p in
            "\(p.name) images=\(p.images.sorted { $0.key < $1.key }) gate=\(p.gate ?? "-") ready=\(p.ready) labels=\(p.labels.sorted { $0.key < $1.key }) annotations=\((annotations[p.name] ?? [:]).sorted { $0.key < $1.key })"
        }.sorted()
    }

    var description: String {
        "spec: \(spec.serialized())\nowned:\n  " + owned.joined(separator: "\n  ") + "\npods:\n  " + pods.joined(separator: "\n  ")
    }

    /// The end state of clean runs of `commands` (each must exit 0) on a fresh cluster of `subject`.
    static func clean(_ subject: ChainSubject, _ commands: [[String]]) throws -> WorkloadEndState {
        let c = try TestCluster(subject.scenario())
        defer { c.stop() }
        c.settle()
        for args in commands {
            let r = try c.run(args, timeout: 60)
            guard r.status == 0 else { throw E2EError.failedRun(r) }
        }
        c.settle(thenWait: 0.3)
        return WorkloadEndState(c, subject)
    }
}
