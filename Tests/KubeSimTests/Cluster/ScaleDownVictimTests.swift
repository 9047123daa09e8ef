import JSON
import Testing
@testable import KubeSim

/// The ReplicaSet controller's scale-down victims, ranked as `ActivePodsWithRanks` ranks them
/// (behaviour.md C3): readiness first, then `controller.kubernetes.io/pod-deletion-cost`, then pods
/// doubled up on a node.
@Suite struct ScaleDownVictimTests {
    func pod(_ name: String, ready: Bool = true, cost: String? = nil, node: String = "n1", created: String = "2026-01-01T00:00:00Z") -> PodFacts {
        var o: JSONValue = [
            "metadata": ["name": .string(name), "uid": .string("uid-\(name)"), "creationTimestamp": .string(created)],
            "spec": ["nodeName": .string(node)],
            "status": ["phase": "Running", "conditions": [["type": "Ready", "status": ready ? "True" : "False",
                                                          "lastTransitionTime": "2026-01-01T00:00:00Z"]]],
        ]
        if let cost { o[path: ["metadata", "annotations"]] = ["controller.kubernetes.io/pod-deletion-cost": .string(cost)] }
        return PodFacts(o, key: ObjectKey(namespace: "default", name: name))
    }

    @Test("11.1: the lowest pod-deletion-cost goes first among Ready pods, even the oldest one")
    func deletionCostDecides() {
        let pods = [pod("new-a", created: "2026-01-02T00:00:00Z"), pod("new-b", created: "2026-01-02T00:00:00Z"),
                    pod("surge", cost: "-2147483648", created: "2026-01-01T00:00:00Z")]
        #expect(ReplicaSetController.podsToDelete(pods, count: 1).map(\.key.name) == ["surge"])
    }

    @Test("11.1: a NotReady pod goes before a lower cost; an invalid cost counts as 0")
    func readinessBeforeCost() {
        let pods = [pod("cheap", cost: "-5"), pod("unready", ready: false, cost: "100"), pod("bad", cost: "x")]
        #expect(ReplicaSetController.podsToDelete(pods, count: 2).map(\.key.name) == ["unready", "cheap"])
    }

    @Test("C3: with equal costs, a pod on a node with more related pods goes first")
    func doubledUpFirst() {
        let pods = [pod("alone", node: "n2", created: "2026-01-03T00:00:00Z"), pod("twin-1", node: "n1"), pod("twin-2", node: "n1")]
        #expect(ReplicaSetController.podsToDelete(pods, count: 1, related: pods).first?.key.name.hasPrefix("twin") == true)
    }
}
