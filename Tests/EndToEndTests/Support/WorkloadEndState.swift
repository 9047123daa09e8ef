import Foundation
import JSON
import KubeSim
import Testing

/// A workload under a chain of rollouts: its scenario and how to name its images.
struct ChainSubject: Sendable, CustomTestStringConvertible {
    var name: String
    var resource: ResourceType
    var target: String
    var objectName: String
    var prefix: String
    var container: String
    var oldImage: String
    var newImage: String
    var brokenImage: String
    var replicas: Int
    var scenario: @Sendable () -> Scenario

    var testDescription: String { name }
    /// How the binary names the workload (`statefulset/db`).
    var ref: String { "\(name.lowercased())/\(objectName)" }

    /// `set image TARGET CONTAINER=IMAGE` with a short grace period.
    func setImage(_ image: String, _ extra: [String] = []) -> [String] {
        ["set", "image", target, "\(container)=\(image)", "--grace-period", "100ms"] + extra
    }

    static let deployment = ChainSubject(
        name: "Deployment", resource: Resources.deployments, target: "deployment/web", objectName: "web", prefix: "web-",
        container: "app", oldImage: "nginx:1.25", newImage: "nginx:1.27", brokenImage: "nginx:1.27-broken", replicas: 4,
        scenario: { RolloutScenario.make([Workloads.deployment(replicas: 4)]) })

    static let statefulSet = ChainSubject(
        name: "StatefulSet", resource: Resources.statefulSets, target: "sts/db", objectName: "db", prefix: "db-",
        container: "postgres", oldImage: "postgres:16.2", newImage: "postgres:16.3", brokenImage: "postgres:16.3-broken", replicas: 3,
        scenario: {
            var db = Workloads.statefulSet(replicas: 3)
            db[path: ["spec", "updateStrategy"]] = ["type": "RollingUpdate", "rollingUpdate": ["partition": 0]]
            return RolloutScenario.make([db])
        })

    static let all = [deployment, statefulSet]
}

/// What rollouts leave on a workload, compared whole: the workload's entire spec; its ReplicaSets
/// (Deployment) or the ControllerRevisions its status names (StatefulSet); and each pod's uid,
/// images, gate, readiness and labels. Two clusters that went through different rollouts to the
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
        pods = c.facts(prefix: subject.prefix).values.map { p in
            "\(p.name) images=\(p.images.sorted { $0.key < $1.key }) gate=\(p.gate ?? "-") ready=\(p.ready) labels=\(p.labels.sorted { $0.key < $1.key })"
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
