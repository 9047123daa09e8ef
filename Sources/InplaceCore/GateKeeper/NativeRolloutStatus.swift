import JSON

/// Where a workload's own (native) rollout stands, by the rules of `kubectl rollout status`
/// (kubectl pkg/polymorphichelpers/rollout_status.go).
public enum NativeRolloutStatus: Sendable, Equatable {
    /// Still rolling; the message says what it waits for.
    case waiting(String)
    /// Rolled out.
    case done(String)
    /// It cannot finish (a Deployment past its progress deadline).
    case failed(String)
    /// Its strategy has no rollout to follow (OnDelete).
    case unsupported(String)

    /// The message, as kubectl prints it (without the trailing newline).
    public var message: String {
        switch self {
        case .waiting(let m), .done(let m), .failed(let m), .unsupported(let m): return m
        }
    }

    /// True when rolled out.
    public var isDone: Bool { if case .done = self { return true } else { return false } }

    /// The status of a workload object of `kind` (a bare Pod is always done).
    public static func of(_ kind: WorkloadKind, _ object: JSONValue) -> NativeRolloutStatus {
        switch kind {
        case .deployment: return deployment(object)
        case .statefulSet: return statefulSet(object)
        case .daemonSet: return daemonSet(object)
        case .pod: return .done("pod \"\(object[path: ["metadata", "name"]]?.string ?? "")\" has no rollout")
        }
    }

    /// A Deployment: updated, old replicas gone, updated replicas available.
    public static func deployment(_ d: JSONValue) -> NativeRolloutStatus {
        let name = d[path: ["metadata", "name"]]?.string ?? ""
        let status = d["status"] ?? .emptyObject
        guard generation(d) <= (status["observedGeneration"]?.int ?? 0) else {
            return .waiting("Waiting for deployment spec update to be observed...")
        }
        let progressing = status["conditions"]?.array?.first { $0["type"]?.string == "Progressing" }
        if progressing?["reason"]?.string == "ProgressDeadlineExceeded" {
            return .failed("deployment \"\(name)\" exceeded its progress deadline")
        }
        let updated = status["updatedReplicas"]?.int ?? 0
        let replicas = status["replicas"]?.int ?? 0
        let available = status["availableReplicas"]?.int ?? 0
        if let wanted = d[path: ["spec", "replicas"]]?.int, updated < wanted {
            return .waiting("Waiting for deployment \"\(name)\" rollout to finish: \(updated) out of \(wanted) new replicas have been updated...")
        }
        if replicas > updated {
            return .waiting("Waiting for deployment \"\(name)\" rollout to finish: \(replicas - updated) old replicas are pending termination...")
        }
        if available < updated {
            return .waiting("Waiting for deployment \"\(name)\" rollout to finish: \(available) of \(updated) updated replicas are available...")
        }
        return .done("deployment \"\(name)\" successfully rolled out")
    }

    /// A StatefulSet with RollingUpdate: every replica ready, the partition's share updated, revisions equal.
    public static func statefulSet(_ s: JSONValue) -> NativeRolloutStatus {
        let strategy = s[path: ["spec", "updateStrategy"]]
        guard (strategy?["type"]?.string ?? "RollingUpdate") == "RollingUpdate" else {
            return .unsupported("rollout status is only available for RollingUpdate strategy type")
        }
        let status = s["status"] ?? .emptyObject
        let observed = status["observedGeneration"]?.int ?? 0
        if observed == 0 || generation(s) > observed {
            return .waiting("Waiting for statefulset spec update to be observed...")
        }
        let replicas = s[path: ["spec", "replicas"]]?.int
        let ready = status["readyReplicas"]?.int ?? 0
        let updated = status["updatedReplicas"]?.int ?? 0
        if let replicas, ready < replicas {
            return .waiting("Waiting for \(replicas - ready) pods to be ready...")
        }
        if let rolling = strategy?["rollingUpdate"], rolling.object != nil {
            if let replicas, let partition = rolling["partition"]?.int, updated < replicas - partition {
                return .waiting("Waiting for partitioned roll out to finish: \(updated) out of \(replicas - partition) new pods have been updated...")
            }
            return .done("partitioned roll out complete: \(updated) new pods have been updated...")
        }
        let updateRevision = status["updateRevision"]?.string ?? ""
        if updateRevision != (status["currentRevision"]?.string ?? "") {
            return .waiting("waiting for statefulset rolling update to complete \(updated) pods at revision \(updateRevision)...")
        }
        return .done("statefulset rolling update complete \(status["currentReplicas"]?.int ?? 0) pods at revision \(updateRevision)...")
    }

    /// A DaemonSet with RollingUpdate: every scheduled pod updated and available.
    public static func daemonSet(_ d: JSONValue) -> NativeRolloutStatus {
        guard (d[path: ["spec", "updateStrategy", "type"]]?.string ?? "RollingUpdate") == "RollingUpdate" else {
            return .unsupported("rollout status is only available for RollingUpdate strategy type")
        }
        let name = d[path: ["metadata", "name"]]?.string ?? ""
        let status = d["status"] ?? .emptyObject
        guard generation(d) <= (status["observedGeneration"]?.int ?? 0) else {
            return .waiting("Waiting for daemon set spec update to be observed...")
        }
        let desired = status["desiredNumberScheduled"]?.int ?? 0
        let updated = status["updatedNumberScheduled"]?.int ?? 0
        let available = status["numberAvailable"]?.int ?? 0
        if updated < desired {
            return .waiting("Waiting for daemon set \"\(name)\" rollout to finish: \(updated) out of \(desired) new pods have been updated...")
        }
        if available < desired {
            return .waiting("Waiting for daemon set \"\(name)\" rollout to finish: \(available) of \(desired) updated pods are available...")
        }
        return .done("daemon set \"\(name)\" successfully rolled out")
    }

    static func generation(_ o: JSONValue) -> Int { o[path: ["metadata", "generation"]]?.int ?? 0 }
}
