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
