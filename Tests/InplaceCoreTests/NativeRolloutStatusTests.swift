import JSON
import Testing
@testable import InplaceCore

@Suite struct NativeRolloutStatusTests {
    func deployment(generation: Int = 2, observed: Int = 2, replicas: Int = 4, statusReplicas: Int = 4, updated: Int = 4,
                    available: Int = 4, progressing: String? = nil) -> JSONValue {
        var d: JSONValue = [
            "metadata": ["name": "web", "generation": .int(generation)],
            "spec": ["replicas": .int(replicas)],
            "status": ["observedGeneration": .int(observed), "replicas": .int(statusReplicas),
                       "updatedReplicas": .int(updated), "availableReplicas": .int(available)],
        ]
        if let progressing { d[path: ["status", "conditions"]] = [["type": "Progressing", "status": "False", "reason": .string(progressing)]] }
        return d
    }

    @Test func deploymentFollowsKubectlsOrderOfChecks() {
        #expect(NativeRolloutStatus.deployment(deployment(observed: 1)) == .waiting("Waiting for deployment spec update to be observed..."))
        #expect(NativeRolloutStatus.deployment(deployment(updated: 1))
                == .waiting("Waiting for deployment \"web\" rollout to finish: 1 out of 4 new replicas have been updated..."))
        #expect(NativeRolloutStatus.deployment(deployment(statusReplicas: 5, updated: 4))
                == .waiting("Waiting for deployment \"web\" rollout to finish: 1 old replicas are pending termination..."))
        #expect(NativeRolloutStatus.deployment(deployment(available: 3))
                == .waiting("Waiting for deployment \"web\" rollout to finish: 3 of 4 updated replicas are available..."))
        #expect(NativeRolloutStatus.deployment(deployment()) == .done("deployment \"web\" successfully rolled out"))
        #expect(NativeRolloutStatus.deployment(deployment(updated: 1, progressing: "ProgressDeadlineExceeded"))
                == .failed("deployment \"web\" exceeded its progress deadline"))
        #expect(NativeRolloutStatus.deployment(deployment(updated: 1, progressing: "ReplicaSetUpdated")).isDone == false)
    }

    func statefulSet(strategy: JSONValue = ["type": "RollingUpdate"], generation: Int = 3, observed: Int = 3, ready: Int = 3,
                     updated: Int = 3, current: String = "db-1", update: String = "db-1") -> JSONValue {
        [
            "metadata": ["name": "db", "generation": .int(generation)],
            "spec": ["replicas": 3, "updateStrategy": strategy],
            "status": ["observedGeneration": .int(observed), "readyReplicas": .int(ready), "updatedReplicas": .int(updated),
                       "currentReplicas": 3, "currentRevision": .string(current), "updateRevision": .string(update)],
        ]
    }

    @Test func statefulSetRules() {
        #expect(NativeRolloutStatus.statefulSet(statefulSet(observed: 0)) == .waiting("Waiting for statefulset spec update to be observed..."))
        #expect(NativeRolloutStatus.statefulSet(statefulSet(ready: 1)) == .waiting("Waiting for 2 pods to be ready..."))
        #expect(NativeRolloutStatus.statefulSet(statefulSet(updated: 1, current: "db-1", update: "db-2"))
                == .waiting("waiting for statefulset rolling update to complete 1 pods at revision db-2..."))
        #expect(NativeRolloutStatus.statefulSet(statefulSet()) == .done("statefulset rolling update complete 3 pods at revision db-1..."))
        let partitioned: JSONValue = ["type": "RollingUpdate", "rollingUpdate": ["partition": 1]]
        #expect(NativeRolloutStatus.statefulSet(statefulSet(strategy: partitioned, updated: 1))
                == .waiting("Waiting for partitioned roll out to finish: 1 out of 2 new pods have been updated..."))
        #expect(NativeRolloutStatus.statefulSet(statefulSet(strategy: partitioned, updated: 2))
                == .done("partitioned roll out complete: 2 new pods have been updated..."))
        #expect(NativeRolloutStatus.statefulSet(statefulSet(strategy: ["type": "OnDelete"]))
                == .unsupported("rollout status is only available for RollingUpdate strategy type"))
    }

    @Test func daemonSetRules() {
        func ds(type: String = "RollingUpdate", observed: Int = 1, updated: Int = 3, available: Int = 3) -> JSONValue {
            ["metadata": ["name": "agent", "generation": 1], "spec": ["updateStrategy": ["type": .string(type)]],
             "status": ["observedGeneration": .int(observed), "desiredNumberScheduled": 3,
                        "updatedNumberScheduled": .int(updated), "numberAvailable": .int(available)]]
        }
        #expect(NativeRolloutStatus.daemonSet(ds(observed: 0)) == .waiting("Waiting for daemon set spec update to be observed..."))
        #expect(NativeRolloutStatus.daemonSet(ds(updated: 2))
                == .waiting("Waiting for daemon set \"agent\" rollout to finish: 2 out of 3 new pods have been updated..."))
        #expect(NativeRolloutStatus.daemonSet(ds(available: 1))
                == .waiting("Waiting for daemon set \"agent\" rollout to finish: 1 of 3 updated pods are available..."))
        #expect(NativeRolloutStatus.daemonSet(ds()) == .done("daemon set \"agent\" successfully rolled out"))
        if case .unsupported = NativeRolloutStatus.daemonSet(ds(type: "OnDelete")) {} else { Issue.record("OnDelete has no rollout") }
    }
}
