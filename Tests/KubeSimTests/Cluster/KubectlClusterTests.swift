import Foundation
import JSON
import Testing
@testable import KubeSim

@Suite("Real kubectl against the behaving cluster", .enabled(if: Fixtures.kubectl != nil, "kubectl is not installed"))
struct KubectlClusterTests {
    @Test("kubectl set image rolls a StatefulSet out highest ordinal first; kubectl rollout status and history follow it")
    func rollout() throws {
        var scenario = Scenario.demo
        scenario.cluster.traffic = []
        scenario.cluster.latencies = Latencies(pull: 0.02, start: 0.02, readiness: 0.02, endpointPropagation: 0.02)
        let s = try KubeSimServer(scenario: scenario)
        defer { s.stop() }
        let k = try Kubectl(server: s)
        defer { k.cleanUp() }
        let set = try k.run(["set", "image", "deployment/agentless", "x=y"])
        #expect(set.status != 0)
        let image = try k.run(["set", "image", "statefulset/db", "postgres=postgres:16.3"])
        #expect(image.status == 0, "\(image.err)")
        let status = try k.run(["rollout", "status", "statefulset/db", "--timeout=30s"])
        #expect(status.status == 0, "\(status.err)")
        #expect(status.out.contains("partitioned roll out complete") || status.out.contains("rolling update complete"))
        let pods = try k.run(["get", "pods", "-l", "app=db", "-o", "json"])
        let items = (try JSONValue(parsing: pods.out))["items"]?.array ?? []
        #expect(items.count == 3)
        #expect(items.allSatisfy { $0[path: ["spec", "containers"]]?[0]?["image"]?.string == "postgres:16.3" })
        #expect(s.cluster.transitions.deletedPods(workload: "StatefulSet/db") == ["db-2", "db-1", "db-0"])
        let history = try k.run(["rollout", "history", "statefulset/db"])
        #expect(history.status == 0, "\(history.err)")
        #expect(history.out.contains("REVISION"))
    }

    @Test("kubectl rollout status on a Deployment after kubectl set image; the old ReplicaSet is scaled to zero")
    func deploymentRollout() throws {
        var scenario = Scenario.demo
        scenario.cluster.traffic = []
        scenario.cluster.latencies = .zero
        scenario.workloads[0].manifest[path: ["spec", "template", "spec", "readinessGates"]] = nil
        let s = try KubeSimServer(scenario: scenario)
        defer { s.stop() }
        let k = try Kubectl(server: s)
        defer { k.cleanUp() }
        let image = try k.run(["set", "image", "deployment/web", "app=nginx:1.27"])
        #expect(image.status == 0, "\(image.err)")
        let status = try k.run(["rollout", "status", "deployment/web", "--timeout=30s"])
        #expect(status.status == 0, "\(status.err)")
        #expect(status.out.contains("successfully rolled out"))
        let rs = try k.run(["get", "rs", "-o", "json"])
        let sets = (try JSONValue(parsing: rs.out))["items"]?.array ?? []
        #expect(sets.count == 2)
        #expect(sets.map { $0[path: ["spec", "replicas"]]?.int ?? -1 }.sorted() == [0, 4])
        let undo = try k.run(["rollout", "undo", "deployment/web"])
        #expect(undo.status == 0, "\(undo.err)")
        let back = try k.run(["rollout", "status", "deployment/web", "--timeout=30s"])
        #expect(back.status == 0, "\(back.err)")
        Sim.wait(s, "back on 1.25") { Sim.pods(s, prefix: "web-").allSatisfy { $0[path: ["spec", "containers"]]?[0]?["image"]?.string == "nginx:1.25" && !$0.isTerminating } }
        #expect(s.store.list(Resources.replicaSets).items.count == 2)
    }
}

@Suite("Real kubectl sees the kubelet's stale status (behaviour.md K4, K5, K11)", .enabled(if: Fixtures.kubectl != nil, "kubectl is not installed"))
struct KubectlKubeletStatusTests {
    @Test("kubectl set image to a broken image shows ImagePullBackOff; rolled back, the reason stays until the kubelet's sync; generations follow")
    func staleReasonThroughKubectl() throws {
        let s = try Sim.server(Scenario(imageDigests: KubeletConformanceTests.digests), latencies: Latencies(sync: 2.5)) { $0.podGeneration = true }
        defer { s.stop() }
        try Sim.create(s, Sim.pod("p"))
        Sim.wait(s, "Ready") { Sim.isReady(Sim.get(s, "p")) }
        let k = try Kubectl(server: s)
        defer { k.cleanUp() }
        let broken = try k.run(["set", "image", "pod/p", "app=nginx:broken-1"])
        #expect(broken.status == 0, "\(broken.err)")
        Sim.wait(s, "ImagePullBackOff") { KubeletConformanceTests.waitingReason(KubeletConformanceTests.app(Sim.get(s, "p"))) == "ImagePullBackOff" }
        let get = try k.run(["get", "pod", "p", "--no-headers"])
        #expect(get.out.contains("ImagePullBackOff"), "\(get.out)")
        let back = try k.run(["set", "image", "pod/p", "app=nginx:1.25"])
        #expect(back.status == 0, "\(back.err)")
        let path = "{.metadata.generation} {.status.observedGeneration} {.status.containerStatuses[?(@.name==\"app\")].state.waiting.reason} {.status.containerStatuses[?(@.name==\"app\")].image}"
        let stale = try k.run(["get", "pod", "p", "-o", "jsonpath=\(path)"])
        #expect(stale.out == "3 2 ImagePullBackOff docker.io/library/nginx:1.25", "\(stale.out) \(stale.err)")
        let wait = try k.run(["wait", "--for=condition=Ready", "pod/p", "--timeout=10s"])
        #expect(wait.status == 0, "\(wait.err)")
        let synced = try k.run(["get", "pod", "p", "-o", "jsonpath={.metadata.generation} {.status.observedGeneration} {.status.containerStatuses[?(@.name==\"app\")].restartCount}"])
        #expect(synced.out == "3 3 1", "\(synced.out)")
    }
}
