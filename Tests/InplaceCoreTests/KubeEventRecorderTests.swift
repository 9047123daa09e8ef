import Foundation
import JSON
import Synchronization
import Testing
@testable import InplaceCore

/// Issue 10, Kubernetes Events: what a rollout's progress writes as core/v1 Events, and that an
/// event the server refuses never reaches the rollout.
@Suite struct KubeEventRecorderTests {
    static func recorder(_ cluster: GateKeeperTestCluster, _ observer: Recorder) throws -> KubeEventRecorder {
        cluster.put(RolloutInvocationTests.ref.path, RolloutInvocationTests.failedDeployment(paused: false, phase: .complete))
        _ = cluster.put(pod: Fixtures.livePod(name: "web-1"))
        let planned = try RolloutInvocationTests.planned(cluster, images: [("app", "nginx:1.27")])
        let r = KubeEventRecorder(cluster: cluster, clock: ManualClock(), holder: "me@host pid 1", next: observer)
        r.register(planned, cause: "bump")
        return r
    }

    static func events(_ cluster: GateKeeperTestCluster) -> [JSONValue] {
        cluster.writes.filter { $0.method == "POST" && $0.path == "/api/v1/namespaces/default/events" }.map(\.body)
    }

    @Test("started, pod updated, pod failed with the kubelet's reason, paused, rolled back: reasons, types, involvedObject with uid")
    func reasons() throws {
        let cluster = GateKeeperTestCluster()
        let observer = Recorder()
        let r = try Self.recorder(cluster, observer)
        let ref = RolloutInvocationTests.ref
        r.handle(.started(ref, update: 1, keep: 0, hold: 0, maxUnavailable: 1))
        #expect(Self.events(cluster).isEmpty, "no start is told before the first pod moves")
        r.handle(.podStep(ref, pod: "web-1", step: .gateOff, elapsed: 0))
        r.handle(.podStep(ref, pod: "web-1", step: .patch, elapsed: 0))
        r.handle(.podDone(ref, pod: "web-1", seconds: 1))
        r.handle(.podFailed(ref, pod: "web-1", reason: "ErrImagePull", message: "pull failed"))
        r.handle(.finished(ref, RolloutOutcome(result: .paused, updated: 1)))
        r.rolledBack(ref, message: "rolled back 1 pod(s)")
        r.finish()
        let events = Self.events(cluster)
        let seen = events.map { "\($0["type"]?.string ?? "") \($0["reason"]?.string ?? "") \($0[path: ["involvedObject", "kind"]]?.string ?? "")" }
        #expect(Set(seen) == ["Normal InPlaceRolloutStarted Deployment", "Normal InPlaceUpdated Pod", "Warning InPlaceUpdateFailed Pod",
                              "Warning InPlaceUpdateFailed Deployment", "Normal InPlaceRolloutPaused Deployment", "Normal InPlaceRolledBack Deployment"])
        #expect(events.allSatisfy { $0[path: ["source", "component"]] == "kubectl-inplace" && $0["reportingComponent"] == "kubectl-inplace" })
        #expect(events.filter { $0[path: ["involvedObject", "kind"]] == "Deployment" }.allSatisfy { $0[path: ["involvedObject", "uid"]] == "dep-1" })
        #expect(events.first { $0["reason"] == "InPlaceUpdateFailed" && $0[path: ["involvedObject", "kind"]] == "Pod" }?["message"]?.string?.hasPrefix("ErrImagePull") == true)
        #expect(observer.events.count == 6, "every rollout event is passed on")
    }

    @Test("an event the server refuses is dropped: the rollout's observer sees nothing of it")
    func bestEffort() throws {
        let cluster = GateKeeperTestCluster()
        let observer = Recorder()
        let r = try Self.recorder(cluster, observer)
        cluster.failNext("POST", "/api/v1/namespaces/default/events", ClusterOperationError(.forbidden, "events is forbidden"))
        r.handle(.started(RolloutInvocationTests.ref, update: 1, keep: 0, hold: 0, maxUnavailable: 1))
        r.handle(.podStep(RolloutInvocationTests.ref, pod: "web-1", step: .gateOff, elapsed: 0))
        r.finish()
        #expect(Self.events(cluster).isEmpty)
        #expect(observer.events.count == 2)
    }

    @Test("12: an Event's answer is read into nothing: every event is written asking for the projection that builds nothing, and the answer is null")
    func answersBuildNothing() throws {
        let cluster = GateKeeperTestCluster()
        let r = try Self.recorder(cluster, Recorder())
        let ref = RolloutInvocationTests.ref
        r.handle(.started(ref, update: 1, keep: 0, hold: 0, maxUnavailable: 1))
        r.handle(.podStep(ref, pod: "web-1", step: .gateOff, elapsed: 0))
        r.handle(.podDone(ref, pod: "web-1", seconds: 1))
        r.handle(.finished(ref, RolloutOutcome(result: .complete, updated: 1)))
        r.finish()
        let creates = cluster.projectedCreates
        #expect(creates.count == 3 && Self.events(cluster).count == 3, "started, updated, completed")
        for create in creates {
            #expect(create.path == "/api/v1/namespaces/default/events")
            #expect(create.projection === KubeEventRecorder.answer)
            #expect((try? create.answer.get()) == .null, "the created Event was not built: \(create.answer)")
        }
    }

    @Test("12: the answer projection still checks the JSON: a cut-off or malformed answer is an error, a whole one is null")
    func answerProjectionReportsErrors() throws {
        let event = KubeEventRecorder.event(.init(apiVersion: "v1", kind: "Pod", namespace: "default", name: "web-1", uid: "u1", resourceVersion: ""),
                                            type: "Normal", reason: "InPlaceUpdated", message: "m", now: "2026-01-01T00:00:00Z", instance: "me")
        let bytes = event.serializedBytes()
        #expect(try JSONValue(parsing: bytes, projection: KubeEventRecorder.answer) == .null)
        #expect(throws: JSONParseError.self) { try JSONValue(parsing: Array(bytes.dropLast(3)), projection: KubeEventRecorder.answer) }
        #expect(throws: JSONParseError.self) {
            try JSONValue(parsing: Array(#"{"kind":"Event","metadata":{"name":"a" "b"}}"#.utf8), projection: KubeEventRecorder.answer)
        }
    }

    @Test("12: event names are unique without a system call each: 10,000 suffixes from four threads are all different hex strings")
    func uniqueNameSuffixes() {
        let names = Mutex<Set<String>>([])
        DispatchQueue.concurrentPerform(iterations: 4) { _ in
            var mine: [String] = []
            for _ in 0..<2_500 { mine.append(KubeEventRecorder.nameSuffix()) }
            names.withLock { $0.formUnion(mine) }
        }
        let all = names.withLock { $0 }
        #expect(all.count == 10_000)
        #expect(all.allSatisfy { !$0.isEmpty && $0.allSatisfy(\.isHexDigit) })
    }
}
