import Foundation
import JSON
import Synchronization
import Testing
@testable import InplaceCore
import KubeFormats

/// Issue 9 item 9: pods left out of service by a rollout whose holder stopped renewing its lease are
/// put back in service by the gate keeper when they already run their target, ready, and only then.
@Suite struct AbandonedRolloutTests {
    static let deploymentPath = "/apis/apps/v1/namespaces/default/deployments/web"

    /// A pod rollout `rollout` took out of service (gate False, update record), running `image`.
    func heldPod(_ name: String, image: String, restarted: Bool = true, ready: Bool = true, rollout: String = "r1") -> JSONValue {
        var pod = Fixtures.livePod(name: name, appImage: image, ready: false, gateCondition: "False")
        let update = PodUpdateRecord(rolloutID: rollout, revision: "", containers: [
            .init(name: "app", from: "nginx:1.25", to: "nginx:1.27", imageID: "sha-old", containerID: "containerd://old", restartCount: 0),
        ], startedAt: "2026-11-29T02:59:00Z")
        pod[path: ["metadata", "annotations"]] = .object(JSONObject([(InPlace.podStateAnnotation, .string(update.json.serialized()))]))
        pod[path: ["status", "containerStatuses"]] = [[
            "name": "app", "image": .string(image), "imageID": .string(restarted ? "sha-new" : "sha-old"),
            "containerID": .string(restarted ? "containerd://new" : "containerd://old"), "restartCount": 0,
            "ready": .bool(ready), "state": ["running": ["startedAt": "2026-11-29T02:59:30Z"]],
        ]]
        return pod
    }

    func record(renewed: String, phase: RolloutRecord.Phase = .running, id: String = "r1") -> RolloutRecord {
        RolloutRecord(id: id, phase: phase, images: ["app": "nginx:1.27"], previousImages: ["app": "nginx:1.25"], options: [:],
                      startedAt: "2026-11-29T02:58:00Z", holder: "ci@runner-7 pid 42", renewTime: renewed, total: 4, leaseSeconds: 30)
    }

    func deployment(_ record: RolloutRecord) -> JSONValue {
        ["apiVersion": "apps/v1", "kind": "Deployment",
         "metadata": ["name": "web", "namespace": "default", "uid": "d-1",
                      "annotations": .object(JSONObject([(InPlace.rolloutAnnotation, .string(record.json.serialized()))]))],
         "spec": ["replicas": 4, "paused": true]]
    }

    func gate(_ cluster: GateKeeperTestCluster, _ name: String) -> String? {
        cluster.object("/api/v1/namespaces/default/pods/\(name)").flatMap { Pod($0).condition(InPlace.gateConditionType)?["status"]?.string }
    }

    func eventually(_ seconds: Double = 3, _ done: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if done() { return true }
            usleep(2000)
        }
        return done()
    }

    @Test func theRuleRestoresOnlyAPodOnItsTargetAndReadyOnceTheLeaseRanOut() {
        let renewed = RFC3339.parse("2026-11-29T03:00:00Z")!
        let r = record(renewed: "2026-11-29T03:00:00Z")
        let done = Pod(heldPod("a", image: "nginx:1.27"))
        #expect(AbandonedRolloutRule.decide(done, record: r, now: renewed + 29) == .recheck(at: renewed + 30))
        #expect(AbandonedRolloutRule.decide(done, record: r, now: renewed + 30) == .restore)
        let after = renewed + 31
        #expect(AbandonedRolloutRule.decide(Pod(heldPod("b", image: "nginx:1.25")), record: r, now: after) != .restore,
                "not patched yet: resume must drain and patch it")
        #expect(AbandonedRolloutRule.decide(Pod(heldPod("c", image: "nginx:1.27", ready: false)), record: r, now: after) != .restore)
        #expect(AbandonedRolloutRule.decide(Pod(heldPod("d", image: "nginx:1.27", restarted: false)), record: r, now: after) != .restore)
        #expect(AbandonedRolloutRule.decide(done, record: record(renewed: "2026-11-29T03:00:00Z", phase: .paused), now: after) != .restore)
        #expect(AbandonedRolloutRule.decide(done, record: record(renewed: "2026-11-29T03:00:00Z", id: "r2"), now: after) != .restore)
        #expect(AbandonedRolloutRule.decide(done, record: nil, now: after) != .restore)
    }

    @Test func theGateKeeperRestoresQualifyingPodsOnlyAfterTheHolderStopsRenewing() {
        let cluster = GateKeeperTestCluster()
        let clock = ManualClock()
        cluster.put(Self.deploymentPath, deployment(record(renewed: clock.rfc3339)))
        cluster.put(pod: heldPod("web-done", image: "nginx:1.27"))
        cluster.put(pod: heldPod("web-unpatched", image: "nginx:1.25"))
        cluster.put(pod: heldPod("web-not-ready", image: "nginx:1.27", ready: false))
        cluster.put(pod: heldPod("web-other-rollout", image: "nginx:1.27", rollout: "r0"))
        let restored = Mutex<[String]>([])
        let keeper = GateKeeper(cluster: cluster, scopes: [.namespace("default")], writer: "test", clock: clock,
                                onEvent: { e in if case .restored(_, let n, "r1", _) = e { restored.withLock { $0.append(n) } } },
                                restoresAbandoned: true)
        keeper.start()
        defer { keeper.stop() }
        #expect(eventually { keeper.isSynced })
        // The holder renews at +20 s: the lease runs from there, not from the start.
        clock.advance(20)
        cluster.mutate(Self.deploymentPath) { $0 = deployment(record(renewed: clock.rfc3339)) }
        clock.advance(25)
        keeper.resync()
        usleep(100_000)
        #expect(cluster.writes.isEmpty, "renewed 25 s ago: the rollout is alive")
        clock.advance(6)
        keeper.resync()
        #expect(eventually { gate(cluster, "web-done") == "True" })
        usleep(100_000)
        #expect(gate(cluster, "web-unpatched") == "False")
        #expect(gate(cluster, "web-not-ready") == "False")
        #expect(gate(cluster, "web-other-rollout") == "False")
        #expect(cluster.writes.map(\.path) == ["/api/v1/namespaces/default/pods/web-done/status"])
        #expect(cluster.writes.first?.body[path: ["metadata", "resourceVersion"]] != nil)
        #expect(restored.withLock { $0 } == ["web-done"])
        // A pod that gets ready later is restored then (level-based), the others still not.
        cluster.mutate("/api/v1/namespaces/default/pods/web-not-ready") { $0 = heldPod("web-not-ready", image: "nginx:1.27") }
        #expect(eventually { gate(cluster, "web-not-ready") == "True" })
        #expect(gate(cluster, "web-unpatched") == "False")
    }

    @Test func aResumeThatRenewsTheRecordStopsTheRestores() {
        let cluster = GateKeeperTestCluster()
        let clock = ManualClock()
        cluster.put(Self.deploymentPath, deployment(record(renewed: clock.rfc3339)))
        let keeper = GateKeeper(cluster: cluster, scopes: [.namespace("default")], writer: "test", clock: clock, restoresAbandoned: true)
        keeper.start()
        defer { keeper.stop() }
        #expect(eventually { keeper.isSynced })
        clock.advance(40)
        cluster.mutate(Self.deploymentPath) { $0 = deployment(record(renewed: clock.rfc3339)) }
        cluster.put(pod: heldPod("web-done", image: "nginx:1.27"))
        keeper.resync()
        usleep(150_000)
        #expect(cluster.writes.isEmpty, "resume took the rollout over: its own gateOn step is next")
        #expect(gate(cluster, "web-done") == "False")
    }

    @Test func statusSaysAbandonedOnceTheLeaseRanOutAndNamesThePodsOutOfService() {
        let renewed = RFC3339.parse("2026-11-29T03:00:00Z")!
        let r = record(renewed: "2026-11-29T03:00:00Z")
        let pods = [heldPod("web-b", image: "nginx:1.25"), heldPod("web-a", image: "nginx:1.27"), Fixtures.livePod(name: "web-c")].map(Pod.init)
        let ref = WorkloadRef(kind: .deployment, namespace: "default", name: "web")
        let alive = RolloutStatus(ref: ref, record: r, pods: pods, holderLive: true, now: renewed + 29)
        #expect(!alive.abandoned)
        let gone = RolloutStatus(ref: ref, record: r, pods: pods, holderLive: false, now: renewed + 30)
        #expect(gone.abandoned)
        #expect(gone.outOfService == ["web-a", "web-b"])
        #expect(gone.json["abandoned"] == true)
        #expect(gone.json["outOfService"] == ["web-a", "web-b"])
        let paused = RolloutStatus(ref: ref, record: record(renewed: "2026-11-29T03:00:00Z", phase: .paused), pods: pods,
                                   holderLive: false, now: renewed + 300)
        #expect(!paused.abandoned, "a paused rollout was stopped on purpose")
    }
}
